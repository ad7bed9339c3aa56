package authz

import (
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// TimeLayout is how aws:CurrentTime is written: ISO 8601 in UTC.
const TimeLayout = "2006-01-02T15:04:05Z"

// principalType is aws:PrincipalType for each kind of caller (IAM User
// Guide, "AWS global condition context keys": Account for the root user,
// User for an IAM user, AssumedRole, FederatedUser, Anonymous).
func principalType(t service.PrincipalType) string {
	switch t {
	case service.Root:
		return "Account"
	case service.User:
		return "User"
	case service.AssumedRole:
		return "AssumedRole"
	case service.FederatedUser:
		return "FederatedUser"
	}
	return "Anonymous"
}

// policyPrincipal describes the caller to the policy engine.
func policyPrincipal(p service.Principal) policy.Principal {
	out := policy.Principal{ARN: p.ARN, Account: p.AccountID}
	switch p.Type {
	case service.Root:
		out.Type = policy.Root
	case service.User:
		out.Type = policy.User
	case service.AssumedRole:
		out.Type = policy.AssumedRole
		if p.Session != nil {
			out.RoleARN = p.Session.RoleARN
		}
	case service.FederatedUser:
		out.Type = policy.FederatedUser
		if p.Session != nil {
			out.ParentARN = p.Session.ParentARN
		}
	default:
		out.Type = policy.Anonymous
	}
	return out
}

// contextBuilder sets keys into a Context and counts them, so that a
// reused Context can be checked to hold exactly the keys set (see
// Authorizer.requestContext). Every key set is distinct: tag lists are
// deduplicated without regard to case first.
type contextBuilder struct {
	c *policy.Context
	n int
}

func (b *contextBuilder) set(k, v string) { b.c.Set(k, v); b.n++ }

func (b *contextBuilder) setMulti(k string, v []string) { b.c.SetMulti(k, v); b.n++ }

// setTags sets prefix+key for each tag; of tags whose keys differ only in
// case (a context's keys are case-insensitive), the last wins.
func (b *contextBuilder) setTags(prefix string, tags []store.Tag) {
	for i, t := range tags {
		dup := false
		for _, later := range tags[i+1:] {
			dup = dup || strings.EqualFold(later.Key, t.Key)
		}
		if !dup {
			b.set(prefix+t.Key, t.Value)
		}
	}
}

// clockStrings are aws:CurrentTime and aws:EpochTime for one second,
// formatted once.
type clockStrings struct {
	sec            int64
	current, epoch string
}

func (a *Authorizer) clock(t time.Time) *clockStrings {
	sec := t.Unix()
	if c := a.lastClock.Load(); c != nil && c.sec == sec {
		return c
	}
	c := &clockStrings{sec: sec, current: t.UTC().Format(TimeLayout), epoch: strconv.FormatInt(sec, 10)}
	a.lastClock.Store(c)
	return c
}

// requestContext builds the request context as AWS does for a request of
// this principal: the principal's keys (aws:PrincipalArn, aws:userid,
// aws:username for users, aws:PrincipalTag/*), the environment's
// (aws:SourceIp, aws:UserAgent, aws:SecureTransport, aws:CurrentTime,
// aws:EpochTime, aws:RequestedRegion), the session's (aws:TokenIssueTime,
// aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge, aws:SourceIdentity,
// aws:FederatedProvider), the resource's tags and the request's own keys.
// aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge are absent for
// long-term access keys, as AWS leaves them out; temporary credentials
// made without MFA carry aws:MultiFactorAuthPresent "false" (IAM User
// Guide, "AWS global condition context keys").
//
// The context is built into one taken from a pool: a context last used
// for a request with the same keys (the same caller's next call of the
// same kind) is overwritten in place, without allocating. One that ends up
// holding a key this request did not set is dropped, and the context is
// built afresh.
func (a *Authorizer) requestContext(req Request, tags []store.Tag) *policy.Context {
	c, _ := a.contexts.Get().(*policy.Context)
	if c == nil {
		c = new(policy.Context)
	}
	b := contextBuilder{c: c}
	a.fillContext(&b, req, tags)
	if c.Len() != b.n {
		c = new(policy.Context)
		a.fillContext(&contextBuilder{c: c}, req, tags)
	}
	return c
}

func (a *Authorizer) fillContext(b *contextBuilder, req Request, tags []store.Tag) {
	p := req.Principal
	if p.Type != service.Anonymous {
		b.set("aws:PrincipalArn", principalARN(p))
		b.set("aws:PrincipalAccount", p.AccountID)
		b.set("aws:userid", p.UserID)
		if p.Type == service.User {
			b.set("aws:username", p.Name)
		}
		b.setTags("aws:PrincipalTag/", tags)
	}
	b.set("aws:PrincipalType", principalType(p.Type))
	b.set("aws:PrincipalIsAWSService", "false")
	b.set("aws:ViaAWSService", "false")
	env := req.Environment
	if env.SourceIP != "" {
		b.set("aws:SourceIp", env.SourceIP)
	}
	if env.UserAgent != "" {
		b.set("aws:UserAgent", env.UserAgent)
	}
	b.set("aws:SecureTransport", strconv.FormatBool(env.SecureTransport))
	if !env.Time.IsZero() {
		clk := a.clock(env.Time)
		b.set("aws:CurrentTime", clk.current)
		b.set("aws:EpochTime", clk.epoch)
	}
	if env.Region != "" {
		b.set("aws:RequestedRegion", env.Region)
	}
	if !env.MFAAuthTime.IsZero() {
		b.set("aws:MultiFactorAuthPresent", "true")
		if !env.Time.IsZero() {
			b.set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(env.Time.Sub(env.MFAAuthTime)/time.Second), 10))
		}
	}
	if sess := p.Session; sess != nil {
		b.set("aws:TokenIssueTime", sess.Issued.UTC().Format(TimeLayout))
		if env.MFAAuthTime.IsZero() {
			b.set("aws:MultiFactorAuthPresent", strconv.FormatBool(sess.MFAAuthenticated))
			if sess.MFAAuthenticated && !sess.MFAAuthTime.IsZero() && !env.Time.IsZero() {
				b.set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(env.Time.Sub(sess.MFAAuthTime)/time.Second), 10))
			}
		}
		if sess.SourceIdentity != "" {
			b.set("aws:SourceIdentity", sess.SourceIdentity)
		}
		if sess.FederatedProvider != "" {
			b.set("aws:FederatedProvider", sess.FederatedProvider)
		}
	}
	b.setTags("aws:ResourceTag/", req.Resource.Tags)
	if strings.Contains(req.Resource.ARN, ":iam:") {
		b.setTags("iam:ResourceTag/", req.Resource.Tags)
	}
	for i, k := range req.Keys {
		dup := false
		for _, later := range req.Keys[i+1:] {
			dup = dup || strings.EqualFold(later.Name, k.Name)
		}
		switch {
		case dup:
		case k.Multi:
			b.setMulti(k.Name, k.Values)
		case len(k.Values) > 0:
			b.set(k.Name, k.Values[0])
		}
	}
}

// principalARN is aws:PrincipalArn: the user's or root's ARN; for a role
// session, the role's ARN rather than the session's.
func principalARN(p service.Principal) string {
	if p.Type == service.AssumedRole && p.Session != nil && p.Session.RoleARN != "" {
		return p.Session.RoleARN
	}
	return p.ARN
}

// decide evaluates the request with the principal's policies and fills
// the decision.
func (a *Authorizer) decide(d *Decision, req Request, pp *principalPolicies) {
	ctx := a.requestContext(req, pp.tags)
	resourceAccount := req.Resource.Account
	if resourceAccount == req.Principal.AccountID {
		resourceAccount = ""
	}
	preq := policy.Request{
		Principal:       policyPrincipal(req.Principal),
		Action:          req.Action,
		Resource:        req.Resource.ARN,
		ResourceAccount: resourceAccount,
		ResourceKind:    req.ResourceKind,
		Context:         *ctx,
	}
	set := policy.PolicySet{Identity: pp.identity, Boundary: pp.boundary, Session: pp.session, Resource: req.ResourcePolicy}
	refs := setRefs{identity: pp.identityRefs, boundary: pp.boundaryRef, session: pp.sessionRefs, resource: PolicyRef{Type: "resource"}}
	dec := policy.Evaluate(preq, set)
	d.Effect = dec.Effect
	d.Reasons = make([]Reason, len(dec.Reasons))
	for i, r := range dec.Reasons {
		d.Reasons[i] = Reason{Reason: r, Policy: refs.ref(r)}
	}
	d.Context, d.pool = ctx, &a.contexts
	if req.Principal.Type == service.Root && d.Allowed() && resourceAccount == "" {
		d.Note = "the root user has full access in its own account"
	}
}
