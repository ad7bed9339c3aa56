package sigv4_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/iamd/iamd/sigv4"
)

// FuzzVerify feeds arbitrary Authorization headers, query strings, dates,
// paths and bodies to Verify: it must never panic, and every failure must
// be an *Error (the key source here never fails).
func FuzzVerify(f *testing.F) {
	const good = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260304/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=00"
	f.Add(good, "", "20260304T102030Z", "/", "Action=ListUsers")
	f.Add("", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20260304%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20260304T102030Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "", "/", "")
	f.Add("Bearer x", "a=%zz", "junk", "//../a/./b", "")
	f.Add("AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=", "X-Amz-Expires=-1&X-Amz-Signature=", "99999999T999999Z", "/%", "\x00\xff")
	f.Add("AWS4-HMAC-SHA256 ,,, = ==", "&&&=&=", "20260304T102030Z", "", "")
	v := &sigv4.Verifier{Credentials: testKeys, Now: fixedClock(signedAt)}
	f.Fuzz(func(t *testing.T, auth, query, date, path, body string) {
		r := &http.Request{
			Method:     http.MethodPost,
			RequestURI: path,
			URL:        &url.URL{Path: path, RawQuery: query},
			Host:       "127.0.0.1:4599",
			Header:     http.Header{},
		}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		if date != "" {
			r.Header.Set("X-Amz-Date", date)
		}
		res, err := v.Verify(context.Background(), r, []byte(body))
		var e *sigv4.Error
		switch {
		case err == nil && res == nil:
			t.Fatal("nil result without an error")
		case err != nil && !errors.As(err, &e):
			t.Fatalf("error of type %T: %v", err, err)
		case err != nil && (e.Code() == "" || e.Message() == "" || (e.Status() != 400 && e.Status() != 403)):
			t.Fatalf("incomplete error %#v", e)
		}
		sigv4.ParseCredentialScope(r)
	})
}

// FuzzParseAuthorization targets the Authorization header parser through
// ParseCredentialScope, which must never panic.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256,Credential=a/b/c/d/e,Signature=1")
	f.Add("\t\t,,=,Credential==/=/=/=/=/")
	f.Fuzz(func(t *testing.T, auth string) {
		r := &http.Request{Header: http.Header{"Authorization": {auth}}, URL: &url.URL{}}
		s, ok := sigv4.ParseCredentialScope(r)
		if !ok && s != (sigv4.Scope{}) {
			t.Fatalf("scope %+v without ok", s)
		}
	})
}
