package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamd/iamd/bench/serverbench/queryclient"
)

// iamVersion is the Query API version every request names.
const iamVersion = "2010-05-08"

// client sends SigV4-signed IAM Query requests to one server. The same code
// serves iamd and moto: only the endpoint and the credentials differ. It
// signs raw requests with aws-sdk-go-v2's v4 signer instead of going through
// the SDK's IAM client so that the client's own CPU per request stays small
// (no middleware stack, retries or response deserialisation); the bench
// measures it every round to show it is not the bottleneck.
type client struct{ q *queryclient.Client }

// newClient returns a client with a keep-alive transport sized for the
// largest client count, so that no request waits for a connection slot.
func newClient(endpoint string, creds aws.Credentials, maxClients int) *client {
	return &client{q: queryclient.New(endpoint, creds, maxClients)}
}

// close drops idle connections so that a stopped server leaves no sockets
// behind.
func (c *client) close() { c.q.Close() }

// apiError is a non-200 answer: the HTTP status and the AWS error code and
// message from the body, so that a report names what went wrong.
type apiError = queryclient.APIError

// call sends one signed IAM request with the given action and parameters
// and returns the body of a 200 answer (see queryclient.Client.Call).
func (c *client) call(ctx context.Context, action string, params url.Values) ([]byte, error) {
	return c.q.Call(ctx, "iam", action, params)
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
