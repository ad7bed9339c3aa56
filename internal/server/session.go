package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/sigv4"
)

// AWS's answers to temporary credentials that do not hold: a token that is
// missing, wrong or not this key's, and a token past its expiration. Both
// are what every AWS service sends (e.g. aws/aws-sdk-go#1993 quotes
// "ExpiredToken: The security token included in the request is expired";
// the "invalid" form is the same family, as the AWS CLI prints it for a
// mistyped token).
func invalidSecurityToken() error {
	return &awsquery.Error{Code: "InvalidClientTokenId", Status: http.StatusForbidden, Sender: true,
		Message: "The security token included in the request is invalid."}
}

func expiredSecurityToken() error {
	return &awsquery.Error{Code: "ExpiredToken", Status: http.StatusForbidden, Sender: true,
		Message: "The security token included in the request is expired"}
}

// isTemporaryKey reports whether an access key id is STS's (ASIA...).
func isTemporaryKey(id string) bool { return strings.HasPrefix(id, awsid.TemporaryAccessKey) }

// sessionSecret is keyLookup.Secret for temporary credentials: the session's
// unsealed secret, remembered for checkSession.
func (l *keyLookup) sessionSecret(accessKeyID string, tx store.Tx) ([]byte, error) {
	sess, err := tx.GetSession(accessKeyID)
	if err != nil {
		return nil, err
	}
	secret, err := l.s.keyring.Open(sess.Secret, []byte(sess.AccessKeyID))
	if err != nil {
		return nil, fmt.Errorf("unsealing secret of %s: %w", sess.AccessKeyID, err)
	}
	l.session = &sess
	return secret, nil
}

// checkSecurityToken applies AWS's rules to the X-Amz-Security-Token of a
// verified request: temporary credentials need their own token (compared
// as SHA-256 hashes in constant time) and must not have expired; long-term
// credentials must not carry one.
func (s *Server) checkSecurityToken(l *keyLookup, res *sigv4.Result) error {
	if l.session == nil {
		if res.SecurityToken != "" {
			return invalidSecurityToken()
		}
		return nil
	}
	h := sha256.Sum256([]byte(res.SecurityToken))
	if res.SecurityToken == "" || subtle.ConstantTimeCompare(h[:], l.session.TokenHash) != 1 {
		return invalidSecurityToken()
	}
	if !s.now().Before(l.session.Expires) {
		return expiredSecurityToken()
	}
	return nil
}

// resolveSession sets the caller from a verified session: an assumed-role
// session, a federated user, or (GetSessionToken) the user or root user
// that made it, with the session's details for enforcement.
func resolveSession(sess *store.Session, call *service.Call) {
	partition := arn.PartitionOf(call.Region)
	acct := sess.Account
	call.AccountID = acct
	info := &service.Session{
		Issued:            sess.Issued,
		Expires:           sess.Expires,
		Policy:            sess.Policy,
		PolicyARNs:        sess.PolicyARNs,
		TransitiveTagKeys: sess.TransitiveTagKeys,
		SourceIdentity:    sess.SourceIdentity,
		MFAAuthenticated:  sess.MFAAuthenticated,
		MFAAuthTime:       sess.MFAAuthTime,
		FederatedProvider: sess.FederatedProvider,
		Chained:           sess.Chained,
	}
	for _, t := range sess.Tags {
		info.Tags = append(info.Tags, service.Tag{Key: t.Key, Value: t.Value})
	}
	if sess.Type != store.SessionAssumedRole {
		if sess.UserName == "" {
			info.ParentARN = fmt.Sprintf("arn:%s:iam::%s:root", partition, acct)
			info.ParentUserID = acct
		} else {
			info.ParentARN = fmt.Sprintf("arn:%s:iam::%s:user%s%s", partition, acct, sess.UserPath, sess.UserName)
			info.ParentUserID = sess.UserID
			info.ParentName = sess.UserName
		}
	}
	p := service.Principal{AccountID: acct, AccessKeyID: sess.AccessKeyID, Session: info}
	switch sess.Type {
	case store.SessionAssumedRole:
		info.RoleARN = fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, acct, sess.RolePath, sess.RoleName)
		info.RoleID, info.RoleName, info.SessionName = sess.RoleID, sess.RoleName, sess.Name
		p.Type = service.AssumedRole
		p.ARN = fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, acct, sess.RoleName, sess.Name)
		p.UserID = sess.RoleID + ":" + sess.Name
		p.Name = sess.RoleName
	case store.SessionFederatedUser:
		// AWS's federated user id is ACCOUNT:NAME (GetFederationToken's
		// FederatedUserId, and aws:userid of a federated user).
		p.Type = service.FederatedUser
		p.ARN = fmt.Sprintf("arn:%s:sts::%s:federated-user/%s", partition, acct, sess.Name)
		p.UserID = acct + ":" + sess.Name
		p.Name = sess.Name
	default:
		p.ARN, p.UserID, p.Name = info.ParentARN, info.ParentUserID, info.ParentName
		p.Type = service.User
		if sess.UserName == "" {
			p.Type = service.Root
		}
	}
	call.Caller = p
}

// Session sweeping: expired sessions are kept for SessionRetention after
// they expire, so that their credentials are still answered with
// ExpiredToken rather than InvalidClientTokenId for a while, then deleted,
// so that the store does not grow with every AssumeRole ever made.
const (
	SessionRetention     = 7 * 24 * time.Hour
	SessionSweepInterval = time.Hour
)

// SweepSessions deletes the sessions that expired more than
// SessionRetention ago and returns how many it deleted.
func (s *Server) SweepSessions(ctx context.Context) (int, error) {
	var n int
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		n, err = tx.DeleteExpiredSessions(s.now().Add(-SessionRetention))
		return err
	})
	return n, err
}

// RunSessionSweeper sweeps every interval until ctx ends.
func (s *Server) RunSessionSweeper(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := s.SweepSessions(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("sweeping expired sessions", "err", err)
			case n > 0:
				log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}
