package server_test

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// readSecret reads aws_secret_access_key from a shared credentials file.
func readSecret(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "aws_secret_access_key" {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("no secret in " + path)
	return ""
}

// dateShift sets the Date response header from a clock shifted by skew,
// as a server whose clock is off would send it.
func dateShift(h http.Handler, skew time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		h.ServeHTTP(w, r)
	})
}
