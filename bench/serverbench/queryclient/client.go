// Package queryclient is serverbench's way of sending requests, exported
// so that other benchmarks (storebench) load servers exactly as
// serverbench does: SigV4-signed AWS Query requests over keep-alive
// connections, signed with aws-sdk-go-v2's v4 signer rather than sent
// through the SDK's service clients, so that the load generator's own CPU
// per request stays small next to the server's.
//
// It mirrors the unexported client of serverbench's client.go, with the
// service (iam or sts) as a parameter; serverbench can move onto it.
package queryclient

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

// Versions are the Query API versions of the services.
var Versions = map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}

// Client sends signed Query requests to one endpoint.
type Client struct {
	endpoint string
	creds    aws.Credentials
	signer   *v4.Signer
	http     *http.Client
}

// New returns a client whose transport keeps enough idle connections for
// maxClients concurrent callers, so that no request waits for a slot.
func New(endpoint string, creds aws.Credentials, maxClients int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * maxClients,
		MaxIdleConnsPerHost: 2 * maxClients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &Client{endpoint: endpoint, creds: creds, signer: v4.NewSigner(),
		http: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
}

// Close drops idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// APIError is a non-200 answer: the HTTP status and the AWS error code and
// message.
type APIError struct {
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string { return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message) }

// Call sends one signed request for the service's action and returns the
// body of a 200 answer; a non-200 answer is an *APIError, and a 200 that
// is not the action's response document an error.
func (c *Client) Call(ctx context.Context, service, action string, params url.Values) ([]byte, error) {
	form := url.Values{"Action": {action}, "Version": {Versions[service]}}
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
	if err := c.signer.SignHTTP(ctx, c.creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now().UTC()); err != nil {
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
		return nil, ParseAPIError(resp.StatusCode, out)
	}
	if !bytes.Contains(out, []byte("<"+action+"Response")) {
		return nil, fmt.Errorf("HTTP 200 without <%sResponse>: %.120q", action, out)
	}
	return out, nil
}

// ParseAPIError reads an AWS Query error document (<ErrorResponse>, or
// moto's <Response><Errors>); a body that is neither keeps its first bytes
// as the message.
func ParseAPIError(status int, body []byte) *APIError {
	var doc struct {
		Code     string `xml:"Error>Code"`
		Message  string `xml:"Error>Message"`
		Code2    string `xml:"Errors>Error>Code"`
		Message2 string `xml:"Errors>Error>Message"`
	}
	e := &APIError{Status: status}
	if xml.Unmarshal(body, &doc) == nil {
		e.Code, e.Message = doc.Code+doc.Code2, doc.Message+doc.Message2
	}
	if e.Code == "" {
		e.Code = "(no error code)"
		e.Message = fmt.Sprintf("%.200q", body)
	}
	return e
}
