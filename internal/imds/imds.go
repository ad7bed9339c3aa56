// Package imds serves the credential endpoints of the EC2 instance metadata
// service (IMDSv2), so that any AWS SDK's default credential chain running
// on a developer machine or a CI runner picks up a role's temporary
// credentials unchanged, exactly as on an EC2 instance whose instance
// profile holds that role: point AWS_EC2_METADATA_SERVICE_ENDPOINT at the
// listener and the SDK does the rest.
//
// Only what the SDKs' instance-role providers use is served, following the
// EC2 User Guide ("Use the Instance Metadata Service to access instance
// metadata", "Retrieve security credentials from instance metadata"):
//
//	PUT /latest/api/token                          a session token (IMDSv2)
//	GET /latest/meta-data/iam/security-credentials/       the role's name
//	GET /latest/meta-data/iam/security-credentials/ROLE   its credentials
//	GET /latest/meta-data/iam/info                 the instance profile
//
// IMDSv1 (a GET without a session token) is refused with 401, as on an
// instance whose metadata options require tokens. Credentials are issued
// by a Source and handed out until shortly before they expire, then
// renewed, as EC2 renews them.
package imds

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Header names of IMDSv2.
const (
	TokenHeader    = "X-Aws-Ec2-Metadata-Token"
	TokenTTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
)

// Limits of IMDSv2 session tokens: 1 second to 6 hours.
const (
	MinTokenTTL = 1
	MaxTokenTTL = 21600
)

// RefreshBefore is how long before their expiration credentials are
// replaced: EC2 makes new credentials available at least five minutes
// before the old ones expire, and the SDKs refresh within that margin.
const RefreshBefore = 5 * time.Minute

// Credentials are one set of role credentials and what the metadata
// service says about their instance profile.
type Credentials struct {
	RoleName        string
	AccessKeyID     string
	SecretAccessKey string
	Token           string
	Expiration      time.Time
	// InstanceProfileARN and InstanceProfileID are served by
	// /latest/meta-data/iam/info.
	InstanceProfileARN string
	InstanceProfileID  string
}

// Source issues new credentials for the instance profile's role.
type Source func(ctx context.Context) (Credentials, error)

// Options configure a Server.
type Options struct {
	Source Source
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Server is the metadata service's http.Handler. It is safe for concurrent
// use.
type Server struct {
	source Source
	now    func() time.Time
	log    *slog.Logger

	mu     sync.Mutex
	creds  Credentials
	issued time.Time // when creds were fetched (LastUpdated)
	// tokens maps the SHA-256 of each live session token to its expiry:
	// a lookup by hash reveals nothing about the token through timing.
	tokens map[[32]byte]time.Time
}

// New returns a metadata server.
func New(o Options) *Server {
	s := &Server{source: o.Source, now: o.Now, log: o.Logger, tokens: map[[32]byte]time.Time{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// ServeHTTP answers one metadata request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/latest/api/token" {
		s.serveToken(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if !s.validToken(r.Header.Get(TokenHeader)) {
		// IMDSv1 is off: every read needs a live session token.
		plain(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	const prefix = "/latest/meta-data/iam/security-credentials/"
	switch p := r.URL.Path; {
	case p == "/latest/meta-data/iam/info":
		c, at, err := s.current(r.Context())
		if err != nil {
			s.unavailable(w, err)
			return
		}
		writeJSON(w, map[string]string{
			"Code":               "Success",
			"LastUpdated":        at.UTC().Format(time.RFC3339),
			"InstanceProfileArn": c.InstanceProfileARN,
			"InstanceProfileId":  c.InstanceProfileID,
		})
	case p == prefix || p == strings.TrimSuffix(prefix, "/"):
		c, _, err := s.current(r.Context())
		if err != nil {
			s.unavailable(w, err)
			return
		}
		plain(w, http.StatusOK, c.RoleName)
	case strings.HasPrefix(p, prefix):
		c, at, err := s.current(r.Context())
		if err != nil {
			s.unavailable(w, err)
			return
		}
		if strings.TrimSuffix(strings.TrimPrefix(p, prefix), "/") != c.RoleName {
			plain(w, http.StatusNotFound, "Not Found")
			return
		}
		// The document EC2 serves (EC2 User Guide, "Retrieve security
		// credentials from instance metadata"), field for field.
		writeJSON(w, credentialsDocument{
			Code:            "Success",
			LastUpdated:     at.UTC().Format(time.RFC3339),
			Type:            "AWS-HMAC",
			AccessKeyID:     c.AccessKeyID,
			SecretAccessKey: c.SecretAccessKey,
			Token:           c.Token,
			Expiration:      c.Expiration.UTC().Format(time.RFC3339),
		})
	default:
		plain(w, http.StatusNotFound, "Not Found")
	}
}

// credentialsDocument is /latest/meta-data/iam/security-credentials/ROLE.
type credentialsDocument struct {
	Code            string `json:"Code"`
	LastUpdated     string `json:"LastUpdated"`
	Type            string `json:"Type"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
}

// serveToken is PUT /latest/api/token: a new session token for
// X-aws-ec2-metadata-token-ttl-seconds seconds (1–21600). As on EC2, a
// request that went through a proxy (X-Forwarded-For) gets no token, so
// that a misconfigured proxy cannot be used to read credentials.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPut {
		w.Header().Set("Allow", "PUT")
		plain(w, http.StatusMethodNotAllowed, "Method Not Allowed")
		return
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		plain(w, http.StatusForbidden, "Forbidden")
		return
	}
	ttl, err := strconv.Atoi(strings.TrimSpace(r.Header.Get(TokenTTLHeader)))
	if err != nil || ttl < MinTokenTTL || ttl > MaxTokenTTL {
		plain(w, http.StatusBadRequest, "Bad Request")
		return
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	tok := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	s.mu.Lock()
	s.sweep(now)
	s.tokens[sha256.Sum256([]byte(tok))] = now.Add(time.Duration(ttl) * time.Second)
	s.mu.Unlock()
	w.Header().Set(TokenTTLHeader, strconv.Itoa(ttl))
	plain(w, http.StatusOK, tok)
}

// maxTokens bounds the live session tokens kept; beyond it the oldest
// expiry is dropped first, so that a client minting tokens in a loop
// cannot grow the map without limit.
const maxTokens = 10000

// sweep forgets expired tokens and, past maxTokens, the ones closest to
// expiry. It runs with s.mu held.
func (s *Server) sweep(now time.Time) {
	for t, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	for len(s.tokens) >= maxTokens {
		var oldest [32]byte
		var at time.Time
		for t, exp := range s.tokens {
			if at.IsZero() || exp.Before(at) {
				oldest, at = t, exp
			}
		}
		delete(s.tokens, oldest)
	}
}

// validToken reports whether a session token is live.
func (s *Server) validToken(tok string) bool {
	if tok == "" {
		return false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[sha256.Sum256([]byte(tok))]
	return ok && now.Before(exp)
}

// current returns the credentials to hand out, fetching new ones when
// there are none yet or the ones held expire within RefreshBefore.
func (s *Server) current(ctx context.Context) (Credentials, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.creds.AccessKeyID != "" && now.Before(s.creds.Expiration.Add(-RefreshBefore)) {
		return s.creds, s.issued, nil
	}
	c, err := s.source(ctx)
	if err != nil {
		// Old credentials that have not yet expired still serve.
		if s.creds.AccessKeyID != "" && now.Before(s.creds.Expiration) {
			s.log.Warn("imds: renewing credentials failed; serving the current ones", "err", err)
			return s.creds, s.issued, nil
		}
		return Credentials{}, time.Time{}, err
	}
	if c.AccessKeyID == "" || c.RoleName == "" {
		return Credentials{}, time.Time{}, errors.New("imds: the credential source returned no credentials")
	}
	s.creds, s.issued = c, now
	s.log.Info("imds: credentials issued", "role", c.RoleName, "access_key_id", c.AccessKeyID, "expiration", c.Expiration.UTC())
	return c, now, nil
}

// unavailable answers a request whose credentials cannot be issued: the
// reason goes to the log, the client gets 404 as EC2 answers for an
// instance without a usable role.
func (s *Server) unavailable(w http.ResponseWriter, err error) {
	s.log.Error("imds: no credentials to serve", "err", err)
	plain(w, http.StatusNotFound, "Not Found")
}

func plain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = fmt.Fprint(w, body)
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		plain(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}
