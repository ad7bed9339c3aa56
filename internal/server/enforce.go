package server

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"reflect"
	"strings"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/actions"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/service"
)

// readOnlyActions lists, per API, the operations the Service Authorization
// Reference gives the List or Read access level: they never change what
// authorization reads, so they leave the account's generation alone.
// Every other operation, and any the reference does not know, is taken to
// write.
func readOnlyActions(apis []*API) map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(apis))
	for _, api := range apis {
		m := map[string]bool{}
		for op := range api.Operations {
			if a, ok := actions.Find(api.Name, op); ok && a.Access.ReadOnly() {
				m[op] = true
			}
		}
		out[api.Name] = m
	}
	return out
}

// decodeInput decodes and validates a request's parameters into the
// operation's input type, so that the request is authorized on its
// validated input before the operation runs (a ValidationError comes
// before AccessDenied). It returns nil when the API does not say the
// operation's input type.
func decodeInput(api *API, action string, decode func(dst any) error) (any, error) {
	t, ok := api.Inputs[action]
	if !ok || t == nil {
		return nil, nil
	}
	in := reflect.New(t).Interface()
	if err := decode(in); err != nil {
		return nil, err
	}
	return in, nil
}

// decodedOnce hands an operation the input decoded before authorization:
// the operation receives exactly what was authorized, and the parameters
// are decoded once. An operation asking for another type decodes afresh.
func decodedOnce(in any, decode func(dst any) error) func(dst any) error {
	return func(dst any) error {
		if in != nil && reflect.TypeOf(dst) == reflect.TypeOf(in) {
			reflect.ValueOf(dst).Elem().Set(reflect.ValueOf(in).Elem())
			return nil
		}
		return decode(dst)
	}
}

// authorize applies the enforcement mode to one decoded request: in
// enforce mode a denial is AWS's AccessDenied; in report mode it is logged
// and counted, and the request is served; in off mode nothing is decided.
// Emulator mode's requests within the no-auth budget are not authorized,
// as moto does not authorize them. Each denial's log line names the
// principal, the action, the resource and what denied (the policy and
// statement, or that no policy of a required type allowed); never a
// document or a secret.
func (s *Server) authorize(ctx context.Context, api *API, action string, in any, call *service.Call, secure bool) error {
	if s.mode == authz.Off || call.NoAuth {
		return nil
	}
	if err := sessionRestriction(api, call); err != nil {
		return err
	}
	d, err := s.authz.AuthorizeCall(ctx, authz.Call{Service: api.Name, Operation: action, Input: in, Call: call, SecureTransport: secure})
	if err != nil {
		if s.mode == authz.Report {
			// Report mode serves what it cannot decide, and says so.
			s.log.LogAttrs(ctx, slog.LevelError, "authorization failed (report mode: served)",
				slog.String("request_id", call.RequestID), slog.String("err", err.Error()))
			return nil
		}
		return err
	}
	defer d.Release()
	counters := s.authz.Counters()
	if d.Allowed() {
		counters.Allowed.Add(1)
		return nil
	}
	attrs := append([]slog.Attr{slog.String("request_id", call.RequestID)}, d.LogAttrs()...)
	if s.mode == authz.Report {
		counters.WouldDeny.Add(1)
		s.log.LogAttrs(ctx, slog.LevelWarn, "authorization would deny (report mode: served)", attrs...)
		return nil
	}
	counters.Denied.Add(1)
	s.log.LogAttrs(ctx, slog.LevelInfo, "authorization denied", attrs...)
	return &awsquery.Error{Code: "AccessDenied", Status: http.StatusForbidden, Sender: true, Message: d.Message()}
}

// sessionRestriction refuses IAM calls made with temporary credentials
// that AWS does not let call IAM at all: GetFederationToken's, and
// GetSessionToken's made without MFA (STS API Reference, GetSessionToken:
// "Cannot call IAM API operations unless MFA information is included";
// GetFederationToken: "You cannot use these credentials to call any IAM
// API operations"). AWS answers as for an unusable token, whatever the
// policies say ("temporary credentials from sts get-session-token cannot
// call IAM at all unless MFA was included ... InvalidClientTokenId,
// regardless of the user's permissions", a deployment's notes).
func sessionRestriction(api *API, call *service.Call) error {
	p := call.Caller
	if api.Name != "iam" || p.Session == nil {
		return nil
	}
	federated := p.Type == service.FederatedUser
	plainSessionToken := (p.Type == service.User || p.Type == service.Root) && !p.Session.MFAAuthenticated
	if federated || plainSessionToken {
		return &awsquery.Error{Code: "InvalidClientTokenId", Status: http.StatusForbidden, Sender: true,
			Message: "The security token included in the request is invalid"}
	}
	return nil
}

// clientAddress is a request's aws:SourceIp and aws:SecureTransport: the
// connection's, unless the connection comes from a configured trusted
// proxy, in which case X-Forwarded-For is read from the right, skipping
// trusted proxies, and X-Forwarded-Proto says whether the client used
// TLS. A header from any other peer is ignored, so that a client cannot
// choose its own source address.
func (s *Server) clientAddress(r *http.Request) (ip string, secure bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	secure = r.TLS != nil
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return host, secure
	}
	if proto := r.Header.Get("X-Forwarded-Proto"); proto != "" {
		first, _, _ := strings.Cut(proto, ",")
		secure = strings.EqualFold(strings.TrimSpace(first), "https")
	}
	client := peer.Unmap()
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			break
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	return client.String(), secure
}

// trusted reports whether an address is one of the configured proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrustedProxy reads a --trusted-proxy value: a CIDR prefix, or a
// single address.
func ParseTrustedProxy(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}
