package sigv4_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/sigv4"
)

// TestSuiteCanonicalRequest checks the canonical request and the string to
// sign against every published vector (testdata/README.md says where each
// comes from).
func TestSuiteCanonicalRequest(t *testing.T) {
	t.Parallel()
	for _, v := range vectors(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r, body := parseRawRequest(t, v.mustFile(t, ".req"))
			authz := v.mustFile(t, ".authz")
			_, signed, _ := strings.Cut(authz, "SignedHeaders=")
			signed, _, _ = strings.Cut(signed, ",")
			got, err := sigv4.CanonicalRequestOf(r, body, signed)
			if err != nil {
				t.Fatal(err)
			}
			if want := v.mustFile(t, ".creq"); got != want {
				t.Fatalf("canonical request\n got: %q\nwant: %q", got, want)
			}
			if want, ok := v.file(t, ".sts"); ok {
				if got := sigv4.StringToSignOf(exampleTime, scopeOf(t, authz), got); got != want {
					t.Fatalf("string to sign\n got: %q\nwant: %q", got, want)
				}
			}
		})
	}
}

// TestSuiteVerify verifies every published signed request.
func TestSuiteVerify(t *testing.T) {
	t.Parallel()
	for _, v := range vectors(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r, body := parseRawRequest(t, v.mustFile(t, ".sreq"))
			scope := scopeOf(t, v.mustFile(t, ".authz"))
			verifier := &sigv4.Verifier{
				Credentials: exampleKeys,
				Now:         fixedClock(exampleTime),
				// Two vectors repeat Param1; iamd's default refuses that
				// (TestRepeatedQueryParameter), the suite is about its
				// canonical order.
				AllowRepeatedQueryParameters: true,
			}
			res, err := verifier.Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if res.AccessKeyID != exampleKeyID || res.Region != scope.Region || res.Service != scope.Service ||
				!res.Date.Equal(exampleTime) || res.Presigned || res.Partition != "aws" {
				t.Fatalf("result %+v", res)
			}
			switch v.name {
			case "post-sts-header-before":
				if res.SecurityToken == "" || !res.SecurityTokenSigned {
					t.Fatalf("token %q signed %v, want a signed token", res.SecurityToken, res.SecurityTokenSigned)
				}
			case "post-sts-header-after":
				if res.SecurityToken == "" || res.SecurityTokenSigned {
					t.Fatalf("token %q signed %v, want an unsigned token", res.SecurityToken, res.SecurityTokenSigned)
				}
			default:
				if res.SecurityToken != "" {
					t.Fatalf("unexpected token %q", res.SecurityToken)
				}
			}

			// The same request with one byte of the signature changed fails.
			tampered, _ := parseRawRequest(t, v.mustFile(t, ".sreq"))
			auth := tampered.Header.Get("Authorization")
			last := auth[len(auth)-1]
			flip := byte('0')
			if last == '0' {
				flip = '1'
			}
			tampered.Header.Set("Authorization", auth[:len(auth)-1]+string(flip))
			_, err = verifier.Verify(context.Background(), tampered, body)
			if !errors.Is(err, sigv4.ErrSignatureMismatch) {
				t.Fatalf("tampered signature: err = %v, want a signature mismatch", err)
			}
		})
	}
}

// TestSuiteSign signs every published request and compares the
// Authorization header.
func TestSuiteSign(t *testing.T) {
	t.Parallel()
	for _, v := range vectors(t) {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			r, body := parseRawRequest(t, v.mustFile(t, ".req"))
			want := v.mustFile(t, ".authz")
			scope := scopeOf(t, want)
			creds := sigv4.Credentials{AccessKeyID: exampleKeyID, SecretAccessKey: exampleSecret}
			if tok := r.Header.Get("X-Amz-Security-Token"); tok != "" {
				// post-sts-header-before: Sign sets the token itself.
				r.Header.Del("X-Amz-Security-Token")
				creds.SessionToken = tok
			}
			if err := sigv4.Sign(r, body, creds, scope.Region, scope.Service, exampleTime); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); got != want {
				t.Fatalf("Authorization\n got: %s\nwant: %s", got, want)
			}
		})
	}
}
