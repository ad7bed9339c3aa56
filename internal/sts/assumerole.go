package sts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
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
	var out *stsapi.AssumeRoleResponse
	var mfa *mfaCheck
	err = s.store.Update(ctx, func(tx store.Tx) error {
		out, mfa = nil, nil
		role, err := roleForARN(c, tx, ref)
		emulated := false
		if errors.Is(err, errNoRole) {
			// Emulator mode with authentication off: any role ARN, in any
			// account, can be assumed; the account comes into being
			// (docs/emulator.md).
			if !(c.Emulator && c.NoAuth) {
				return notAuthorized(describe(p), "sts:AssumeRole", in.RoleArn)
			}
			if _, err := tx.EnsureAccount(store.Account{ID: ref.Account, Created: c.Now}); err != nil {
				return err
			}
			emulated = true
		} else if err != nil {
			return err
		}
		mfa, err = s.checkMFA(c, tx, in.SerialNumber, in.TokenCode)
		if err != nil {
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
		if !emulated && !c.NoAuth {
			if err := s.authorizeAssumeRole(c, tx, role, ref, in, mfa); err != nil {
				return err
			}
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
	s.mfa.record(mfa)
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
// resource: ROLE").
func (s *Service) authorizeAssumeRole(c *service.Call, tx store.Tx, role store.Role, ref roleRef, in *stsapi.AssumeRoleRequest, mfa *mfaCheck) error {
	cp, err := gatherCaller(tx, c.Caller)
	if err != nil {
		return err
	}
	rctx := callerContext(c, cp.tags, mfaTimeOf(mfa))
	rctx.Set("sts:RoleSessionName", in.RoleSessionName)
	if in.ExternalId != nil {
		rctx.Set("sts:ExternalId", *in.ExternalId)
	}
	parent := c.Caller.Session
	sourceIdentity := str(in.SourceIdentity)
	if parent != nil && parent.SourceIdentity != "" {
		sourceIdentity = parent.SourceIdentity
	}
	if sourceIdentity != "" {
		rctx.Set("sts:SourceIdentity", sourceIdentity)
	}
	tagged := len(in.Tags) > 0 || (parent != nil && len(parent.TransitiveTagKeys) > 0)
	if len(in.Tags) > 0 {
		keys := make([]string, 0, len(in.Tags))
		for _, t := range in.Tags {
			rctx.Set("aws:RequestTag/"+t.Key, t.Value)
			keys = append(keys, t.Key)
		}
		rctx.SetMulti("aws:TagKeys", keys)
	}
	if len(in.TransitiveTagKeys) > 0 {
		rctx.SetMulti("sts:TransitiveTagKeys", in.TransitiveTagKeys)
	}
	actions := []string{"sts:AssumeRole"}
	if tagged {
		actions = append(actions, "sts:TagSession")
	}
	if sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		d, err := trustAllows(TrustRequest{
			Role:      role,
			RoleARN:   ref.ARN,
			Principal: policyPrincipal(c.Caller),
			Action:    action,
			Context:   rctx,
			Identity:  cp.identity,
			Boundary:  cp.boundary,
			Session:   cp.session,
		})
		if err != nil || !d.Allowed() {
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
