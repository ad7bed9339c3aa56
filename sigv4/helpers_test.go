package sigv4_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// The credentials and time of AWS's test suite and documentation examples.
const (
	exampleKeyID  = "AKIDEXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// keys is a CredentialSource over a fixed map.
type keys map[string]string

func (k keys) Secret(_ context.Context, id string) ([]byte, error) {
	s, ok := k[id]
	if !ok {
		return nil, sigv4.ErrUnknownAccessKey
	}
	return []byte(s), nil
}

var exampleKeys = keys{exampleKeyID: exampleSecret}

// fixedClock returns a Now that always answers t.
func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// parseRawRequest reads a request in the test suite's file format ("METHOD
// TARGET HTTP/1.1", "Name:value" lines, a blank line, the body) into the
// request a Go server would hand its handler: the raw target in
// RequestURI, Host lifted out of the header map. The target is kept
// verbatim, spaces and UTF-8 included, as the suite intends.
func parseRawRequest(t *testing.T, text string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(text, "\n\n")
	lines := strings.Split(head, "\n")
	first := lines[0]
	sp1 := strings.IndexByte(first, ' ')
	sp2 := strings.LastIndexByte(first, ' ')
	if sp1 < 0 || sp2 <= sp1 {
		t.Fatalf("bad request line %q", first)
	}
	method, target := first[:sp1], first[sp1+1:sp2]
	path, query, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:     method,
		RequestURI: target,
		URL:        &url.URL{Path: path, RawQuery: query},
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{},
		ContentLength: int64(len(body)),
	}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bad header line %q", line)
		}
		if strings.EqualFold(name, "Host") {
			r.Host = value
			continue
		}
		r.Header.Add(name, value)
	}
	if r.Header.Get("Content-Length") == "" {
		r.Header.Del("Content-Length")
	}
	return r, []byte(body)
}

// vector is one case of the published test data.
type vector struct {
	name, dir string
}

func (v vector) file(t *testing.T, ext string) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(v.dir, v.name+ext))
	if os.IsNotExist(err) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b), true
}

func (v vector) mustFile(t *testing.T, ext string) string {
	t.Helper()
	s, ok := v.file(t, ext)
	if !ok {
		t.Fatalf("%s%s missing", v.name, ext)
	}
	return s
}

// vectors lists every case under testdata (directories holding a .sreq).
func vectors(t *testing.T) []vector {
	t.Helper()
	var out []vector
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".sreq") {
			out = append(out, vector{name: strings.TrimSuffix(d.Name(), ".sreq"), dir: filepath.Dir(path)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 30 {
		t.Fatalf("found %d test vectors, want the whole suite", len(out))
	}
	return out
}

// scopeOf reads the credential scope out of an Authorization header value.
func scopeOf(t *testing.T, authz string) sigv4.Scope {
	t.Helper()
	r := &http.Request{Header: http.Header{"Authorization": {authz}}, URL: &url.URL{}}
	s, ok := sigv4.ParseCredentialScope(r)
	if !ok {
		t.Fatalf("no scope in %q", authz)
	}
	return s
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
