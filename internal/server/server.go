// Package server composes iamd's layers into one http.Handler: body limits
// and parameter parsing (awsquery), routing to IAM or STS, SigV4
// authentication (sigv4), the operation (internal/iam, internal/sts) and the
// XML response or the one AWS error renderer. Anything unexpected becomes
// InternalFailure, logged under the request id.
package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

// MaxBodyBytes bounds a request body. The largest legitimate IAM input is a
// SAML metadata document (10,000,000 characters in the API model), so the
// bound sits just above it.
const MaxBodyBytes = 11 << 20

// API is one AWS service hosted by the server.
type API struct {
	Name       string // signing name: "iam", "sts"
	Version    string // Query API version: "2010-05-08", "2011-06-15"
	Model      *awsquery.Model
	Operations service.Table
	// Inputs gives each operation's generated input type, so that the
	// server decodes and authorizes a request before the operation runs.
	Inputs map[string]reflect.Type
	// Unsigned lists the actions AWS accepts without a signature
	// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML).
	Unsigned map[string]bool
}

// Options configure a Server.
type Options struct {
	Store    store.Store
	Keyring  *seal.Keyring
	APIs     []*API // the first is the default when nothing else routes
	Emulator bool
	Logger   *slog.Logger
	Now      func() time.Time
	// Authorizer decides requests; nil means one over Store with default
	// options.
	Authorizer *authz.Authorizer
	// Enforcement is how decisions are applied (the zero value enforces).
	Enforcement authz.Mode
	// TrustedProxies may set X-Forwarded-For and X-Forwarded-Proto.
	TrustedProxies []netip.Prefix
}

// Server is iamd's http.Handler.
type Server struct {
	store    store.Store
	keyring  *seal.Keyring
	apis     []*API
	emulator bool
	log      *slog.Logger
	now      func() time.Time
	noAuth   *noAuthBudget
	keyUses  *keyUses
	keys     *keyCache
	authz    *authz.Authorizer
	mode     authz.Mode
	proxies  []netip.Prefix
	readOnly map[string]map[string]bool
}

// New returns a Server over the given store and services.
func New(o Options) *Server {
	s := &Server{
		store:    o.Store,
		keyring:  o.Keyring,
		apis:     o.APIs,
		emulator: o.Emulator,
		log:      o.Logger,
		now:      o.Now,
		noAuth:   newNoAuthBudget(),
		keyUses:  newKeyUses(),
		keys:     newKeyCache(),
		authz:    o.Authorizer,
		mode:     o.Enforcement,
		proxies:  o.TrustedProxies,
		readOnly: readOnlyActions(o.APIs),
	}
	if s.authz == nil {
		s.authz = authz.New(o.Store, authz.Options{})
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.emulator && strings.HasPrefix(r.URL.Path, "/moto-api/") {
		s.serveMotoAPI(w, r)
		return
	}
	requestID := awsid.RequestID()
	api := s.apis[0]
	out, api, err := s.handle(r, requestID, api)
	if err != nil {
		s.writeError(w, api, err, requestID)
		return
	}
	var buf bytes.Buffer
	if err := api.Model.Encode(&buf, out.action, out.result, requestID); err != nil {
		s.writeError(w, api, fmt.Errorf("encoding %s response: %w", out.action, err), requestID)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-Requestid", requestID)
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

type result struct {
	action string
	result any
}

// handle runs the pipeline and returns the operation's result, or an error
// to render. The returned API is the one the request was routed to, so that
// errors carry that service's XML namespace.
func (s *Server) handle(r *http.Request, requestID string, api *API) (*result, *API, error) {
	if r.URL.Path != "/" {
		return nil, api, &awsquery.Error{Code: "InvalidAction", Status: http.StatusBadRequest, Sender: true,
			Message: fmt.Sprintf("The requested path %s is not served; send requests to /", r.URL.Path)}
	}
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		return nil, api, &awsquery.Error{Code: "InvalidHttpRequest", Status: http.StatusMethodNotAllowed, Sender: true,
			Message: "Only GET and POST requests are supported"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, api, &awsquery.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge, Sender: true,
				Message: fmt.Sprintf("Request body must not exceed %d bytes", MaxBodyBytes)}
		}
		return nil, api, &awsquery.Error{Code: "IncompleteBody", Status: http.StatusBadRequest, Sender: true,
			Message: "The request body could not be read"}
	}
	params, err := awsquery.ParseParams(r, body)
	if err != nil {
		return nil, api, err
	}
	action := params.Get("Action")
	scope, scoped := sigv4.ParseCredentialScope(r)
	api = s.route(scope.Service, scoped, params.Get("Version"), action)
	if action == "" {
		return nil, api, awsquery.MissingAction()
	}
	handler, ok := api.Operations[action]
	if !ok {
		return nil, api, awsquery.InvalidAction(action, api.Version)
	}

	sourceIP, secure := s.clientAddress(r)
	call := &service.Call{
		RequestID: requestID,
		Action:    action,
		Now:       s.now().UTC(),
		SourceIP:  sourceIP,
		UserAgent: r.UserAgent(),
		Emulator:  s.emulator,
		Region:    "us-east-1",
	}
	if err := s.authenticate(r, body, api, action, call); err != nil {
		return nil, api, err
	}
	call.Partition = arn.PartitionOf(call.Region)

	ctx := r.Context()
	decode := func(dst any) error { return api.Model.Decode(action, params, dst) }
	// Authorization comes after authentication and after the input is
	// decoded and validated, and before the operation runs.
	in, err := decodeInput(api, action, decode)
	if err != nil {
		return nil, api, err
	}
	if err := s.authorize(ctx, api, action, in, call, secure); err != nil {
		return nil, api, err
	}
	out, err := handler(ctx, call, decodedOnce(in, decode))
	if !s.readOnly[api.Name][action] {
		// The operation's transaction has committed (or failed): the
		// account's next request gathers its policies afresh.
		s.authz.Changed(call.AccountID)
	}
	if err != nil {
		return nil, api, err
	}
	return &result{action: action, result: out}, api, nil
}

// route picks the service: the credential scope's service when the request
// is signed, else the Version parameter, else the service that has the
// action.
func (s *Server) route(scopeService string, scoped bool, version, action string) *API {
	if scoped {
		for _, a := range s.apis {
			if a.Name == scopeService {
				return a
			}
		}
	}
	if version != "" {
		for _, a := range s.apis {
			if a.Version == version {
				return a
			}
		}
	}
	for _, a := range s.apis {
		if _, ok := a.Operations[action]; ok {
			return a
		}
	}
	return s.apis[0]
}

// writeError renders err as AWS's ErrorResponse. Wire errors pass through;
// anything else is an internal failure whose details stay in the log.
func (s *Server) writeError(w http.ResponseWriter, api *API, err error, requestID string) {
	var we *awsquery.Error
	if !errors.As(err, &we) {
		var se *sigv4.Error
		if errors.As(err, &se) {
			we = &awsquery.Error{Code: se.Code(), Status: se.Status(), Message: se.Message(), Sender: true}
		} else {
			s.log.Error("internal failure", "request_id", requestID, "err", err)
			we = &awsquery.Error{Code: "InternalFailure", Status: http.StatusInternalServerError,
				Message: "The request processing has failed because of an unknown error, exception or failure."}
		}
	}
	w.Header().Set("X-Amzn-Requestid", requestID)
	awsquery.WriteError(w, we, api.Model.Namespace(), requestID)
}

// reset wipes every account's state (emulator mode) and recreates the
// default account.
func (s *Server) reset(ctx context.Context) error {
	err := s.store.Update(ctx, func(tx store.Tx) error { return tx.Reset() })
	s.authz.ChangedAll()
	if err != nil {
		return err
	}
	return ensureEmulatorAccount(ctx, s.store, s.now())
}
