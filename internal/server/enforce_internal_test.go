package server

import (
	"crypto/tls"
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/iamd/iamd/internal/service"
)

func TestClientAddress(t *testing.T) {
	t.Parallel()
	var proxies []netip.Prefix
	for _, s := range []string{"10.0.0.0/8", "2001:db8::1"} {
		p, err := ParseTrustedProxy(s)
		if err != nil {
			t.Fatal(err)
		}
		proxies = append(proxies, p)
	}
	s := &Server{proxies: proxies}
	for _, tc := range []struct {
		name       string
		remote     string
		xff        []string
		proto      string
		tls        bool
		wantIP     string
		wantSecure bool
	}{
		{"direct client", "192.0.2.7:5555", nil, "", false, "192.0.2.7", false},
		{"untrusted peer's header is ignored", "192.0.2.7:5555", []string{"203.0.113.9"}, "https", false, "192.0.2.7", false},
		{"trusted proxy", "10.1.2.3:443", []string{"203.0.113.9"}, "https", false, "203.0.113.9", true},
		{"spoofed left entries are skipped", "10.1.2.3:443", []string{"198.51.100.1, 203.0.113.9"}, "http", false, "203.0.113.9", false},
		{"proxy chain", "10.1.2.3:443", []string{"203.0.113.9, 10.9.9.9"}, "", false, "203.0.113.9", false},
		{"several headers", "10.1.2.3:443", []string{"203.0.113.9", "10.9.9.9"}, "", false, "203.0.113.9", false},
		{"garbage stops the walk", "10.1.2.3:443", []string{"203.0.113.9, not-an-ip"}, "", false, "10.1.2.3", false},
		{"only proxies", "10.1.2.3:443", []string{"10.4.4.4"}, "", false, "10.4.4.4", false},
		{"trusted IPv6 single address", "[2001:db8::1]:443", []string{"203.0.113.9"}, "", false, "203.0.113.9", false},
		{"IPv6 neighbour not trusted", "[2001:db8::2]:443", []string{"203.0.113.9"}, "", false, "2001:db8::2", false},
		{"TLS connection", "192.0.2.7:5555", nil, "", true, "192.0.2.7", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if tc.proto != "" {
				r.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			if tc.tls {
				r.TLS = &tls.ConnectionState{}
			}
			ip, secure := s.clientAddress(r)
			if ip != tc.wantIP || secure != tc.wantSecure {
				t.Fatalf("clientAddress = %s %v, want %s %v", ip, secure, tc.wantIP, tc.wantSecure)
			}
		})
	}
}

func TestParseTrustedProxy(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"10.0.0.0/8": "10.0.0.0/8", "10.1.2.3/8": "10.0.0.0/8", "192.0.2.1": "192.0.2.1/32", "::ffff:192.0.2.1": "192.0.2.1/32", "2001:db8::/32": "2001:db8::/32"} {
		p, err := ParseTrustedProxy(in)
		if err != nil || p.String() != want {
			t.Errorf("ParseTrustedProxy(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "example.com"} {
		if _, err := ParseTrustedProxy(bad); err == nil {
			t.Errorf("ParseTrustedProxy(%q) accepted", bad)
		}
	}
}

func TestSessionRestriction(t *testing.T) {
	t.Parallel()
	iamAPI, stsAPI := &API{Name: "iam"}, &API{Name: "sts"}
	for _, tc := range []struct {
		name   string
		api    *API
		caller service.Principal
		refuse bool
	}{
		{"long-term key", iamAPI, service.Principal{Type: service.User}, false},
		{"session token without MFA", iamAPI, service.Principal{Type: service.User, Session: &service.Session{}}, true},
		{"root session token without MFA", iamAPI, service.Principal{Type: service.Root, Session: &service.Session{}}, true},
		{"session token with MFA", iamAPI, service.Principal{Type: service.User, Session: &service.Session{MFAAuthenticated: true}}, false},
		{"federated user", iamAPI, service.Principal{Type: service.FederatedUser, Session: &service.Session{}}, true},
		{"role session", iamAPI, service.Principal{Type: service.AssumedRole, Session: &service.Session{}}, false},
		{"STS is not IAM", stsAPI, service.Principal{Type: service.FederatedUser, Session: &service.Session{}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := sessionRestriction(tc.api, &service.Call{Caller: tc.caller})
			if (err != nil) != tc.refuse {
				t.Fatalf("sessionRestriction = %v, want refusal %v", err, tc.refuse)
			}
		})
	}
}
