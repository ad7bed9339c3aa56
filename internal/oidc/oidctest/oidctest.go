// Package oidctest runs a test OpenID Connect issuer: a certificate
// authority of its own, an HTTPS server on loopback serving the discovery
// document and the JWKS, and signing keys to make tokens with, including
// the malformed and forged tokens verification must refuse. It is for
// tests only.
package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// CA is a test certificate authority.
type CA struct {
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
}

// NewCA makes a certificate authority valid for a day around now.
func NewCA(t testing.TB, name string) *CA {
	t.Helper()
	key := ecKey(t, elliptic.P256())
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: name, Organization: []string{"iamd tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &CA{Cert: cert, Key: key}
}

// PEM is the CA's certificate in PEM.
func (ca *CA) PEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// WriteFile writes the CA's certificate to a PEM file in a temporary
// directory and returns its path.
func (ca *CA) WriteFile(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, ca.PEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// ServerCert issues a server certificate for 127.0.0.1, ::1 and localhost
// whose chain carries the CA's certificate, as servers send their top
// intermediate CA.
func (ca *CA) ServerCert(t testing.TB) tls.Certificate {
	t.Helper()
	key := ecKey(t, elliptic.P256())
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.Cert.Raw}, PrivateKey: key}
}

// Issuer is a test OpenID Connect issuer over HTTPS on loopback.
type Issuer struct {
	// URL is the issuer: https://127.0.0.1:PORT.
	URL string
	CA  *CA
	// RSA (key id RSAKeyID) and EC (key id ECKeyID, P-256) are the keys
	// the JWKS publishes.
	RSA      *rsa.PrivateKey
	RSAKeyID string
	EC       *ecdsa.PrivateKey
	ECKeyID  string

	srv       *httptest.Server
	mu        sync.Mutex
	published []jose.JSONWebKey
	discovery int
	jwks      int
	broken    bool
}

// NewIssuer starts an issuer whose certificate the CA issued; it stops at
// the end of the test.
func NewIssuer(t testing.TB, ca *CA) *Issuer {
	t.Helper()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{CA: ca, RSA: rsaKey, RSAKeyID: "rsa-1", EC: ecKey(t, elliptic.P256()), ECKeyID: "ec-1"}
	iss.published = []jose.JSONWebKey{
		{Key: &iss.RSA.PublicKey, KeyID: iss.RSAKeyID, Use: "sig", Algorithm: string(jose.RS256)},
		{Key: &iss.EC.PublicKey, KeyID: iss.ECKeyID, Use: "sig", Algorithm: string(jose.ES256)},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		iss.mu.Lock()
		iss.discovery++
		broken := iss.broken
		iss.mu.Unlock()
		if broken {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                iss.URL,
			"jwks_uri":                              iss.URL + "/keys",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
		})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, r *http.Request) {
		iss.mu.Lock()
		iss.jwks++
		set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), iss.published...)}
		iss.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(set)
	})
	iss.srv = httptest.NewUnstartedServer(mux)
	iss.srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.ServerCert(t)}}
	iss.srv.StartTLS()
	iss.URL = iss.srv.URL
	t.Cleanup(iss.srv.Close)
	return iss
}

// ID is the issuer's provider id in IAM: its URL without the scheme.
func (i *Issuer) ID() string { return i.URL[len("https://"):] }

// Requests returns how often the discovery document and the JWKS were
// fetched.
func (i *Issuer) Requests() (discovery, jwks int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.discovery, i.jwks
}

// Publish replaces the published JWKS (key rotation).
func (i *Issuer) Publish(keys ...jose.JSONWebKey) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = keys
}

// Break makes the discovery endpoint answer 503 (or serve again).
func (i *Issuer) Break(broken bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.broken = broken
}

// Claims are the claims of an ordinary ID token for sub and aud, issued
// now and valid for an hour.
func (i *Issuer) Claims(sub, aud string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": i.URL,
		"sub": sub,
		"aud": aud,
		"iat": now.Unix(),
		"exp": now.Add(time.Hour).Unix(),
	}
}

// Sign signs claims with the issuer's RSA key (RS256).
func (i *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return SignWith(t, jose.RS256, i.RSA, i.RSAKeyID, claims)
}

// SignEC signs claims with the issuer's EC key (ES256).
func (i *Issuer) SignEC(t testing.TB, claims map[string]any) string {
	t.Helper()
	return SignWith(t, jose.ES256, i.EC, i.ECKeyID, claims)
}

// SignWith signs claims with any key, algorithm and key id.
func SignWith(t testing.TB, alg jose.SignatureAlgorithm, key crypto.Signer, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Unsigned is a token with "alg": "none" and an empty signature.
func Unsigned(t testing.TB, kid string, claims map[string]any) string {
	t.Helper()
	return compact(t, map[string]any{"alg": "none", "typ": "JWT", "kid": kid}, claims, nil)
}

// HMAC is a token signed with HS256 under secret: given the PEM of the
// issuer's public key, the key-confusion forgery.
func HMAC(t testing.TB, secret []byte, kid string, claims map[string]any) string {
	t.Helper()
	return compact(t, map[string]any{"alg": "HS256", "typ": "JWT", "kid": kid}, claims, func(in []byte) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write(in)
		return m.Sum(nil)
	})
}

// PublicKeyPEM is the PEM of the issuer's RSA public key, as a forger
// would download it.
func (i *Issuer) PublicKeyPEM(t testing.TB) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&i.RSA.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func compact(t testing.TB, header, claims map[string]any, sign func([]byte) []byte) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	c, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	in := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(c)
	var sig []byte
	if sign != nil {
		sig = sign([]byte(in))
	}
	return in + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func ecKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
