// Package oidc verifies OpenID Connect ID tokens (JWTs) the way AWS STS does
// for AssumeRoleWithWebIdentity: the token's issuer names an OpenID Connect
// provider registered in IAM; the signing keys come from the issuer's JWKS,
// found through <issuer>/.well-known/openid-configuration and fetched over
// HTTPS whose certificate chain is checked against trusted roots or, failing
// that, against the provider's thumbprints; the signature, the audience and
// the token's times are then checked.
//
// Only the asymmetric algorithms AWS documents for web identity tokens are
// accepted (RS256, RS384, RS512, ES256, ES384, ES512): never "none", never an
// HMAC, so a public key can never be used as an HMAC secret. Symmetric keys
// in a JWKS are ignored.
//
// A Verifier caches each issuer's keys (CacheTTL), refetches them when a
// token names a key id the cache does not hold, and fetches one issuer's keys
// at most once per RefreshInterval, so that a flood of tokens with unknown
// key ids cannot make iamd flood the identity provider.
package oidc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Algorithms are the signature algorithms AWS accepts in a web identity
// token (the WebIdentityToken parameter's documentation: RSA keys with
// RS256, RS384 or RS512, ECDSA keys with ES256, ES384 or ES512).
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// Defaults of Config.
const (
	DefaultCacheTTL        = time.Hour
	DefaultRefreshInterval = 30 * time.Second
	DefaultTimeout         = 10 * time.Second
	DefaultMaxBytes        = 1 << 20
	// ClockSkew is how far the token's exp, nbf and iat may be off from
	// iamd's clock: identity providers' clocks drift a little.
	ClockSkew = time.Minute
)

// Provider is an OpenID Connect provider as IAM registers it.
type Provider struct {
	// URL is the issuer, https://host[/path], exactly as tokens name it in
	// their iss claim.
	URL string
	// ID is the provider's identity in IAM: the URL without its scheme,
	// which prefixes the provider's condition keys ("host/path:sub").
	ID string
	// ClientIDs are the audiences the provider's tokens may be meant for.
	ClientIDs []string
	// Thumbprints are the hex SHA-1 fingerprints of certificates to trust
	// for the issuer's HTTPS endpoints when their chain does not lead to a
	// trusted root.
	Thumbprints []string
}

// Token is a verified ID token.
type Token struct {
	Issuer  string
	Subject string
	// Audience is the client id the token was accepted for: one of the
	// token's aud values, or for Google its azp, that is among the
	// provider's client ids.
	Audience string
	// Audiences are the token's aud values; AuthorizedParty its azp.
	Audiences       []string
	AuthorizedParty string
	Expiry          time.Time
	IssuedAt        time.Time // zero when the token has no iat
	NotBefore       time.Time // zero when the token has no nbf
	KeyID           string
	Algorithm       string
	// Claims are all the token's claims, numbers as json.Number.
	Claims map[string]any
}

// Kind says how STS reports a failure.
type Kind int

// The kinds of failure.
const (
	// Invalid is InvalidIdentityToken: the token cannot be accepted.
	Invalid Kind = iota
	// Expired is ExpiredTokenException: the token is past its exp.
	Expired
	// Unreachable is IDPCommunicationError: the identity provider could
	// not be reached to fetch its keys.
	Unreachable
)

// Error is a verification failure: Kind selects the AWS error code, Message
// is the text AWS answers with, and Cause (one of the Err... sentinels,
// possibly wrapped with details) says what exactly failed, for logs and
// tests.
type Error struct {
	Kind    Kind
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause == nil {
		return e.Message
	}
	return e.Message + " (" + e.Cause.Error() + ")"
}

func (e *Error) Unwrap() error { return e.Cause }

// The causes of a failure.
var (
	ErrMalformed     = errors.New("oidc: malformed token")
	ErrAlgorithm     = errors.New("oidc: signature algorithm not accepted")
	ErrNoKey         = errors.New("oidc: no verification key")
	ErrSignature     = errors.New("oidc: signature does not verify")
	ErrIssuer        = errors.New("oidc: issuer does not match the provider")
	ErrMissingClaim  = errors.New("oidc: missing required claim")
	ErrAudience      = errors.New("oidc: audience is not a client id of the provider")
	ErrExpired       = errors.New("oidc: token expired")
	ErrNotYetValid   = errors.New("oidc: token not valid yet")
	ErrFetch         = errors.New("oidc: fetching the provider's keys failed")
	ErrUnreachable   = errors.New("oidc: identity provider unreachable")
	ErrUntrustedCert = errors.New("oidc: provider certificate neither trusted nor matching a thumbprint")
)

// AWS's messages.
const (
	// MsgInvalid is the model's description of InvalidIdentityToken, used
	// where AWS's exact wording is not known.
	MsgInvalid = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."
	// MsgNoKey is AWS's answer when no key of the issuer's JWKS can be
	// found for the token (two spaces after the comma, as AWS writes it:
	// aws/amazon-eks-pod-identity-webhook#12).
	MsgNoKey = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"
	// MsgThumbprint is AWS's answer when the issuer's certificate matches
	// no thumbprint (aws-actions/configure-aws-credentials#357).
	MsgThumbprint = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
	// MsgAudience is AWS's answer to an aud that is no client id of the
	// provider (awslabs/amazon-eks-irsa-cfn#18).
	MsgAudience = "Incorrect token audience"
	// MsgUnreachable answers a provider that could not be reached.
	MsgUnreachable = "The identity provider could not be reached to fetch its verification keys. Retry the request."
)

func invalid(msg string, cause error) *Error {
	return &Error{Kind: Invalid, Message: msg, Cause: cause}
}

// missingClaim is AWS's answer to a token without a claim it requires
// ("Missing a required claim: aud", aws/aws-sdk-ruby#2698).
func missingClaim(name string) *Error {
	return invalid("Missing a required claim: "+name, fmt.Errorf("%w: %s", ErrMissingClaim, name))
}

// Config configures a Verifier. The zero value uses the system's roots and
// the defaults above.
type Config struct {
	// RootCAs are the certificate authorities trusted for the issuers'
	// HTTPS endpoints; nil means the system's (see LoadRoots).
	RootCAs *x509.CertPool
	// CacheTTL is how long fetched keys are used before they are fetched
	// again.
	CacheTTL time.Duration
	// RefreshInterval is the least time between two fetches of one
	// issuer's keys.
	RefreshInterval time.Duration
	// Timeout bounds one fetch of the discovery document and the JWKS.
	Timeout time.Duration
	// MaxBytes bounds each document fetched.
	MaxBytes int64
	// Now is the clock for certificate validity and the cache; nil means
	// time.Now. Token times are checked against the time Verify is given.
	Now func() time.Time
}

// Verifier verifies tokens and caches issuers' keys. It is safe for
// concurrent use.
type Verifier struct {
	cfg   Config
	mu    sync.Mutex
	cache map[cacheKey]*keySet
}

// NewVerifier returns a Verifier.
func NewVerifier(cfg Config) *Verifier {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg, cache: map[cacheKey]*keySet{}}
}

// PeekIssuer returns a token's iss claim without verifying anything, so
// that the caller can find the provider the token claims to come from. The
// value must not be trusted until Verify has accepted the token.
func PeekIssuer(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", invalid(MsgInvalid, fmt.Errorf("%w: %d parts", ErrMalformed, len(parts)))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", invalid(MsgInvalid, fmt.Errorf("%w: payload: %v", ErrMalformed, err))
	}
	var c struct {
		Iss *string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", invalid(MsgInvalid, fmt.Errorf("%w: claims: %v", ErrMalformed, err))
	}
	if c.Iss == nil || *c.Iss == "" {
		return "", missingClaim("iss")
	}
	return *c.Iss, nil
}

// Verify checks raw against the provider at time now and returns its
// claims. Errors are *Error values.
func (v *Verifier) Verify(ctx context.Context, p Provider, raw string, now time.Time) (*Token, error) {
	jws, err := jose.ParseSignedCompact(raw, Algorithms)
	if err != nil {
		return nil, parseError(raw, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid(MsgInvalid, fmt.Errorf("%w: %d signatures", ErrMalformed, len(jws.Signatures)))
	}
	h := jws.Signatures[0].Protected
	alg := jose.SignatureAlgorithm(h.Algorithm)
	keys, err := v.keysFor(ctx, p, h.KeyID)
	if err != nil {
		return nil, err
	}
	var payload []byte
	matched := false
	for _, k := range keys {
		if k.KeyID != h.KeyID || !suits(k, alg) {
			continue
		}
		matched = true
		if b, err := jws.Verify(k.Key); err == nil {
			payload = b
			break
		}
	}
	if !matched {
		return nil, invalid(MsgNoKey, fmt.Errorf("%w: no %s key with kid %q", ErrNoKey, alg, h.KeyID))
	}
	if payload == nil {
		return nil, invalid(MsgInvalid, ErrSignature)
	}
	tok, err := checkClaims(p, payload, now)
	if err != nil {
		return nil, err
	}
	tok.KeyID, tok.Algorithm = h.KeyID, h.Algorithm
	return tok, nil
}

// parseError classifies a token go-jose could not parse: an algorithm
// outside Algorithms (none, HS256...) or anything else malformed.
func parseError(raw string, err error) *Error {
	if head, _, ok := strings.Cut(raw, "."); ok {
		if b, derr := base64.RawURLEncoding.DecodeString(head); derr == nil {
			var h struct {
				Alg string `json:"alg"`
			}
			if json.Unmarshal(b, &h) == nil && h.Alg != "" && !accepted(h.Alg) {
				return invalid(MsgInvalid, fmt.Errorf("%w: %q", ErrAlgorithm, h.Alg))
			}
		}
	}
	return invalid(MsgInvalid, fmt.Errorf("%w: %v", ErrMalformed, err))
}

func accepted(alg string) bool {
	for _, a := range Algorithms {
		if string(a) == alg {
			return true
		}
	}
	return false
}

// suits reports whether a JWKS key may verify a signature of the
// algorithm: an RSA key for RS*, an ECDSA key on the algorithm's curve for
// ES*, a key meant for signatures (use absent or "sig") whose alg, if it
// names one, is the token's.
func suits(k jose.JSONWebKey, alg jose.SignatureAlgorithm) bool {
	if k.Use != "" && k.Use != "sig" {
		return false
	}
	if k.Algorithm != "" && k.Algorithm != string(alg) {
		return false
	}
	switch key := k.Key.(type) {
	case *rsa.PublicKey:
		return alg == jose.RS256 || alg == jose.RS384 || alg == jose.RS512
	case *ecdsa.PublicKey:
		switch alg {
		case jose.ES256:
			return key.Curve == elliptic.P256()
		case jose.ES384:
			return key.Curve == elliptic.P384()
		case jose.ES512:
			return key.Curve == elliptic.P521()
		}
	}
	return false
}

// checkClaims decodes the verified payload and applies STS's rules: iss is
// the provider's URL, exp is present and not past, nbf and iat are not in
// the future (ClockSkew allowed), aud (for Google, azp when present) names
// one of the provider's client ids, and sub is present.
func checkClaims(p Provider, payload []byte, now time.Time) (*Token, error) {
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, invalid(MsgInvalid, fmt.Errorf("%w: claims are not a JSON object", ErrMalformed))
	}
	tok := &Token{Claims: claims}
	iss, ok := claims["iss"].(string)
	if !ok || iss == "" {
		return nil, missingClaim("iss")
	}
	if iss != p.URL {
		return nil, invalid(MsgInvalid, fmt.Errorf("%w: %q is not %q", ErrIssuer, iss, p.URL))
	}
	tok.Issuer = iss

	exp, present, err := numericDate(claims, "exp")
	if err != nil {
		return nil, err
	}
	if !present {
		return nil, missingClaim("exp")
	}
	tok.Expiry = exp
	if !now.Before(exp.Add(ClockSkew)) {
		// AWS's wording (aws/aws-sdk-java-v2#5709).
		return nil, &Error{Kind: Expired, Cause: ErrExpired, Message: fmt.Sprintf(
			"Token expired: current date/time %d must be before the expiration date/time %d", now.Unix(), exp.Unix())}
	}
	if nbf, present, err := numericDate(claims, "nbf"); err != nil {
		return nil, err
	} else if present {
		tok.NotBefore = nbf
		if now.Add(ClockSkew).Before(nbf) {
			return nil, invalid(fmt.Sprintf("Token not valid yet: current date/time %d must not be before the not-before date/time %d",
				now.Unix(), nbf.Unix()), ErrNotYetValid)
		}
	}
	if iat, present, err := numericDate(claims, "iat"); err != nil {
		return nil, err
	} else if present {
		tok.IssuedAt = iat
		if now.Add(ClockSkew).Before(iat) {
			return nil, invalid(fmt.Sprintf("Token issued in the future: current date/time %d must not be before the issue date/time %d",
				now.Unix(), iat.Unix()), ErrNotYetValid)
		}
	}

	auds, err := audiences(claims["aud"])
	if err != nil {
		return nil, err
	}
	if len(auds) == 0 {
		return nil, missingClaim("aud")
	}
	tok.Audiences = auds
	if azp, ok := claims["azp"].(string); ok {
		tok.AuthorizedParty = azp
	}
	// Google's hybrid apps carry the app's client id in azp and the
	// project's in aud; AWS then matches azp (IAM User Guide, "Available
	// keys for OIDC federation", aud).
	candidates := auds
	if p.ID == "accounts.google.com" && tok.AuthorizedParty != "" {
		candidates = []string{tok.AuthorizedParty}
	}
	for _, a := range candidates {
		for _, id := range p.ClientIDs {
			if a == id {
				tok.Audience = a
				break
			}
		}
		if tok.Audience != "" {
			break
		}
	}
	if tok.Audience == "" {
		return nil, invalid(MsgAudience, fmt.Errorf("%w: %q", ErrAudience, candidates))
	}

	sub, ok := claims["sub"].(string)
	if !ok || sub == "" {
		return nil, missingClaim("sub")
	}
	tok.Subject = sub
	return tok, nil
}

// numericDate reads a NumericDate claim. AWS requires integers ("Timestamps
// in the token must be formatted as either an integer or a long integer").
func numericDate(claims map[string]any, name string) (time.Time, bool, error) {
	raw, ok := claims[name]
	if !ok || raw == nil {
		return time.Time{}, false, nil
	}
	n, ok := raw.(json.Number)
	if !ok {
		return time.Time{}, false, invalid(MsgInvalid, fmt.Errorf("%w: %s is not a number", ErrMalformed, name))
	}
	secs, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil || secs < 0 || secs > math.MaxInt64/int64(time.Second) {
		return time.Time{}, false, invalid(MsgInvalid, fmt.Errorf("%w: %s is not an integer date", ErrMalformed, name))
	}
	return time.Unix(secs, 0).UTC(), true, nil
}

// audiences reads aud: a string or an array of strings.
func audiences(raw any) ([]string, error) {
	switch a := raw.(type) {
	case nil:
		return nil, nil
	case string:
		if a == "" {
			return nil, nil
		}
		return []string{a}, nil
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				return nil, invalid(MsgInvalid, fmt.Errorf("%w: aud holds a non-string", ErrMalformed))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, invalid(MsgInvalid, fmt.Errorf("%w: aud is neither a string nor an array", ErrMalformed))
}
