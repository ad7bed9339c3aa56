package imds_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/imds"
)

// fakeIssuer counts issuances and hands out numbered credentials that last
// an hour from the fake clock.
type fakeIssuer struct {
	mu    sync.Mutex
	now   time.Time
	count int
	fail  error
}

func (f *fakeIssuer) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeIssuer) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeIssuer) source(context.Context) (imds.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return imds.Credentials{}, f.fail
	}
	f.count++
	return imds.Credentials{
		RoleName:           "WebServer",
		AccessKeyID:        fmt.Sprintf("ASIAEXAMPLE%09d", f.count),
		SecretAccessKey:    "secret",
		Token:              "token",
		Expiration:         f.now.Add(time.Hour),
		InstanceProfileARN: "arn:aws:iam::123456789012:instance-profile/Web",
		InstanceProfileID:  "AIPAEXAMPLE",
	}, nil
}

func newServer(t *testing.T) (*fakeIssuer, *httptest.Server) {
	t.Helper()
	f := &fakeIssuer{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	ts := httptest.NewServer(imds.New(imds.Options{Source: f.source, Now: f.clock}))
	t.Cleanup(ts.Close)
	return f, ts
}

func do(t *testing.T, method, url string, headers map[string]string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func token(t *testing.T, url string, ttl string) string {
	t.Helper()
	status, body, h := do(t, http.MethodPut, url+"/latest/api/token", map[string]string{imds.TokenTTLHeader: ttl})
	if status != http.StatusOK || body == "" || h.Get(imds.TokenTTLHeader) != ttl {
		t.Fatalf("token: %d %q %v", status, body, h)
	}
	return body
}

func TestTokenRules(t *testing.T) {
	t.Parallel()
	_, ts := newServer(t)
	cases := []struct {
		name    string
		method  string
		headers map[string]string
		status  int
	}{
		{"one second", http.MethodPut, map[string]string{imds.TokenTTLHeader: "1"}, http.StatusOK},
		{"six hours", http.MethodPut, map[string]string{imds.TokenTTLHeader: "21600"}, http.StatusOK},
		{"no ttl", http.MethodPut, nil, http.StatusBadRequest},
		{"zero ttl", http.MethodPut, map[string]string{imds.TokenTTLHeader: "0"}, http.StatusBadRequest},
		{"ttl over six hours", http.MethodPut, map[string]string{imds.TokenTTLHeader: "21601"}, http.StatusBadRequest},
		{"ttl not a number", http.MethodPut, map[string]string{imds.TokenTTLHeader: "ten"}, http.StatusBadRequest},
		{"through a proxy", http.MethodPut, map[string]string{imds.TokenTTLHeader: "60", "X-Forwarded-For": "10.0.0.1"}, http.StatusForbidden},
		{"GET", http.MethodGet, map[string]string{imds.TokenTTLHeader: "60"}, http.StatusMethodNotAllowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, _, _ := do(t, c.method, ts.URL+"/latest/api/token", c.headers)
			if status != c.status {
				t.Fatalf("status %d, want %d", status, c.status)
			}
		})
	}
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	f, ts := newServer(t)
	tok := token(t, ts.URL, "21600")
	base := ts.URL + "/latest/meta-data/iam/security-credentials/"
	cases := []struct {
		name    string
		url     string
		headers map[string]string
		status  int
		body    string
	}{
		{"IMDSv1 list refused", base, nil, http.StatusUnauthorized, ""},
		{"IMDSv1 credentials refused", base + "WebServer", nil, http.StatusUnauthorized, ""},
		{"unknown token", base, map[string]string{imds.TokenHeader: "not-a-token"}, http.StatusUnauthorized, ""},
		{"role name", base, map[string]string{imds.TokenHeader: tok}, http.StatusOK, "WebServer"},
		{"other role", base + "Other", map[string]string{imds.TokenHeader: tok}, http.StatusNotFound, ""},
		{"other path", ts.URL + "/latest/meta-data/ami-id", map[string]string{imds.TokenHeader: tok}, http.StatusNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := do(t, http.MethodGet, c.url, c.headers)
			if status != c.status || (c.body != "" && body != c.body) {
				t.Fatalf("%d %q, want %d %q", status, body, c.status, c.body)
			}
		})
	}

	status, body, _ := do(t, http.MethodGet, base+"WebServer", map[string]string{imds.TokenHeader: tok})
	if status != http.StatusOK {
		t.Fatalf("credentials: %d %s", status, body)
	}
	var doc map[string]string
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("credentials are not JSON: %v\n%s", err, body)
	}
	want := map[string]string{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAEXAMPLE000000001", "SecretAccessKey": "secret",
		"Token": "token", "Expiration": "2026-05-01T13:00:00Z", "LastUpdated": "2026-05-01T12:00:00Z"}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %q, want %q", k, doc[k], v)
		}
	}
	_, info, _ := do(t, http.MethodGet, ts.URL+"/latest/meta-data/iam/info", map[string]string{imds.TokenHeader: tok})
	if !strings.Contains(info, `"InstanceProfileArn": "arn:aws:iam::123456789012:instance-profile/Web"`) {
		t.Fatalf("iam/info = %s", info)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.count != 1 {
		t.Fatalf("%d issuances for one set of credentials", f.count)
	}
}

// TestRefresh: credentials are handed out until five minutes before they
// expire, then renewed; a failed renewal keeps serving the old ones while
// they last, then answers 404.
func TestRefresh(t *testing.T) {
	t.Parallel()
	f, ts := newServer(t)
	tok := token(t, ts.URL, "21600")
	get := func() (int, string) {
		status, body, _ := do(t, http.MethodGet, ts.URL+"/latest/meta-data/iam/security-credentials/WebServer", map[string]string{imds.TokenHeader: tok})
		var doc map[string]string
		_ = json.Unmarshal([]byte(body), &doc)
		return status, doc["AccessKeyId"]
	}
	steps := []struct {
		name    string
		advance time.Duration
		fail    error
		status  int
		key     string
	}{
		{"first", 0, nil, http.StatusOK, "ASIAEXAMPLE000000001"},
		{"54 minutes later, same", 54 * time.Minute, nil, http.StatusOK, "ASIAEXAMPLE000000001"},
		{"within five minutes of expiry, renewed", 2 * time.Minute, nil, http.StatusOK, "ASIAEXAMPLE000000002"},
		{"renewal fails, old ones still valid", 56 * time.Minute, errors.New("store down"), http.StatusOK, "ASIAEXAMPLE000000002"},
		{"renewal fails, old ones expired", 5 * time.Minute, errors.New("store down"), http.StatusNotFound, ""},
		{"renewal works again", time.Minute, nil, http.StatusOK, "ASIAEXAMPLE000000003"},
	}
	for _, s := range steps {
		f.advance(s.advance)
		f.mu.Lock()
		f.fail = s.fail
		f.mu.Unlock()
		if status, key := get(); status != s.status || key != s.key {
			t.Fatalf("%s: %d %q, want %d %q", s.name, status, key, s.status, s.key)
		}
	}
}

func TestTokenExpires(t *testing.T) {
	t.Parallel()
	f, ts := newServer(t)
	tok := token(t, ts.URL, "60")
	url := ts.URL + "/latest/meta-data/iam/security-credentials/"
	if status, _, _ := do(t, http.MethodGet, url, map[string]string{imds.TokenHeader: tok}); status != http.StatusOK {
		t.Fatalf("fresh token refused: %d", status)
	}
	f.advance(time.Minute)
	if status, _, _ := do(t, http.MethodGet, url, map[string]string{imds.TokenHeader: tok}); status != http.StatusUnauthorized {
		t.Fatalf("expired token: %d, want 401", status)
	}
}
