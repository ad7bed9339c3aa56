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
func requestContext(req Request, tags []store.Tag) policy.Context {
	var c policy.Context
	p := req.Principal
	if p.Type != service.Anonymous {
		c.Set("aws:PrincipalArn", principalARN(p))
		c.Set("aws:PrincipalAccount", p.AccountID)
		c.Set("aws:userid", p.UserID)
		if p.Type == service.User {
			c.Set("aws:username", p.Name)
		}
		for _, t := range tags {
			c.Set("aws:PrincipalTag/"+t.Key, t.Value)
		}
	}
	c.Set("aws:PrincipalType", principalType(p.Type))
	c.Set("aws:PrincipalIsAWSService", "false")
	c.Set("aws:ViaAWSService", "false")
	env := req.Environment
	if env.SourceIP != "" {
		c.Set("aws:SourceIp", env.SourceIP)
	}
	if env.UserAgent != "" {
		c.Set("aws:UserAgent", env.UserAgent)
	}
	c.Set("aws:SecureTransport", strconv.FormatBool(env.SecureTransport))
	if !env.Time.IsZero() {
		c.Set("aws:CurrentTime", env.Time.UTC().Format(TimeLayout))
		c.Set("aws:EpochTime", strconv.FormatInt(env.Time.Unix(), 10))
	}
	if env.Region != "" {
		c.Set("aws:RequestedRegion", env.Region)
	}
	if sess := p.Session; sess != nil {
		c.Set("aws:TokenIssueTime", sess.Issued.UTC().Format(TimeLayout))
		c.Set("aws:MultiFactorAuthPresent", strconv.FormatBool(sess.MFAAuthenticated))
		if sess.MFAAuthenticated && !sess.MFAAuthTime.IsZero() && !env.Time.IsZero() {
			c.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(env.Time.Sub(sess.MFAAuthTime)/time.Second), 10))
		}
		if sess.SourceIdentity != "" {
			c.Set("aws:SourceIdentity", sess.SourceIdentity)
		}
		if sess.FederatedProvider != "" {
			c.Set("aws:FederatedProvider", sess.FederatedProvider)
		}
	}
	iamResource := strings.Contains(req.Resource.ARN, ":iam:")
	for _, t := range req.Resource.Tags {
		c.Set("aws:ResourceTag/"+t.Key, t.Value)
		if iamResource {
			c.Set("iam:ResourceTag/"+t.Key, t.Value)
		}
	}
	for _, k := range req.Keys {
		if k.Multi {
			c.SetMulti(k.Name, k.Values)
		} else if len(k.Values) > 0 {
			c.Set(k.Name, k.Values[0])
		}
	}
	return c
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
	ctx := requestContext(req, pp.tags)
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
		Context:         ctx,
	}
	set := policy.PolicySet{Identity: pp.identity, Boundary: pp.boundary, Session: pp.session, Resource: req.ResourcePolicy}
	refs := setRefs{identity: pp.identityRefs, boundary: pp.boundaryRef, session: pp.sessionRefs, resource: PolicyRef{Type: "resource"}}
	dec := policy.Evaluate(preq, set)
	d.Effect = dec.Effect
	d.Reasons = make([]Reason, len(dec.Reasons))
	for i, r := range dec.Reasons {
		d.Reasons[i] = Reason{Reason: r, Policy: refs.ref(r)}
	}
	d.Context = ctx
	if req.Principal.Type == service.Root && d.Allowed() && resourceAccount == "" {
		d.Note = "the root user has full access in its own account"
	}
}
