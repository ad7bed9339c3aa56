// Package authz decides whether an authenticated caller may make a
// request, the way AWS authorizes IAM and STS calls: it gathers the
// caller's policies from the store (a user's inline and attached policies,
// those of every group it is in, its permissions boundary), builds the
// request context AWS builds (aws:username, aws:PrincipalTag/*,
// aws:SourceIp, aws:RequestTag/*, aws:ResourceTag/*, iam:PolicyARN, ...),
// and asks policy.Evaluate.
//
// Authorize answers any request described as principal, action, resource
// and context keys, so that services outside IAM and STS can be authorized
// through the same code; AuthorizeCall derives that description from an
// IAM or STS operation and its decoded input, using AWS's Service
// Authorization Reference (package actions) for the resource types and
// condition keys of each action.
//
// # Caching and changes
//
// Compiled policies and the gathered policy sets are cached, and every
// cache entry carries the generation of its account at the moment its data
// was read. The server calls Changed(account) after every operation that
// can write (any action the reference does not list as List or Read), once
// the operation's transaction has committed; a cached entry whose
// generation is older than its account's is gathered again. Because the
// generation is read before the store is, and bumped only after the write
// commits, a request that starts after a change's response has been sent
// can never use data read before that change: changes take effect on the
// very next request. The counters live in the process: when several iamd
// servers share one database, the server also calls Changed for the
// changes the others commit, as the store reports them
// (store.ChangeWatcher), shortly after their commit.
package authz

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// Mode is how the server applies decisions.
type Mode int

// The enforcement modes.
const (
	// Enforce denies what the policies deny: AccessDenied (403).
	Enforce Mode = iota
	// Report decides every request, logs and counts each would-be denial
	// with its reason, and serves the request anyway, so that policies
	// can be adopted step by step.
	Report
	// Off decides nothing.
	Off
)

// ParseMode reads a mode as the --enforcement flag spells it.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "enforce":
		return Enforce, nil
	case "report":
		return Report, nil
	case "off":
		return Off, nil
	}
	return Enforce, fmt.Errorf("enforcement mode %q: want enforce, report or off", s)
}

// String returns the mode's flag spelling.
func (m Mode) String() string {
	switch m {
	case Report:
		return "report"
	case Off:
		return "off"
	}
	return "enforce"
}

// Options configure an Authorizer.
type Options struct {
	// CacheEntries bounds each cache (principals, targets, compiled
	// documents); 0 means DefaultCacheEntries. A negative value turns the
	// gathering cache off: every request reads the store (compiled
	// documents stay cached by content, which is always correct).
	CacheEntries int
	// ServiceLinkedRole names the role CreateServiceLinkedRole would
	// create for a service principal and custom suffix, so that the call
	// is authorized on that role's ARN. Without it the call is authorized
	// on the service's role path (role/aws-service-role/SERVICE/).
	ServiceLinkedRole func(service, suffix string) (name, path string, err error)
}

// DefaultCacheEntries bounds each cache unless Options say otherwise.
const DefaultCacheEntries = 10000

// Authorizer decides requests against the policies in one store. It is
// safe for concurrent use.
type Authorizer struct {
	store     store.Store
	opts      Options
	gens      generations
	cache     *cache
	counter   Counters
	contexts  sync.Pool // *policy.Context, see requestContext
	lastClock atomic.Pointer[clockStrings]
}

// New returns an Authorizer over the store.
func New(st store.Store, o Options) *Authorizer {
	if o.CacheEntries == 0 {
		o.CacheEntries = DefaultCacheEntries
	}
	return &Authorizer{store: st, opts: o, cache: newCache(o.CacheEntries)}
}

// Changed records that data of the account that authorization reads may
// have changed (a policy, an attachment, a membership, a boundary, a tag,
// a user, ...). Call it after the write has committed; the next request
// of the account gathers afresh.
func (a *Authorizer) Changed(account string) { a.gens.bump(account) }

// ChangedAll records that anything in the store may have changed (the
// emulator's reset).
func (a *Authorizer) ChangedAll() { a.gens.bumpAll() }

// Generation is an account's change count as the Authorizer sees it: it
// moves whenever Changed(account) or ChangedAll is called. Other caches of
// data read from the store (the server's access-key secrets) take it
// before they read and trust their copy only while it is unchanged, so that
// they are invalidated by the same signal as the policy cache.
type Generation struct{ s stamp }

// Generation returns the account's current generation.
func (a *Authorizer) Generation(account string) Generation {
	return Generation{a.gens.stamp(account)}
}

// Counters count decisions. Denied counts requests refused in Enforce
// mode, WouldDeny the denials Report mode let through; the server adds to
// them as it applies decisions.
type Counters struct {
	Allowed   atomic.Uint64
	Denied    atomic.Uint64
	WouldDeny atomic.Uint64
}

// Counters returns the Authorizer's decision counters.
func (a *Authorizer) Counters() *Counters { return &a.counter }

// Environment is what a request's context says about how it arrived.
type Environment struct {
	SourceIP        string // aws:SourceIp
	UserAgent       string // aws:UserAgent
	SecureTransport bool   // aws:SecureTransport
	Time            time.Time
	Region          string // aws:RequestedRegion
	// MFAAuthTime, when not zero, is an MFA authentication the request
	// itself made (AssumeRole's SerialNumber and TokenCode): it sets
	// aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge even for
	// long-term access keys, and takes precedence over the session's.
	MFAAuthTime time.Time
}

// Key is one request-specific condition key: a single value, or a set of
// values when Multi (aws:TagKeys).
type Key struct {
	Name   string
	Values []string
	Multi  bool
}

// Resource is what a request acts on.
type Resource struct {
	// ARN is what the policies' Resource elements are matched against,
	// or "*" for an action without resource-level permissions.
	ARN string
	// Display is the resource as AWS's AccessDenied message names it
	// ("user bob", "policy arn:...", "arn:aws:iam::...:user/"); ARN when
	// empty.
	Display string
	// Account owns the resource; "" means the principal's account.
	Account string
	// Tags are the resource's tags (aws:ResourceTag/*, and
	// iam:ResourceTag/* for IAM resources).
	Tags []store.Tag
	// Type is the reference's resource type ("user", "role", ...), or ""
	// for account-level actions.
	Type string
	// Unstated: the message names no resource, as AWS's STS messages for
	// actions without one read ("User: arn:aws:iam::261640479576:user/
	// misterbuttons is not authorized to perform: sts:GetAccessKeyInfo
	// because no identity-based policy allows the sts:GetAccessKeyInfo
	// action", pasted from the AWS CLI), where IAM's say "on resource: *".
	Unstated bool
}

// display returns the resource as messages name it.
func (r Resource) display() string {
	if r.Display != "" {
		return r.Display
	}
	return r.ARN
}

// Request is one authorization question: may the principal perform the
// action on the resource?
type Request struct {
	Principal   service.Principal
	Action      string // "iam:CreateUser"
	Resource    Resource
	Environment Environment
	// Keys are the request-specific context keys (aws:RequestTag/...,
	// iam:PolicyARN, ...); Authorize adds the principal's and the
	// environment's keys and the resource's tags.
	Keys []Key
	// ResourcePolicy is the resource's resource-based policy, if any
	// (IAM resources have none; other services' resources may).
	ResourcePolicy *policy.Policy
	ResourceKind   policy.ResourceKind
}

// PolicyRef names a policy that took part in a decision, for messages and
// logs: never a document, never a secret.
type PolicyRef struct {
	// Type is "inline", "managed", "boundary", "session" or "resource".
	Type string
	// Name is the policy's name (inline and managed policies).
	Name string
	// ARN is the managed policy's ARN (managed policies and boundaries).
	ARN string
	// Holder is the entity the policy belongs to or is attached to:
	// "user/bob", "group/dev", "role/app".
	Holder string
}

// String describes the policy for a log line.
func (p PolicyRef) String() string {
	var b strings.Builder
	b.WriteString(p.Type)
	if p.ARN != "" {
		b.WriteString(" " + p.ARN)
	} else if p.Name != "" {
		b.WriteString(" " + p.Name)
	}
	if p.Holder != "" {
		b.WriteString(" of " + p.Holder)
	}
	return b.String()
}

// Reason is a statement (or a policy type that allowed nothing) that
// decided a request, with the policy it belongs to.
type Reason struct {
	policy.Reason
	// Policy is the policy the statement is in; zero when the reason is
	// that no policy of a required type allowed.
	Policy PolicyRef
}

// Decision is the answer to a Request, explaining itself: the principal,
// the action, the resource, the effect and the statements that decided it.
type Decision struct {
	Effect    policy.Effect
	Reasons   []Reason
	Principal service.Principal
	Action    string
	Resource  Resource
	// Context is the complete request context the policies were
	// evaluated with (for the audit log and the authorization API); nil
	// for a decision no policy made (Note says why). It is the
	// decision's until Release.
	Context *policy.Context
	// Note explains a decision not made by policies: "root user",
	// "never denied", ....
	Note string

	pool *sync.Pool // where Release puts Context
}

// Allowed reports whether the request is allowed.
func (d *Decision) Allowed() bool { return d.Effect == policy.Allow }

// Release hands the decision's context back to its Authorizer for reuse
// by a later request, which saves building one per request. A caller that
// keeps the decision (or its Context) does not call it; after Release the
// decision's Context is nil.
func (d *Decision) Release() {
	if d.pool != nil && d.Context != nil {
		d.pool.Put(d.Context)
	}
	d.Context, d.pool = nil, nil
}

// Message is AWS's AccessDenied message for a denial, for example
// "User: arn:aws:iam::123456789012:user/bob is not authorized to perform:
// iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no
// identity-based policy allows the iam:CreateUser action". An explicit
// deny names the policy type and, for a managed policy or a boundary, the
// policy's ARN, as AWS's messages have since 2026 ("... with an explicit
// deny in a permissions boundary: arn:aws:iam::072054739058:policy/
// DeveloperBoundary", quoted in a workshop's expected output; AWS Security
// Blog, "Enhanced access denied error messages with policy ARNs"). The
// policy type phrases are the IAM User Guide's ("Troubleshoot access
// denied error messages").
func (d *Decision) Message() string {
	head := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s", d.Principal.ARN, d.Action, d.Resource.display())
	if d.Resource.Unstated {
		head = fmt.Sprintf("User: %s is not authorized to perform: %s", d.Principal.ARN, d.Action)
	}
	r, ok := d.primaryReason()
	switch {
	case d.Effect == policy.ExplicitDeny && ok:
		msg := head + " with an " + r.Reason.String()
		if r.Policy.ARN != "" {
			msg += ": " + r.Policy.ARN
		}
		return msg
	case d.Effect == policy.ExplicitDeny:
		return head + " with an explicit deny"
	case ok:
		return head + " because " + r.Reason.String() + " the " + d.Action + " action"
	}
	return head + " because no identity-based policy allows the " + d.Action + " action"
}

// primaryReason is the reason a message names: AWS names one policy type
// even when several denied.
func (d *Decision) primaryReason() (Reason, bool) {
	for _, r := range d.Reasons {
		if d.Effect == policy.ExplicitDeny && r.Effect == policy.ExplicitDeny {
			return r, true
		}
		if d.Effect == policy.ImplicitDeny && r.Statement < 0 {
			return r, true
		}
	}
	return Reason{}, false
}

// LogAttrs describe the decision for a log line: principal, action,
// resource, effect and what decided (the policy and statement, or that no
// policy of a required type allowed).
func (d *Decision) LogAttrs() []slog.Attr {
	attrs := []slog.Attr{
		slog.String("principal", d.Principal.ARN),
		slog.String("action", d.Action),
		slog.String("resource", d.Resource.ARN),
		slog.String("effect", d.Effect.String()),
	}
	if d.Note != "" {
		attrs = append(attrs, slog.String("note", d.Note))
	}
	for i, r := range d.Reasons {
		if d.Effect != policy.Allow && r.Effect == policy.Allow {
			continue
		}
		prefix := "reason"
		if i > 0 {
			prefix = fmt.Sprintf("reason%d", i)
		}
		attrs = append(attrs, slog.String(prefix, r.Reason.String()))
		if r.Statement >= 0 {
			attrs = append(attrs, slog.String(prefix+"_policy", r.Policy.String()), slog.Int(prefix+"_statement", r.Statement))
			if r.Sid != "" {
				attrs = append(attrs, slog.String(prefix+"_sid", r.Sid))
			}
		}
	}
	return attrs
}

// Error is a failure to decide (the store could not be read, a stored
// document no longer compiles). The server answers it as an internal
// failure: a request that cannot be decided is not served.
type Error struct {
	Principal string
	Action    string
	Err       error
}

func (e *Error) Error() string {
	return fmt.Sprintf("authorizing %s for %s: %v", e.Action, e.Principal, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// errNoSessions reports a session caller whose session the server did not
// describe: its permissions cannot be gathered.
var errNoSessions = errors.New("temporary security credentials without their session")

// Authorize decides a request: it gathers the principal's policies (cached
// by account generation), builds the context and evaluates. A root user in
// its own account is allowed without policies, as AWS allows it.
func (a *Authorizer) Authorize(ctx context.Context, req Request) (*Decision, error) {
	d := &Decision{Principal: req.Principal, Action: req.Action, Resource: req.Resource}
	if req.Resource.Account == "" {
		d.Resource.Account = req.Principal.AccountID
	}
	pp, err := a.principalState(ctx, req.Principal)
	if err != nil {
		return nil, &Error{Principal: req.Principal.ARN, Action: req.Action, Err: err}
	}
	a.decide(d, req, pp)
	return d, nil
}
