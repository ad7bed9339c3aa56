package oidc_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/iamd/iamd/internal/oidc"
	"github.com/iamd/iamd/internal/oidc/oidctest"
)

const clientID = "sts.amazonaws.com"

// fixture is one test issuer and a verifier that trusts its CA.
type fixture struct {
	iss  *oidctest.Issuer
	ca   *oidctest.CA
	pool *x509.CertPool
	p    oidc.Provider
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ca := oidctest.NewCA(t, "test issuer CA")
	iss := oidctest.NewIssuer(t, ca)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return &fixture{iss: iss, ca: ca, pool: pool,
		p: oidc.Provider{URL: iss.URL, ID: iss.ID(), ClientIDs: []string{"other-client", clientID}}}
}

func (f *fixture) verifier(now func() time.Time) *oidc.Verifier {
	return oidc.NewVerifier(oidc.Config{RootCAs: f.pool, Now: now})
}

func otherRSA(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// with returns the claims with changes applied; a nil value deletes.
func with(c map[string]any, changes map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range c {
		out[k] = v
	}
	for k, v := range changes {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func TestVerify(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.verifier(nil)
	now := time.Now()
	base := f.iss.Claims("system:serviceaccount:ns:app", clientID)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	valid := f.iss.Sign(t, base)
	parts := strings.Split(valid, ".")
	otherPayload := strings.Split(f.iss.Sign(t, with(base, map[string]any{"sub": "admin"})), ".")[1]

	tests := []struct {
		name     string
		token    string
		provider *oidc.Provider
		kind     oidc.Kind
		cause    error // nil: accepted
		message  string
	}{
		{name: "RS256", token: valid},
		{name: "ES256", token: f.iss.SignEC(t, base)},
		{name: "aud array holding a client id", token: f.iss.Sign(t, with(base, map[string]any{"aud": []string{"x", clientID}}))},
		{name: "expired within the clock skew", token: f.iss.Sign(t, with(base, map[string]any{"exp": now.Add(-20 * time.Second).Unix()}))},
		{name: "alg none", token: oidctest.Unsigned(t, f.iss.RSAKeyID, base), cause: oidc.ErrAlgorithm, message: oidc.MsgInvalid},
		{name: "HS256 keyed with the issuer's public key", token: oidctest.HMAC(t, f.iss.PublicKeyPEM(t), f.iss.RSAKeyID, base), cause: oidc.ErrAlgorithm},
		{name: "HS256 keyed with the JWK modulus", token: oidctest.HMAC(t, f.iss.RSA.PublicKey.N.Bytes(), f.iss.RSAKeyID, base), cause: oidc.ErrAlgorithm},
		{name: "signed by another key under the issuer's kid", token: oidctest.SignWith(t, jose.RS256, otherRSA(t), f.iss.RSAKeyID, base), cause: oidc.ErrSignature, message: oidc.MsgInvalid},
		{name: "payload swapped after signing", token: parts[0] + "." + otherPayload + "." + parts[2], cause: oidc.ErrSignature},
		{name: "unknown kid", token: oidctest.SignWith(t, jose.RS256, otherRSA(t), "rogue", base), cause: oidc.ErrNoKey, message: oidc.MsgNoKey},
		{name: "no kid", token: oidctest.SignWith(t, jose.RS256, f.iss.RSA, "", base), cause: oidc.ErrNoKey},
		{name: "RS256 under the EC key's kid", token: oidctest.SignWith(t, jose.RS256, f.iss.RSA, f.iss.ECKeyID, base), cause: oidc.ErrNoKey},
		{name: "ES384 under the P-256 key's kid", token: oidctest.SignWith(t, jose.ES384, p384, f.iss.ECKeyID, base), cause: oidc.ErrNoKey},
		{name: "expired", token: f.iss.Sign(t, with(base, map[string]any{"exp": now.Add(-time.Hour).Unix()})),
			kind: oidc.Expired, cause: oidc.ErrExpired, message: "Token expired: current date/time "},
		{name: "not valid yet", token: f.iss.Sign(t, with(base, map[string]any{"nbf": now.Add(time.Hour).Unix()})), cause: oidc.ErrNotYetValid},
		{name: "issued in the future", token: f.iss.Sign(t, with(base, map[string]any{"iat": now.Add(time.Hour).Unix()})), cause: oidc.ErrNotYetValid},
		{name: "wrong audience", token: f.iss.Sign(t, with(base, map[string]any{"aud": "someone-else"})), cause: oidc.ErrAudience, message: oidc.MsgAudience},
		{name: "no aud", token: f.iss.Sign(t, with(base, map[string]any{"aud": nil})), cause: oidc.ErrMissingClaim, message: "Missing a required claim: aud"},
		{name: "no exp", token: f.iss.Sign(t, with(base, map[string]any{"exp": nil})), cause: oidc.ErrMissingClaim, message: "Missing a required claim: exp"},
		{name: "no sub", token: f.iss.Sign(t, with(base, map[string]any{"sub": nil})), cause: oidc.ErrMissingClaim, message: "Missing a required claim: sub"},
		{name: "another issuer", token: f.iss.Sign(t, with(base, map[string]any{"iss": "https://elsewhere.example.com"})), cause: oidc.ErrIssuer},
		{name: "fractional exp", token: f.iss.Sign(t, with(base, map[string]any{"exp": float64(now.Add(time.Hour).Unix()) + 0.5})), cause: oidc.ErrMalformed},
		{name: "string exp", token: f.iss.Sign(t, with(base, map[string]any{"exp": "tomorrow"})), cause: oidc.ErrMalformed},
		{name: "not a JWT", token: "hello.world", cause: oidc.ErrMalformed},
		{name: "JWE-like five parts", token: "a.b.c.d.e", cause: oidc.ErrMalformed},
		{name: "Google azp is the audience", token: f.iss.Sign(t, with(base, map[string]any{"aud": "project", "azp": clientID})),
			provider: &oidc.Provider{URL: f.iss.URL, ID: "accounts.google.com", ClientIDs: []string{clientID}}},
		{name: "Google aud alone does not do when azp is set", token: f.iss.Sign(t, with(base, map[string]any{"aud": clientID, "azp": "app"})),
			provider: &oidc.Provider{URL: f.iss.URL, ID: "accounts.google.com", ClientIDs: []string{clientID}}, cause: oidc.ErrAudience},
		{name: "provider without client ids", token: valid, provider: &oidc.Provider{URL: f.iss.URL, ID: f.iss.ID()}, cause: oidc.ErrAudience},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := f.p
			if tc.provider != nil {
				p = *tc.provider
			}
			tok, err := v.Verify(context.Background(), p, tc.token, time.Now())
			if tc.cause == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if tok.Issuer != f.iss.URL || tok.Subject == "" || tok.Audience != clientID {
					t.Errorf("token = %+v", tok)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", tok)
			}
			var e *oidc.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not *oidc.Error", err, err)
			}
			if !errors.Is(err, tc.cause) {
				t.Errorf("cause = %v, want %v", e.Cause, tc.cause)
			}
			if e.Kind != tc.kind {
				t.Errorf("kind = %v, want %v", e.Kind, tc.kind)
			}
			if tc.message != "" && !strings.HasPrefix(e.Message, tc.message) {
				t.Errorf("message = %q, want prefix %q", e.Message, tc.message)
			}
		})
	}
}

func TestVerifyKeepsClaims(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	claims := with(f.iss.Claims("alice", clientID), map[string]any{
		"amr":                                    []string{"authenticated", "pwd"},
		"https://aws.amazon.com/tags":            map[string]any{"principal_tags": map[string]any{"team": []string{"blue"}}},
		"https://aws.amazon.com/source_identity": "alice",
	})
	tok, err := f.verifier(nil).Verify(context.Background(), f.p, f.iss.Sign(t, claims), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if tok.KeyID != f.iss.RSAKeyID || tok.Algorithm != "RS256" {
		t.Errorf("key %q alg %q", tok.KeyID, tok.Algorithm)
	}
	amr, ok := tok.Claims["amr"].([]any)
	if !ok || len(amr) != 2 || amr[1] != "pwd" {
		t.Errorf("amr = %#v", tok.Claims["amr"])
	}
	if tok.Expiry.IsZero() || tok.IssuedAt.IsZero() {
		t.Errorf("times: exp %v iat %v", tok.Expiry, tok.IssuedAt)
	}
}

func TestThumbprints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	leaf := func() string {
		// The server's own certificate, pinned (a self-signed provider's
		// case).
		return oidc.Thumbprint(mustParse(t, f.ca.ServerCert(t).Certificate[0]))
	}
	tests := []struct {
		name        string
		trusted     bool // the verifier trusts the test CA
		thumbprints []string
		want        error
	}{
		{name: "trusted chain, no thumbprints", trusted: true},
		{name: "trusted chain, wrong thumbprints ignored", trusted: true, thumbprints: []string{strings.Repeat("ab", 20)}},
		{name: "untrusted chain, CA thumbprint", thumbprints: []string{oidc.Thumbprint(f.ca.Cert)}},
		{name: "untrusted chain, CA thumbprint in upper case", thumbprints: []string{strings.ToUpper(oidc.Thumbprint(f.ca.Cert))}},
		{name: "untrusted chain, no thumbprints", want: oidc.ErrUntrustedCert},
		{name: "untrusted chain, wrong thumbprint", thumbprints: []string{strings.Repeat("0", 40)}, want: oidc.ErrUntrustedCert},
		{name: "untrusted chain, thumbprint of another leaf the CA issued", thumbprints: []string{leaf()}, want: oidc.ErrUntrustedCert},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			roots := x509.NewCertPool() // trusts nothing
			if tc.trusted {
				roots = f.pool
			}
			v := oidc.NewVerifier(oidc.Config{RootCAs: roots})
			p := f.p
			p.Thumbprints = tc.thumbprints
			_, err := v.Verify(context.Background(), p, f.iss.Sign(t, f.iss.Claims("alice", clientID)), time.Now())
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var e *oidc.Error
			if !errors.Is(err, tc.want) || !errors.As(err, &e) || e.Message != oidc.MsgThumbprint || e.Kind != oidc.Invalid {
				t.Fatalf("err = %v, want %v with AWS's thumbprint message", err, tc.want)
			}
		})
	}
}

func mustParse(t *testing.T, der []byte) *x509.Certificate {
	t.Helper()
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clock is a settable clock for the cache.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestKeyCache(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	clk := &clock{t: time.Now()}
	v := f.verifier(clk.now)
	ctx := context.Background()
	verify := func(token string) error {
		_, err := v.Verify(ctx, f.p, token, time.Now())
		return err
	}
	fetches := func() int { _, n := f.iss.Requests(); return n }
	claims := f.iss.Claims("alice", clientID)

	if err := verify(f.iss.Sign(t, claims)); err != nil {
		t.Fatal(err)
	}
	if err := verify(f.iss.SignEC(t, claims)); err != nil {
		t.Fatal(err)
	}
	if n := fetches(); n != 1 {
		t.Fatalf("JWKS fetched %d times for two tokens, want 1", n)
	}

	// Key rotation: a token under a new kid makes the verifier refetch,
	// but only once per refresh interval.
	rotated := otherRSA(t)
	f.iss.Publish(jose.JSONWebKey{Key: &rotated.PublicKey, KeyID: "rsa-2", Use: "sig"})
	newToken := oidctest.SignWith(t, jose.RS256, rotated, "rsa-2", claims)
	if err := verify(newToken); !errors.Is(err, oidc.ErrNoKey) {
		t.Fatalf("within the refresh interval: err = %v, want ErrNoKey", err)
	}
	if n := fetches(); n != 1 {
		t.Fatalf("refetched within the refresh interval (%d fetches)", n)
	}
	clk.add(oidc.DefaultRefreshInterval + time.Second)
	if err := verify(newToken); err != nil {
		t.Fatalf("after the refresh interval: %v", err)
	}
	if n := fetches(); n != 2 {
		t.Fatalf("%d fetches after rotation, want 2", n)
	}
	for range 5 {
		if err := verify(oidctest.SignWith(t, jose.RS256, rotated, "rogue", claims)); !errors.Is(err, oidc.ErrNoKey) {
			t.Fatalf("unknown kid: %v", err)
		}
	}
	if n := fetches(); n != 2 {
		t.Fatalf("a burst of unknown kids caused %d fetches, want none", n-2)
	}

	// The old key is gone from the JWKS, but the cache is fresh: it is no
	// longer published, so it no longer verifies.
	if err := verify(f.iss.Sign(t, claims)); !errors.Is(err, oidc.ErrNoKey) {
		t.Fatalf("retired key: %v", err)
	}

	// An unreachable issuer does not stop fresh cached keys from working.
	f.iss.Break(true)
	clk.add(oidc.DefaultRefreshInterval + time.Second)
	if err := verify(newToken); err != nil {
		t.Fatalf("cached key while the issuer is down: %v", err)
	}
	// After the TTL the keys are fetched again, and a failing issuer then
	// fails verification with AWS's message.
	clk.add(oidc.DefaultCacheTTL)
	var e *oidc.Error
	if err := verify(newToken); !errors.Is(err, oidc.ErrFetch) || !errors.As(err, &e) || e.Message != oidc.MsgNoKey {
		t.Fatalf("stale cache, issuer down: %v", err)
	}
	f.iss.Break(false)
	clk.add(oidc.DefaultRefreshInterval + time.Second)
	if err := verify(newToken); err != nil {
		t.Fatalf("issuer back: %v", err)
	}
}

func TestConcurrentVerifyFetchesOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	v := f.verifier(nil)
	token := f.iss.Sign(t, f.iss.Claims("alice", clientID))
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), f.p, token, time.Now()); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if d, j := f.iss.Requests(); d != 1 || j != 1 {
		t.Errorf("discovery fetched %d times, JWKS %d times; want 1 and 1", d, j)
	}
}

func TestUnreachableProvider(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	f := newFixture(t)
	p := oidc.Provider{URL: "https://" + addr, ID: addr, ClientIDs: []string{clientID}}
	claims := f.iss.Claims("alice", clientID)
	claims["iss"] = p.URL
	_, err = f.verifier(nil).Verify(context.Background(), p, f.iss.Sign(t, claims), time.Now())
	var e *oidc.Error
	if !errors.As(err, &e) || e.Kind != oidc.Unreachable || !errors.Is(err, oidc.ErrUnreachable) {
		t.Fatalf("err = %v, want an Unreachable *oidc.Error", err)
	}
}

func TestPeekIssuer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name  string
		token string
		want  string
		err   error
	}{
		{name: "signed token", token: f.iss.Sign(t, f.iss.Claims("a", clientID)), want: f.iss.URL},
		{name: "unsigned token still names its issuer", token: oidctest.Unsigned(t, "", map[string]any{"iss": "https://x"}), want: "https://x"},
		{name: "no iss", token: oidctest.Unsigned(t, "", map[string]any{"sub": "a"}), err: oidc.ErrMissingClaim},
		{name: "iss not a string", token: oidctest.Unsigned(t, "", map[string]any{"iss": 7}), err: oidc.ErrMalformed},
		{name: "two parts", token: "a.b", err: oidc.ErrMalformed},
		{name: "payload not base64url", token: "a.!!!.c", err: oidc.ErrMalformed},
		{name: "empty", token: "", err: oidc.ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := oidc.PeekIssuer(tc.token)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("PeekIssuer = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestLoadRoots(t *testing.T) {
	t.Parallel()
	ca := oidctest.NewCA(t, "extra")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string
		wantNil bool
		wantErr bool
	}{
		{name: "no file: system roots", file: "", wantNil: true},
		{name: "CA file", file: ca.WriteFile(t)},
		{name: "missing file", file: filepath.Join(dir, "missing.pem"), wantErr: true},
		{name: "file without certificates", file: empty, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pool, err := oidc.LoadRoots(tc.file)
			if tc.wantErr {
				if err == nil {
					t.Fatal("LoadRoots accepted the file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantNil {
				if pool != nil {
					t.Fatal("want nil pool")
				}
				return
			}
			leaf := mustParse(t, ca.ServerCert(t).Certificate[0])
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
				t.Fatalf("a certificate of the extra CA does not verify: %v", err)
			}
		})
	}
}

// BenchmarkVerify measures verifying a token whose issuer's keys are
// cached: what every AssumeRoleWithWebIdentity call costs once warm.
func BenchmarkVerify(b *testing.B) {
	ca := oidctest.NewCA(b, "bench CA")
	iss := oidctest.NewIssuer(b, ca)
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	v := oidc.NewVerifier(oidc.Config{RootCAs: pool})
	p := oidc.Provider{URL: iss.URL, ID: iss.ID(), ClientIDs: []string{clientID}}
	for _, bc := range []struct {
		name  string
		token string
	}{
		{"RS256", iss.Sign(b, iss.Claims("alice", clientID))},
		{"ES256", iss.SignEC(b, iss.Claims("alice", clientID))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			if _, err := v.Verify(ctx, p, bc.token, time.Now()); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(ctx, p, bc.token, time.Now()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzPeekIssuer feeds arbitrary tokens to the unverified issuer peek and
// to Verify's parsing: neither may panic, and Verify must refuse them
// (the fuzzer cannot forge the issuer's signature).
func FuzzPeekIssuer(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL3gifQ.")
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.c2ln")
	v := oidc.NewVerifier(oidc.Config{})
	p := oidc.Provider{URL: "https://127.0.0.1:1", ID: "127.0.0.1:1", ClientIDs: []string{clientID}}
	f.Fuzz(func(t *testing.T, token string) {
		_, _ = oidc.PeekIssuer(token)
		if strings.Count(token, ".") != 2 {
			// Only three-part tokens reach the network; keep the fuzzer
			// offline otherwise.
			if _, err := v.Verify(context.Background(), p, token, time.Now()); err == nil {
				t.Fatal("Verify accepted a fuzzed token")
			}
		}
	})
}
