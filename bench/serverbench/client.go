package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// iamVersion is the Query API version every request names.
const iamVersion = "2010-05-08"

// client sends SigV4-signed IAM Query requests to one server. The same code
// serves iamd and moto: only the endpoint and the credentials differ. It
// signs raw requests with aws-sdk-go-v2's v4 signer instead of going through
// the SDK's IAM client so that the client's own CPU per request stays small
// (no middleware stack, retries or response deserialisation); the bench
// measures it every round to show it is not the bottleneck.
type client struct {
	endpoint string
	creds    aws.Credentials
	signer   *v4.Signer
	http     *http.Client
}

// newClient returns a client with a keep-alive transport sized for the
// largest client count, so that no request waits for a connection slot.
func newClient(endpoint string, creds aws.Credentials, maxClients int) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * maxClients,
		MaxIdleConnsPerHost: 2 * maxClients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &client{
		endpoint: endpoint,
		creds:    creds,
		signer:   v4.NewSigner(),
		http:     &http.Client{Transport: tr, Timeout: 60 * time.Second},
	}
}

// close drops idle connections so that a stopped server leaves no sockets
// behind.
func (c *client) close() { c.http.CloseIdleConnections() }

// apiError is a non-200 answer: the HTTP status and the AWS error code and
// message from the body, so that a report names what went wrong.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// call sends one signed request with the given action and parameters and
// returns the body of a 200 answer. Anything else is an error: a transport
// failure, a non-200 status (as *apiError), or a 200 whose body is not the
// action's response document.
func (c *client) call(ctx context.Context, action string, params url.Values) ([]byte, error) {
	form := url.Values{"Action": {action}, "Version": {iamVersion}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	sum := sha256.Sum256([]byte(body))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, parseAPIError(resp.StatusCode, out)
	}
	if !bytes.Contains(out, []byte("<"+action+"Response")) {
		return nil, fmt.Errorf("HTTP 200 without <%sResponse>: %.120q", action, out)
	}
	return out, nil
}

// parseAPIError reads the AWS Query error document (<ErrorResponse> or
// moto's <Response><Errors>); a body that is neither keeps its first bytes
// as the message.
func parseAPIError(status int, body []byte) *apiError {
	var doc struct {
		Code     string `xml:"Error>Code"`
		Message  string `xml:"Error>Message"`
		Code2    string `xml:"Errors>Error>Code"`
		Message2 string `xml:"Errors>Error>Message"`
	}
	e := &apiError{Status: status}
	if xml.Unmarshal(body, &doc) == nil {
		e.Code, e.Message = doc.Code+doc.Code2, doc.Message+doc.Message2
	}
	if e.Code == "" {
		e.Code = "(no error code)"
		e.Message = fmt.Sprintf("%.200q", body)
	}
	return e
}

// listPage is one ListUsers answer.
type listPage struct {
	Users       []string `xml:"ListUsersResult>Users>member>UserName"`
	IsTruncated bool     `xml:"ListUsersResult>IsTruncated"`
	Marker      string   `xml:"ListUsersResult>Marker"`
}

// listUsers fetches one page of at most maxItems users after marker.
func (c *client) listUsers(ctx context.Context, maxItems int, marker string) (listPage, error) {
	params := url.Values{"MaxItems": {fmt.Sprint(maxItems)}}
	if marker != "" {
		params.Set("Marker", marker)
	}
	body, err := c.call(ctx, "ListUsers", params)
	if err != nil {
		return listPage{}, err
	}
	var p listPage
	if err := xml.Unmarshal(body, &p); err != nil {
		return listPage{}, fmt.Errorf("ListUsers response: %w", err)
	}
	if p.IsTruncated && p.Marker == "" {
		return listPage{}, fmt.Errorf("ListUsers: truncated page without a Marker")
	}
	return p, nil
}
