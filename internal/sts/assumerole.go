package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

var _ = family(func(s *Service, t service.Table) {
	t["AssumeRole"] = service.Op(s.assumeRole)
})

// assumeRole is AssumeRole: the caller (an IAM user or a role session;
// never root, never a federated user or GetSessionToken session without a
// role) asks for a session of a role whose trust policy allows it.
func (s *Service) assumeRole(ctx context.Context, c *service.Call, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	p := c.Caller
	switch {
	case p.Type == service.Root && !c.NoAuth:
		// AWS refuses root credentials outright (AssumeRole API reference;
		// the answer as tools print it, e.g. kubeflow/testing#961).
		return nil, wireError("AccessDenied", "Roles may not be assumed by root accounts.")
	case p.Type == service.FederatedUser && !c.NoAuth:
		// GetFederationToken credentials may call no STS operation but
		// GetCallerIdentity (GetFederationToken API reference).
		return nil, notAuthorized(p.ARN, "sts:AssumeRole", in.RoleArn)
	}
	ref, err := parseRoleARN(in.RoleArn)
	if err != nil {
		return nil, err
	}
	if in.SourceIdentity != nil && strings.HasPrefix(strings.ToLower(*in.SourceIdentity), "aws:") {
		return nil, awsquery.ValidationError("Source identity cannot begin with the reserved prefix 'aws:'.")
	}
	// The role and the MFA code are read first, and the caller authorized
	// outside any transaction (the Authorizer reads the store in its own,
	// as the server's authorization of every other call does); the
	// session is then issued for the role that was authorized, unchanged.
	var role store.Role
	var mfa *mfaCheck
	emulated := false
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		role, err = roleForARN(c, tx, ref)
		if errors.Is(err, errNoRole) {
			// Emulator mode with authentication off: any role ARN, in any
			// account, can be assumed; the account comes into being
			// (docs/emulator.md).
			if !(c.Emulator && c.NoAuth) {
				return notAuthorized(describe(p), "sts:AssumeRole", in.RoleArn)
			}
			emulated = true
		} else if err != nil {
			return err
		}
		mfa, err = s.checkMFA(c, tx, in.SerialNumber, in.TokenCode)
		return err
	})
	if err != nil {
		return nil, err
	}
	authorized := !emulated && !c.NoAuth
	if authorized {
		if err := s.authorizeAssumeRole(ctx, c, role, ref, in, mfa); err != nil {
			return nil, err
		}
	}
	var out *stsapi.AssumeRoleResponse
	err = s.store.Update(ctx, func(tx store.Tx) error {
		out = nil
		if emulated {
			if _, err := tx.EnsureAccount(store.Account{ID: ref.Account, Created: c.Now}); err != nil {
				return err
			}
		} else {
			now, err := roleForARN(c, tx, ref)
			if errors.Is(err, errNoRole) || err == nil && authorized && (now.ID != role.ID || now.AssumeRolePolicy != role.AssumeRolePolicy) {
				// Deleted or its trust policy changed meanwhile: the
				// decision was not about this role.
				return notAuthorized(describe(p), "sts:AssumeRole", in.RoleArn)
			}
			if err != nil {
				return err
			}
			role = now
		}
		if err := s.spendMFA(tx, mfa); err != nil {
			return err
		}
		spec := RoleSessionSpec{
			Role:              role,
			SessionName:       in.RoleSessionName,
			DurationSeconds:   in.DurationSeconds,
			Policy:            in.Policy,
			PolicyArns:        in.PolicyArns,
			Tags:              in.Tags,
			TransitiveTagKeys: in.TransitiveTagKeys,
			SourceIdentity:    str(in.SourceIdentity),
			Parent:            p.Session,
			Chained:           p.Session != nil,
		}
		if mfa != nil {
			spec.MFAAuthTime = mfa.at
		} else if p.Session != nil && p.Session.MFAAuthenticated {
			spec.MFAAuthTime = p.Session.MFAAuthTime
		}
		creds, user, packed, err := s.issueRoleSession(c, tx, spec)
		if err != nil {
			return err
		}
		out = &stsapi.AssumeRoleResponse{Credentials: creds, AssumedRoleUser: user}
		if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
			out.PackedPolicySize = &packed
		}
		if si := sourceIdentityOf(spec); si != "" {
			out.SourceIdentity = &si
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// sourceIdentityOf is the source identity the new session carries.
func sourceIdentityOf(spec RoleSessionSpec) string {
	if spec.Parent != nil && spec.Parent.SourceIdentity != "" {
		return spec.Parent.SourceIdentity
	}
	return spec.SourceIdentity
}

// authorizeAssumeRole asks the role's trust policy, together with the
// caller's own policies, whether the caller may assume the role with what
// the request carries: sts:AssumeRole always, sts:TagSession when session
// tags are passed or inherited, sts:SetSourceIdentity when a source
// identity is set or carried on (IAM User Guide, "Permissions required to
// add session tags" and "Permissions required to set source identity"; a
// carried-on source identity needs it in the next role's trust policy too,
// as MaterializeInc/materialize#37427 and noqdev/iambic#357 show AWS
// refusing it: "... is not authorized to perform: sts:SetSourceIdentity on
// resource: ROLE"). The Authorizer gathers the caller's policies (cached
// per account generation, like every other request's) and evaluates them
// with the trust policy as the role-trust-policy resource policy, in one
// evaluation: a trust policy naming the caller grants on its own within
// an account, one naming the account or another account's caller needs
// the caller's identity-based allow too.
func (s *Service) authorizeAssumeRole(ctx context.Context, c *service.Call, role store.Role, ref roleRef, in *stsapi.AssumeRoleRequest, mfa *mfaCheck) error {
	trust, err := policy.Parse([]byte(role.AssumeRolePolicy), policy.Trust)
	if err != nil {
		// A trust policy that no longer parses allows nothing.
		return notAuthorized(describe(c.Caller), "sts:AssumeRole", ref.ARN)
	}
	keys := []authz.Key{{Name: "sts:RoleSessionName", Values: []string{in.RoleSessionName}}}
	if in.ExternalId != nil {
		keys = append(keys, authz.Key{Name: "sts:ExternalId", Values: []string{*in.ExternalId}})
	}
	parent := c.Caller.Session
	sourceIdentity := str(in.SourceIdentity)
	if parent != nil && parent.SourceIdentity != "" {
		sourceIdentity = parent.SourceIdentity
	}
	if sourceIdentity != "" {
		keys = append(keys, authz.Key{Name: "sts:SourceIdentity", Values: []string{sourceIdentity}})
	}
	tagged := len(in.Tags) > 0 || (parent != nil && len(parent.TransitiveTagKeys) > 0)
	if len(in.Tags) > 0 {
		tagKeys := make([]string, 0, len(in.Tags))
		for _, t := range in.Tags {
			keys = append(keys, authz.Key{Name: "aws:RequestTag/" + t.Key, Values: []string{t.Value}})
			tagKeys = append(tagKeys, t.Key)
		}
		keys = append(keys, authz.Key{Name: "aws:TagKeys", Values: tagKeys, Multi: true})
	}
	if len(in.TransitiveTagKeys) > 0 {
		keys = append(keys, authz.Key{Name: "sts:TransitiveTagKeys", Values: in.TransitiveTagKeys, Multi: true})
	}
	actions := []string{"sts:AssumeRole"}
	if tagged {
		actions = append(actions, "sts:TagSession")
	}
	if sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		d, err := s.authorizer.Authorize(ctx, authz.Request{
			Principal: c.Caller,
			Action:    action,
			Resource:  authz.Resource{ARN: ref.ARN, Account: role.Account, Type: "role"},
			Environment: authz.Environment{
				SourceIP:    c.SourceIP,
				UserAgent:   c.UserAgent,
				Time:        c.Now,
				Region:      c.Region,
				MFAAuthTime: mfaTimeOf(mfa),
			},
			Keys:           keys,
			ResourcePolicy: trust,
			ResourceKind:   policy.RoleTrustPolicy,
		})
		if err != nil {
			return err
		}
		allowed := d.Allowed()
		d.Release()
		if !allowed {
			return notAuthorized(describe(c.Caller), action, ref.ARN)
		}
	}
	return nil
}

// str returns *p or "".
func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// mfaTimeOf is when a request's MFA check was made; zero without one.
func mfaTimeOf(m *mfaCheck) time.Time {
	if m == nil {
		return time.Time{}
	}
	return m.at
}
