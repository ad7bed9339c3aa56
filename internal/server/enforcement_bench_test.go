package server_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

const benchAccount = "210987654321"

// benchPolicy is one of the ten policies the benchmark user has: a few
// statements on other services and, in the last one, the grant the
// benchmarked GetUser needs, so that evaluation looks through all ten.
func benchPolicy(i int) string {
	grant := fmt.Sprintf(`{"Sid":"S3Read%d","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::bucket-%d","arn:aws:s3:::bucket-%d/*"]},`+
		`{"Sid":"Ec2Describe%d","Effect":"Allow","Action":"ec2:Describe*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},`+
		`{"Sid":"DenyDelete%d","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}`, i, i, i, i, i)
	if i == 9 {
		grant += `,{"Sid":"ReadOwnUser","Effect":"Allow","Action":["iam:GetUser","iam:ListAccessKeys"],"Resource":"arn:aws:iam::*:user/${aws:username}"}`
	}
	return `{"Version":"2012-10-17","Statement":[` + grant + `]}`
}

// benchServer returns a handler over a fresh store holding a user with ten
// attached customer managed policies, and a signed GetUser request of
// that user (the handler verifies its signature on every request).
func benchServer(b *testing.B, opts func(st store.Store) server.Options) (http.Handler, *http.Request, []byte) {
	b.Helper()
	st, kr, err := server.OpenData(b.TempDir(), false)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	now := time.Now().UTC()
	var keyID, secret string
	err = st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateAccount(store.Account{ID: benchAccount, Created: now}); err != nil {
			return err
		}
		if err := tx.CreateUser(store.User{Account: benchAccount, ID: "AIDABENCHUSER0000001", Name: "bench", Path: "/", Created: now}); err != nil {
			return err
		}
		for i := 0; i < 10; i++ {
			name := fmt.Sprintf("policy-%d", i)
			arn := "arn:aws:iam::" + benchAccount + ":policy/" + name
			p := store.Policy{Account: benchAccount, ID: fmt.Sprintf("ANPABENCHPOLICY%05d", i), Name: name, Path: "/", ARN: arn, Created: now, Updated: now, DefaultVersion: "v1"}
			if err := tx.CreatePolicy(p, benchPolicy(i)); err != nil {
				return err
			}
			if err := tx.AttachPolicy(benchAccount, store.Entity{Kind: store.KindUser, Name: "bench"}, store.AttachedPolicy{ARN: arn, Name: name, Path: "/"}); err != nil {
				return err
			}
		}
		k, s, err := iam.NewAccessKey(tx, kr, benchAccount, "bench", now)
		keyID, secret = k.ID, s
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	o := opts(st)
	o.Store, o.Keyring, o.APIs = st, kr, server.DefaultAPIs(st, kr)
	h := server.New(o)
	body := []byte(url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"bench"}}.Encode())
	r, err := http.NewRequest(http.MethodPost, "http://iamd.test/", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(r, body, sigv4.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}, "us-east-1", "iam", now); err != nil {
		b.Fatal(err)
	}
	r.RemoteAddr = "192.0.2.10:40000"
	// One request outside the timer: it must succeed (and, with
	// enforcement, warms the caches as any first request does).
	if w := serveOnce(h, r, body); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<UserName>bench</UserName>") {
		b.Fatalf("GetUser: %d %s", w.Code, w.Body.String())
	}
	return h, r, body
}

func serveOnce(h http.Handler, r *http.Request, body []byte) *httptest.ResponseRecorder {
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// BenchmarkEnforcement serves authenticated GetUser requests of a user
// with ten attached policies through the real handler (body parsing,
// SigV4 verification against the store, decoding, authorization, the
// operation's store read, XML encoding), with authorization off, enforced
// (gathered policies cached per account generation), and enforced with
// the gathering cache off (every request reads the user's policies from
// the store; compiled documents stay cached by content). Compare the
// ns/op of "off" and "enforce": enforcement must cost under 10% of
// throughput.
//
//	go test -run '^$' -bench Enforcement -benchtime 3s -count 5 ./internal/server
func BenchmarkEnforcement(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts func(st store.Store) server.Options
	}{
		{"off", func(store.Store) server.Options { return server.Options{Enforcement: authz.Off} }},
		{"enforce", func(store.Store) server.Options { return server.Options{Enforcement: authz.Enforce} }},
		{"enforce-uncached", func(st store.Store) server.Options {
			return server.Options{Enforcement: authz.Enforce, Authorizer: authz.New(st, authz.Options{CacheEntries: -1})}
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h, r, body := benchServer(b, bc.opts)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if w := serveOnce(h, r, body); w.Code != http.StatusOK {
					b.Fatalf("GetUser: %d %s", w.Code, w.Body.String())
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkEnforcementOverhead measures enforcement's cost on a shared,
// noisy machine: it alternates one request to a server with authorization
// off and one to a server enforcing it (which goes first alternates too),
// so that both see the same load and the same garbage collections, and
// reports enforcement's extra time as a percentage of the unenforced
// request's ("overhead-%"; throughput falls by overhead/(100+overhead)).
//
//	go test -run '^$' -bench EnforcementOverhead -benchtime 20000x -count 5 ./internal/server
func BenchmarkEnforcementOverhead(b *testing.B) {
	offH, offR, body := benchServer(b, func(store.Store) server.Options { return server.Options{Enforcement: authz.Off} })
	onH, onR, _ := benchServer(b, func(store.Store) server.Options { return server.Options{Enforcement: authz.Enforce} })
	var off, on time.Duration
	b.ResetTimer()
	timed := func(h http.Handler, r *http.Request) time.Duration {
		t0 := time.Now()
		if w := serveOnce(h, r, body); w.Code != http.StatusOK {
			b.Fatalf("GetUser: %d %s", w.Code, w.Body.String())
		}
		return time.Since(t0)
	}
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			off += timed(offH, offR)
			on += timed(onH, onR)
		} else {
			on += timed(onH, onR)
			off += timed(offH, offR)
		}
	}
	b.ReportMetric(float64(off.Nanoseconds())/float64(b.N), "off-ns/req")
	b.ReportMetric(float64(on.Nanoseconds())/float64(b.N), "enforce-ns/req")
	b.ReportMetric(100*float64(on-off)/float64(off), "overhead-%")
}
