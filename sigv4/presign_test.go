package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// presigned returns the server-side request for a URL presigned at
// signedAt, valid for expires.
func presigned(t *testing.T, creds sigv4.Credentials, expires time.Duration) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4599/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	u, err := sigv4.Presign(r, nil, creds, "us-east-1", "sts", signedAt, expires)
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewRequest(http.MethodGet, u, nil)
}

func TestPresignedExpiry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		expires time.Duration
		after   time.Duration // server clock minus signing time
		message string
	}{
		{"fresh", 15 * time.Minute, time.Second, ""},
		{"one hour URL after 59 minutes", time.Hour, 59 * time.Minute, ""},
		{"seven day URL after six days", 7 * 24 * time.Hour, 6 * 24 * time.Hour, ""},
		{"60 second URL after 10 minutes (the skew window still applies, as on AWS)", time.Minute, 10 * time.Minute, ""},
		{"one hour URL after 61 minutes", time.Hour, 61 * time.Minute,
			"Signature expired: 20260304T102030Z is now earlier than 20260304T102130Z (20260304T112130Z - 60 min.)"},
		{"60 second URL after 16 minutes", time.Minute, 16 * time.Minute,
			"Signature expired: 20260304T102030Z is now earlier than 20260304T102130Z (20260304T103630Z - 15 min.)"},
		{"seven day URL after eight days", 7 * 24 * time.Hour, 8 * 24 * time.Hour,
			"Signature expired: 20260304T102030Z is now earlier than 20260305T102030Z (20260312T102030Z - 10080 min.)"},
		{"used 16 minutes before it was signed", time.Hour, -16 * time.Minute,
			"Signature not yet current: 20260304T102030Z is still later than 20260304T101930Z (20260304T100430Z + 15 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := presigned(t, testCreds, c.expires)
			res, err := verifier(signedAt.Add(c.after)).Verify(context.Background(), r, nil)
			if c.message != "" {
				wantError(t, err, "SignatureDoesNotMatch", 403, c.message)
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !res.Presigned || res.Service != "sts" || res.AccessKeyID != testKeyID {
				t.Fatalf("result %+v", res)
			}
			if want := signedAt.Add(max(c.expires, 15*time.Minute)); !res.Expires.Equal(want) {
				t.Fatalf("Expires %v, want %v", res.Expires, want)
			}
		})
	}
}

// TestPresignedQueryChecks edits the query of a valid presigned URL.
func TestPresignedQueryChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		edit    func(q url.Values)
		code    string
		status  int
		message string
	}{
		{"expires over seven days", func(q url.Values) { q.Set("X-Amz-Expires", "604801") },
			"AuthorizationQueryParametersError", 400,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"expires huge", func(q url.Values) { q.Set("X-Amz-Expires", "99999999999999999999999") },
			"AuthorizationQueryParametersError", 400,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"expires not a number", func(q url.Values) { q.Set("X-Amz-Expires", "soon") },
			"AuthorizationQueryParametersError", 400, "X-Amz-Expires should be a number"},
		{"expires negative", func(q url.Values) { q.Set("X-Amz-Expires", "-5") },
			"AuthorizationQueryParametersError", 400, "X-Amz-Expires must be non-negative"},
		{"expires lengthened", func(q url.Values) { q.Set("X-Amz-Expires", "7200") },
			"SignatureDoesNotMatch", 403, "The request signature we calculated…"},
		{"action changed", func(q url.Values) { q.Set("Action", "AssumeRole") },
			"SignatureDoesNotMatch", 403, "The request signature we calculated…"},
		{"parameter added", func(q url.Values) { q.Set("DurationSeconds", "43200") },
			"SignatureDoesNotMatch", 403, "The request signature we calculated…"},
		{"signature and credential missing", func(q url.Values) { q.Del("X-Amz-Signature"); q.Del("X-Amz-SignedHeaders") },
			"IncompleteSignature", 400,
			"AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."},
		{"only a credential", func(q url.Values) {
			for k := range q {
				if k != "X-Amz-Credential" {
					q.Del(k)
				}
			}
		}, "IncompleteSignature", 400,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"bad date", func(q url.Values) { q.Set("X-Amz-Date", "20260304") },
			"IncompleteSignature", 400, "Date must be in ISO-8601 'basic format'. Got '20260304'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"unknown key", func(q url.Values) {
			q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), testKeyID, "AKIAUNKNOWNKEY000000", 1))
		}, "InvalidClientTokenId", 403, "The security token included in the request is invalid."},
		{"algorithm", func(q url.Values) { q.Set("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256") },
			"IncompleteSignature", 400, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256' (only AWS4-HMAC-SHA256 for now). "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := presigned(t, testCreds, time.Hour)
			q := r.URL.Query()
			c.edit(q)
			r.URL.RawQuery = q.Encode()
			r.RequestURI = r.URL.RequestURI()
			_, err := verifier(signedAt).Verify(context.Background(), r, nil)
			wantError(t, err, c.code, c.status, c.message)
		})
	}
}

func TestPresignedSecurityToken(t *testing.T) {
	t.Parallel()
	creds := testCreds
	creds.SessionToken = "IQoJb3JpZ2luX2VjEXAMPLE+/="
	r := presigned(t, creds, 15*time.Minute)
	res, err := verifier(signedAt).Verify(context.Background(), r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.SecurityToken != creds.SessionToken || !res.SecurityTokenSigned {
		t.Fatalf("token %q signed %v", res.SecurityToken, res.SecurityTokenSigned)
	}
	// A token also sent as a header makes the request ambiguous.
	r.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	_, err = verifier(signedAt).Verify(context.Background(), r, nil)
	if !errors.Is(err, sigv4.ErrAmbiguousRequest) {
		t.Fatalf("err = %v", err)
	}
}

func TestPresignRefuses(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4599/?X-Amz-Date=1", nil)
	cases := []struct {
		name    string
		r       *http.Request
		creds   sigv4.Credentials
		expires time.Duration
	}{
		{"over seven days", httptest.NewRequest(http.MethodGet, "http://h/", nil), testCreds, 7*24*time.Hour + time.Second},
		{"zero expiry", httptest.NewRequest(http.MethodGet, "http://h/", nil), testCreds, 0},
		{"already presigned", r, testCreds, time.Hour},
		{"no secret", httptest.NewRequest(http.MethodGet, "http://h/", nil), sigv4.Credentials{AccessKeyID: "AKID"}, time.Hour},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if u, err := sigv4.Presign(c.r, nil, c.creds, "us-east-1", "sts", signedAt, c.expires); err == nil {
				t.Fatalf("Presign = %q, want an error", u)
			}
		})
	}
}

func TestSignRefuses(t *testing.T) {
	t.Parallel()
	noHost := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/"}, Header: http.Header{}}
	cases := []struct {
		name            string
		r               *http.Request
		creds           sigv4.Credentials
		region, service string
	}{
		{"no host", noHost, testCreds, "us-east-1", "iam"},
		{"no region", httptest.NewRequest(http.MethodPost, "/", nil), testCreds, "", "iam"},
		{"slash in service", httptest.NewRequest(http.MethodPost, "/", nil), testCreds, "us-east-1", "i/am"},
		{"no key", httptest.NewRequest(http.MethodPost, "/", nil), sigv4.Credentials{SecretAccessKey: "x"}, "us-east-1", "iam"},
		{"malformed query", httptest.NewRequest(http.MethodPost, "/?a=%zz", nil), testCreds, "us-east-1", "iam"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if err := sigv4.Sign(c.r, nil, c.creds, c.region, c.service, signedAt); err == nil {
				t.Fatal("Sign succeeded, want an error")
			}
		})
	}
}
