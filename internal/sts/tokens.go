package sts

import (
	"context"
	"time"

	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
)

var _ = family(func(s *Service, t service.Table) {
	t["GetSessionToken"] = service.Op(s.getSessionToken)
	t["GetFederationToken"] = service.Op(s.getFederationToken)
})

// The durations of GetSessionToken and GetFederationToken (their API
// references): 15 minutes to 36 hours, 12 hours by default, and at most
// one hour for the root user, whose longer requests are cut to one hour
// rather than refused.
const (
	defaultTokenSeconds = 43200
	rootTokenSeconds    = 3600
)

// tokenDuration is the duration of a GetSessionToken or GetFederationToken
// session. The model bounds the request to 900–129,600 seconds.
func tokenDuration(requested *int32, root bool) time.Duration {
	secs := int64(defaultTokenSeconds)
	if requested != nil {
		secs = int64(*requested)
	}
	if root && secs > rootTokenSeconds {
		secs = rootTokenSeconds
	}
	return time.Duration(secs) * time.Second
}

// longTermCaller refuses temporary credentials, which may not call
// GetSessionToken or GetFederationToken: AWS answers "Cannot call
// GetSessionToken with session credentials" (aws/aws-sdk-net#1704) and the
// same for GetFederationToken (hashicorp/vault#4108).
func longTermCaller(c *service.Call, op string) error {
	p := c.Caller
	if p.Session != nil || p.Type == service.AssumedRole || p.Type == service.FederatedUser {
		return wireError("AccessDenied", "Cannot call %s with session credentials", op)
	}
	if p.Type != service.User && p.Type != service.Root {
		return wireError("AccessDenied", "Cannot call %s with session credentials", op)
	}
	return nil
}

// userSession starts a session of the calling user (or root) for
// GetSessionToken and GetFederationToken, with the user's current id and
// path.
func userSession(c *service.Call, tx store.Tx, typ store.SessionType, dur time.Duration) (store.Session, error) {
	p := c.Caller
	s := store.Session{Account: p.AccountID, Type: typ, Issued: c.Now, Expires: c.Now.Add(dur)}
	if p.Type == service.User {
		u, err := tx.GetUser(p.AccountID, p.Name)
		if err != nil {
			return s, err
		}
		s.UserID, s.UserName, s.UserPath = u.ID, u.Name, u.Path
	}
	return s, nil
}

// getSessionToken is GetSessionToken: temporary credentials of the calling
// IAM user or root user, MFA-authenticated when SerialNumber and TokenCode
// check out (then aws:MultiFactorAuthPresent is true in their requests).
func (s *Service) getSessionToken(ctx context.Context, c *service.Call, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	if err := longTermCaller(c, "GetSessionToken"); err != nil {
		return nil, err
	}
	if c.Caller.Emulated {
		return nil, wireError("AccessDenied", "Cannot call GetSessionToken without an IAM user or root user identity")
	}
	var out *stsapi.GetSessionTokenResponse
	var mfa *mfaCheck
	err := s.store.Update(ctx, func(tx store.Tx) error {
		out, mfa = nil, nil
		var err error
		mfa, err = s.checkMFA(c, tx, in.SerialNumber, in.TokenCode)
		if err != nil {
			return err
		}
		if err := s.spendMFA(tx, mfa); err != nil {
			return err
		}
		sess, err := userSession(c, tx, store.SessionToken, tokenDuration(in.DurationSeconds, c.Caller.Type == service.Root))
		if err != nil {
			return err
		}
		if mfa != nil {
			sess.MFAAuthenticated, sess.MFAAuthTime = true, mfa.at
		}
		creds, err := s.mint(tx, &sess)
		if err != nil {
			return err
		}
		out = &stsapi.GetSessionTokenResponse{Credentials: creds}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// getFederationToken is GetFederationToken: a federated user named by the
// caller, whose permissions are the intersection of the calling user's
// policies and the session policies passed here (none passed: no
// permissions). Its session tags become aws:PrincipalTag; they are never
// transitive.
func (s *Service) getFederationToken(ctx context.Context, c *service.Call, in *stsapi.GetFederationTokenRequest) (*stsapi.GetFederationTokenResponse, error) {
	if err := longTermCaller(c, "GetFederationToken"); err != nil {
		return nil, err
	}
	if c.Caller.Emulated {
		return nil, wireError("AccessDenied", "Cannot call GetFederationToken without an IAM user or root user identity")
	}
	sp, err := s.sessionPolicies(c, in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, _, err := sessionTags(nil, in.Tags, nil)
	if err != nil {
		return nil, err
	}
	packed, err := packedPolicySize(sp, tags)
	if err != nil {
		return nil, err
	}
	var out *stsapi.GetFederationTokenResponse
	err = s.store.Update(ctx, func(tx store.Tx) error {
		out = nil
		sess, err := userSession(c, tx, store.SessionFederatedUser, tokenDuration(in.DurationSeconds, c.Caller.Type == service.Root))
		if err != nil {
			return err
		}
		sess.Name = in.Name
		sess.Policy, sess.PolicyARNs, sess.Tags = sp.inline, sp.arns, tags
		creds, err := s.mint(tx, &sess)
		if err != nil {
			return err
		}
		acct := c.Caller.AccountID
		out = &stsapi.GetFederationTokenResponse{
			Credentials: creds,
			FederatedUser: &stsapi.FederatedUser{
				FederatedUserId: acct + ":" + in.Name,
				Arn:             federatedUserARN(c.Partition, acct, in.Name),
			},
		}
		if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
			out.PackedPolicySize = &packed
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// federatedUserARN is the ARN of a federated user.
func federatedUserARN(partition, account, name string) string {
	return "arn:" + partition + ":sts::" + account + ":federated-user/" + name
}
