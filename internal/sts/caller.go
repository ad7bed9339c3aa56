package sts

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// timeLayout is how aws:CurrentTime and aws:TokenIssueTime are written.
const timeLayout = "2006-01-02T15:04:05Z"

// callerPolicies are the caller's own policies, as STS needs them to decide
// an AssumeRole across accounts (or one whose trust policy delegates to
// the caller's account): identity-based policies, boundary, session
// policies, and the caller's principal tags.
type callerPolicies struct {
	identity []*policy.Policy
	boundary *policy.Policy
	session  []*policy.Policy
	tags     []store.Tag
}

// gatherCaller reads the caller's policies in tx: an IAM user's inline and
// attached policies and its groups', its boundary and tags; for a role
// session the role's, plus the session policies, with the session tags
// over the role's tags; for a federated user its parent user's, plus the
// session policies. A user or role deleted meanwhile has none. Documents
// that no longer parse are skipped: they can allow nothing.
func gatherCaller(tx store.Tx, p service.Principal) (callerPolicies, error) {
	var cp callerPolicies
	acct := p.AccountID
	switch {
	case p.Type == service.AssumedRole && p.Session != nil:
		r, err := tx.GetRole(acct, p.Session.RoleName)
		if err == nil && r.ID == p.Session.RoleID {
			if err := gatherEntity(tx, acct, store.Entity{Kind: store.KindRole, Name: r.Name}, &cp); err != nil {
				return cp, err
			}
			if cp.boundary, err = managedPolicy(tx, acct, r.PermissionsBoundary, policy.Boundary); err != nil {
				return cp, err
			}
			if cp.tags, err = allTags(tx, store.ResourceRef{Account: acct, Kind: store.KindRole, ID: r.ID}); err != nil {
				return cp, err
			}
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return cp, err
		}
	case p.Type == service.User && !p.Emulated && p.UserID != "",
		p.Type == service.FederatedUser && p.Session != nil && p.Session.ParentName != "":
		name, id := p.Name, p.UserID
		if p.Type == service.FederatedUser {
			name, id = p.Session.ParentName, p.Session.ParentUserID
		}
		u, err := tx.GetUser(acct, name)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.ID != id) {
			break
		}
		if err != nil {
			return cp, err
		}
		if err := gatherEntity(tx, acct, store.Entity{Kind: store.KindUser, Name: u.Name}, &cp); err != nil {
			return cp, err
		}
		groups, err := listAll(func(o store.ListOptions) (store.Page[store.Group], error) {
			return tx.ListGroupsForUser(acct, u.Name, o)
		})
		if err != nil {
			return cp, err
		}
		for _, g := range groups {
			if err := gatherEntity(tx, acct, store.Entity{Kind: store.KindGroup, Name: g.Name}, &cp); err != nil {
				return cp, err
			}
		}
		if cp.boundary, err = managedPolicy(tx, acct, u.PermissionsBoundary, policy.Boundary); err != nil {
			return cp, err
		}
		if p.Type == service.User {
			if cp.tags, err = allTags(tx, store.ResourceRef{Account: acct, Kind: store.KindUser, ID: u.ID}); err != nil {
				return cp, err
			}
		}
	}
	if s := p.Session; s != nil && (p.Type == service.AssumedRole || p.Type == service.FederatedUser) {
		if s.Policy != "" {
			if sp, err := policy.Parse([]byte(s.Policy), policy.Session); err == nil {
				cp.session = append(cp.session, sp)
			}
		}
		for _, a := range s.PolicyARNs {
			sp, err := managedPolicy(tx, acct, a, policy.Session)
			if err != nil {
				return cp, err
			}
			if sp != nil {
				cp.session = append(cp.session, sp)
			}
		}
		cp.tags = overlayTags(cp.tags, s.Tags)
	}
	return cp, nil
}

// overlayTags gives session tags precedence over the role's (or user's)
// tags with the same key, compared without regard to case, as AWS does for
// aws:PrincipalTag.
func overlayTags(base []store.Tag, session []service.Tag) []store.Tag {
	var out []store.Tag
	for _, t := range base {
		overridden := false
		for _, s := range session {
			if strings.EqualFold(s.Key, t.Key) {
				overridden = true
				break
			}
		}
		if !overridden {
			out = append(out, t)
		}
	}
	for _, s := range session {
		out = append(out, store.Tag{Key: s.Key, Value: s.Value})
	}
	return out
}

// gatherEntity adds a user's, group's or role's inline policies and the
// default versions of its attached managed policies.
func gatherEntity(tx store.Tx, acct string, e store.Entity, cp *callerPolicies) error {
	inline, err := listAll(func(o store.ListOptions) (store.Page[store.InlinePolicy], error) {
		return tx.ListInlinePolicies(acct, e, o)
	})
	if err != nil {
		return err
	}
	for _, ip := range inline {
		if p, err := policy.Parse([]byte(ip.Document), policy.Identity); err == nil {
			cp.identity = append(cp.identity, p)
		}
	}
	attached, err := listAll(func(o store.ListOptions) (store.Page[store.AttachedPolicy], error) {
		return tx.ListAttachedPolicies(acct, e, store.PathListOptions{Marker: o.Marker, MaxItems: o.MaxItems})
	})
	if err != nil {
		return err
	}
	for _, ap := range attached {
		p, err := managedPolicy(tx, acct, ap.ARN, policy.Identity)
		if err != nil {
			return err
		}
		if p != nil {
			cp.identity = append(cp.identity, p)
		}
	}
	return nil
}

// managedPolicy returns the compiled default version of a managed policy
// (AWS managed or the account's own), or nil when arn is "" or names no
// policy.
func managedPolicy(tx store.Tx, acct, arn string, kind policy.Kind) (*policy.Policy, error) {
	if arn == "" {
		return nil, nil
	}
	var doc []byte
	if strings.Contains(arn, ":iam::aws:policy/") {
		mp, ok := managed.ByARN(awsPartitionARN(arn))
		if !ok {
			return nil, nil
		}
		doc = mp.Document
	} else {
		mp, err := tx.GetPolicy(acct, arn)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := tx.GetPolicyVersion(acct, arn, mp.DefaultVersion)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		doc = []byte(v.Document)
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		// A stored document that no longer parses allows nothing.
		return nil, nil
	}
	return p, nil
}

// awsPartitionARN rewrites an AWS managed policy ARN of any partition to
// the aws partition, where package managed keys them.
func awsPartitionARN(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return arn
	}
	_, after, ok := strings.Cut(rest, ":")
	if !ok {
		return arn
	}
	return "arn:aws:" + after
}

func allTags(tx store.Tx, ref store.ResourceRef) ([]store.Tag, error) {
	return listAll(func(o store.ListOptions) (store.Page[store.Tag], error) { return tx.ListTags(ref, o) })
}

// listAll reads every page of a list.
func listAll[T any](page func(store.ListOptions) (store.Page[T], error)) ([]T, error) {
	var out []T
	o := store.ListOptions{}
	for {
		p, err := page(o)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Marker == "" {
			return out, nil
		}
		o.Marker = p.Marker
	}
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

// principalType is aws:PrincipalType (IAM User Guide, "AWS global condition
// context keys").
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

// callerContext is the request context of an STS call made by the caller:
// the principal's keys, its session's keys, and the environment's.
// mfaTime, when not zero, is an MFA authentication made by this request
// (AssumeRole's SerialNumber and TokenCode), which sets
// aws:MultiFactorAuthPresent even for long-term credentials.
func callerContext(c *service.Call, tags []store.Tag, mfaTime time.Time) policy.Context {
	var ctx policy.Context
	p := c.Caller
	if p.Type != service.Anonymous {
		arn := p.ARN
		if p.Type == service.AssumedRole && p.Session != nil {
			arn = p.Session.RoleARN
		}
		ctx.Set("aws:PrincipalArn", arn)
		ctx.Set("aws:PrincipalAccount", p.AccountID)
		ctx.Set("aws:userid", p.UserID)
		if p.Type == service.User {
			ctx.Set("aws:username", p.Name)
		}
		for _, t := range tags {
			ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
		}
	}
	ctx.Set("aws:PrincipalType", principalType(p.Type))
	ctx.Set("aws:PrincipalIsAWSService", "false")
	ctx.Set("aws:ViaAWSService", "false")
	if c.SourceIP != "" {
		ctx.Set("aws:SourceIp", c.SourceIP)
	}
	if c.UserAgent != "" {
		ctx.Set("aws:UserAgent", c.UserAgent)
	}
	ctx.Set("aws:SecureTransport", "false")
	ctx.Set("aws:CurrentTime", c.Now.UTC().Format(timeLayout))
	ctx.Set("aws:EpochTime", strconv.FormatInt(c.Now.Unix(), 10))
	if c.Region != "" {
		ctx.Set("aws:RequestedRegion", c.Region)
	}
	s := p.Session
	if s != nil {
		ctx.Set("aws:TokenIssueTime", s.Issued.UTC().Format(timeLayout))
		if s.SourceIdentity != "" {
			ctx.Set("aws:SourceIdentity", s.SourceIdentity)
		}
		if s.FederatedProvider != "" {
			ctx.Set("aws:FederatedProvider", s.FederatedProvider)
		}
	}
	switch {
	case !mfaTime.IsZero():
		ctx.Set("aws:MultiFactorAuthPresent", "true")
		ctx.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(c.Now.Sub(mfaTime)/time.Second), 10))
	case s != nil && s.MFAAuthenticated:
		ctx.Set("aws:MultiFactorAuthPresent", "true")
		ctx.Set("aws:MultiFactorAuthAge", strconv.FormatInt(int64(c.Now.Sub(s.MFAAuthTime)/time.Second), 10))
	case s != nil:
		// Temporary credentials without MFA: present and false (IAM User
		// Guide, aws:MultiFactorAuthPresent); long-term keys leave it out.
		ctx.Set("aws:MultiFactorAuthPresent", "false")
	}
	return ctx
}

// describe names a caller for error messages and logs.
func describe(p service.Principal) string {
	if p.ARN != "" {
		return p.ARN
	}
	return fmt.Sprintf("anonymous caller of account %s", p.AccountID)
}
