package oidc

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// ExtraCAFileEnv names the environment variable whose file (PEM
// certificates) adds trusted roots for identity providers' HTTPS endpoints:
// for tests (a test issuer on loopback) and for enterprises whose identity
// provider uses a private CA without listing thumbprints.
const ExtraCAFileEnv = "IAMD_EXTRA_CA_FILE"

// LoadRoots returns the system's trusted roots plus the PEM certificates in
// file; with file "" it returns nil, which means the system's roots. A file
// that cannot be read or holds no certificate is an error: a typo must not
// silently fall back to the system's roots.
func LoadRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("extra CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	n := 0
	for rest := b; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("extra CA file %s: %w", file, err)
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("extra CA file %s: no PEM certificate", file)
	}
	return pool, nil
}

// cacheKey names one issuer's keys as fetched under one thumbprint list:
// keys fetched while trusting other thumbprints are not reused.
type cacheKey struct {
	issuer      string
	thumbprints string
}

// keySet is the cached JWKS of an issuer. mu is held while fetching, so
// that concurrent verifications of one issuer wait for a single fetch.
type keySet struct {
	mu        sync.Mutex
	keys      []jose.JSONWebKey
	fetched   time.Time // last successful fetch
	attempted time.Time // last fetch, successful or not
	err       error     // the last fetch's error
}

// keysFor returns the provider's keys, fetching them when the cache holds
// none, holds stale ones, or holds none with the token's key id; but never
// more often than RefreshInterval.
func (v *Verifier) keysFor(ctx context.Context, p Provider, kid string) ([]jose.JSONWebKey, error) {
	thumbs := make([]string, len(p.Thumbprints))
	for i, t := range p.Thumbprints {
		thumbs[i] = strings.ToLower(t)
	}
	slices.Sort(thumbs)
	key := cacheKey{issuer: p.URL, thumbprints: strings.Join(thumbs, ",")}
	v.mu.Lock()
	ks := v.cache[key]
	if ks == nil {
		ks = &keySet{}
		v.cache[key] = ks
	}
	v.mu.Unlock()

	ks.mu.Lock()
	defer ks.mu.Unlock()
	now := v.cfg.Now()
	fresh := ks.keys != nil && now.Sub(ks.fetched) < v.cfg.CacheTTL
	if fresh && hasKeyID(ks.keys, kid) {
		return ks.keys, nil
	}
	if !ks.attempted.IsZero() && now.Sub(ks.attempted) < v.cfg.RefreshInterval {
		if ks.keys != nil {
			return ks.keys, nil
		}
		return nil, ks.err
	}
	ks.attempted = now
	keys, err := v.fetch(ctx, p.URL, thumbs)
	if err != nil {
		ks.err = err
		if fresh {
			return ks.keys, nil
		}
		return nil, err
	}
	ks.keys, ks.fetched, ks.err = keys, now, nil
	return keys, nil
}

func hasKeyID(keys []jose.JSONWebKey, kid string) bool {
	for _, k := range keys {
		if k.KeyID == kid {
			return true
		}
	}
	return false
}

// fetch reads the issuer's discovery document and then its JWKS.
func (v *Verifier) fetch(ctx context.Context, issuer string, thumbprints []string) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(ctx, v.cfg.Timeout)
	defer cancel()
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: v.cfg.Timeout}).DialContext,
		TLSHandshakeTimeout:   v.cfg.Timeout,
		ResponseHeaderTimeout: v.cfg.Timeout,
		ForceAttemptHTTP2:     true,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			// The chain is verified by verifyPeer, which falls back to the
			// provider's thumbprints as AWS does; Go's own verification
			// would refuse before the fallback could apply.
			InsecureSkipVerify: true,
			VerifyConnection: func(cs tls.ConnectionState) error {
				return v.verifyPeer(cs, thumbprints)
			},
		},
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "https" {
				return fmt.Errorf("redirect to %s is not https", req.URL.Scheme)
			}
			return nil
		},
	}
	var disc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, client, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration", &disc); err != nil {
		return nil, err
	}
	u, err := url.Parse(disc.JWKSURI)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return nil, invalid(MsgNoKey, fmt.Errorf("%w: jwks_uri %q is not an https URL", ErrFetch, disc.JWKSURI))
	}
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := v.getJSON(ctx, client, disc.JWKSURI, &set); err != nil {
		return nil, err
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil {
			continue // a key of a kind iamd does not use
		}
		switch k.Key.(type) {
		case []byte:
			continue // symmetric keys never verify a web identity token
		}
		if !k.IsPublic() {
			k = k.Public()
		}
		if !k.Valid() {
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, invalid(MsgNoKey, fmt.Errorf("%w: the JWKS at %s holds no usable public key", ErrFetch, disc.JWKSURI))
	}
	return keys, nil
}

// getJSON fetches one document. A failure to connect is Unreachable;
// a certificate that is neither trusted nor pinned is Invalid with AWS's
// thumbprint message; any other failure (status, size, JSON) is Invalid
// with AWS's "Couldn't retrieve verification key" message.
func (v *Verifier) getJSON(ctx context.Context, client *http.Client, target string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return invalid(MsgNoKey, fmt.Errorf("%w: %v", ErrFetch, err))
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, ErrUntrustedCert) {
			return invalid(MsgThumbprint, fmt.Errorf("%s: %w", target, ErrUntrustedCert))
		}
		var ue *url.Error
		if errors.As(err, &ue) && strings.Contains(ue.Err.Error(), "redirect") {
			return invalid(MsgNoKey, fmt.Errorf("%w: %v", ErrFetch, err))
		}
		return &Error{Kind: Unreachable, Message: MsgUnreachable, Cause: fmt.Errorf("%w: %v", ErrUnreachable, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return invalid(MsgNoKey, fmt.Errorf("%w: %s answered %s", ErrFetch, target, resp.Status))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, v.cfg.MaxBytes+1))
	if err != nil {
		return &Error{Kind: Unreachable, Message: MsgUnreachable, Cause: fmt.Errorf("%w: reading %s: %v", ErrUnreachable, target, err)}
	}
	if int64(len(body)) > v.cfg.MaxBytes {
		return invalid(MsgNoKey, fmt.Errorf("%w: %s is larger than %d bytes", ErrFetch, target, v.cfg.MaxBytes))
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return invalid(MsgNoKey, fmt.Errorf("%w: %s: %v", ErrFetch, target, err))
	}
	return nil
}

// verifyPeer checks an identity provider's certificate chain as AWS does
// (IAM User Guide, "Obtain the thumbprint for an OpenID Connect identity
// provider"): a chain to a trusted root CA is accepted whatever the
// provider's thumbprints; otherwise the chain must lead, with valid
// signatures and for the host name, to a certificate the server presented
// whose SHA-1 thumbprint the provider lists (normally the top intermediate
// CA; the server's own certificate for a self-signed one). Checking the
// chain, not just the presence of a certificate with that thumbprint,
// keeps a server from presenting a pinned CA certificate it holds no key
// of.
func (v *Verifier) verifyPeer(cs tls.ConnectionState, thumbprints []string) error {
	if len(cs.PeerCertificates) == 0 {
		return fmt.Errorf("%w: no certificate", ErrUntrustedCert)
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{
		DNSName:       cs.ServerName,
		Roots:         v.cfg.RootCAs,
		Intermediates: inter,
		CurrentTime:   v.cfg.Now(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if _, err := leaf.Verify(opts); err == nil {
		return nil
	}
	pinned := x509.NewCertPool()
	n := 0
	for _, c := range cs.PeerCertificates {
		sum := sha1.Sum(c.Raw)
		if slices.Contains(thumbprints, hex.EncodeToString(sum[:])) {
			pinned.AddCert(c)
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrUntrustedCert, cs.ServerName)
	}
	opts.Roots = pinned
	if _, err := leaf.Verify(opts); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrUntrustedCert, cs.ServerName, err)
	}
	return nil
}

// Thumbprint is the thumbprint IAM keeps for a certificate: the hex SHA-1
// of its DER encoding.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return hex.EncodeToString(sum[:])
}
