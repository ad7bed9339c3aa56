package sts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
)

// RoleSessionSpec is what a role session is made of, once the caller's
// right to assume the role has been established (trust policy evaluated,
// web identity token or SAML assertion verified). AssumeRole,
// AssumeRoleWithWebIdentity and AssumeRoleWithSAML all fill one and hand it
// to issueRoleSession.
type RoleSessionSpec struct {
	// Role is the role to assume, read in the same transaction (see
	// roleForARN). For emulator mode's roles that do not exist it is a
	// stand-in with Account, Name and Path from the ARN and an empty ID.
	Role store.Role
	// SessionName is the validated role session name.
	SessionName string
	// DurationSeconds is the requested duration; nil means AWS's default
	// of one hour (or the role's maximum, if lower: never, since the
	// minimum maximum is one hour).
	DurationSeconds *int32
	// Policy and PolicyArns are the session policies as the request gave
	// them; issueRoleSession validates them (MalformedPolicyDocument) and
	// measures the packed size (PackedPolicyTooLarge).
	Policy     *string
	PolicyArns []stsapi.PolicyDescriptorType
	// Tags are the session tags the request (or the identity provider's
	// claims) passes; TransitiveTagKeys those among them that pass on
	// through role chaining. issueRoleSession adds the parent session's
	// transitive tags and checks the rules (at most 50, no key passed
	// twice, transitive keys must be among the tags, an inherited
	// transitive key may not be overridden).
	Tags              []stsapi.Tag
	TransitiveTagKeys []string
	// SourceIdentity is the requested source identity ("" for none). When
	// the parent session has one, it is kept and a different one refused.
	SourceIdentity string
	// FederatedProvider is the identity provider of a web identity or
	// SAML session (its ARN), "" for AssumeRole.
	FederatedProvider string
	// MFAAuthTime is when an MFA code was verified for this request (or
	// inherited from the parent session); zero when no MFA was used.
	MFAAuthTime time.Time
	// Parent is the caller's session when a temporary-credential caller
	// assumes a role (role chaining when the parent is a role session);
	// nil for long-term credentials and for federation.
	Parent *service.Session
	// Chained marks a session requested with temporary credentials (a
	// role session, or GetSessionToken's): AWS limits it to one hour,
	// answering "...exceeds the 1 hour session limit for roles assumed by
	// role chaining" for longer requests, whatever made the credentials
	// (mmmorris1975/aws-runas#11 shows it for GetSessionToken's).
	Chained bool
}

// issueRoleSession mints and stores a role session and returns what the
// AssumeRole* responses carry: the credentials, the AssumedRoleUser
// (AROA...:session id and the assumed-role ARN) and PackedPolicySize (the
// percentage of the packed-policy allowance the session policies and tags
// use). It must run inside the store.Update of the calling operation, so
// that a failed call leaves no session behind; c gives the partition, the
// clock (c.Now) and the region for RoleLastUsed.
//
// It enforces what all three operations share: DurationSeconds between
// 900 and the role's MaxSessionDuration (one hour for chained sessions),
// the session policies (MalformedPolicyDocument, PackedPolicyTooLarge), the
// session tags and source identity rules; and it records the role's use.
// It does not evaluate the trust policy nor authenticate anyone: that is
// the caller's job. Errors are *awsquery.Error values ready for the wire,
// or store errors.
func (s *Service) issueRoleSession(c *service.Call, tx store.Tx, spec RoleSessionSpec) (*stsapi.Credentials, *stsapi.AssumedRoleUser, int32, error) {
	role := spec.Role
	dur, err := roleSessionDuration(spec.DurationSeconds, role.MaxSessionDuration, spec.Chained)
	if err != nil {
		return nil, nil, 0, err
	}
	sp, err := s.sessionPolicies(c, spec.Policy, spec.PolicyArns)
	if err != nil {
		return nil, nil, 0, err
	}
	tags, transitive, err := sessionTags(spec.Parent, spec.Tags, spec.TransitiveTagKeys)
	if err != nil {
		return nil, nil, 0, err
	}
	sourceIdentity, err := chainSourceIdentity(spec.Parent, spec.SourceIdentity)
	if err != nil {
		return nil, nil, 0, err
	}
	packed, err := packedPolicySize(sp, tags)
	if err != nil {
		return nil, nil, 0, err
	}
	roleID := role.ID
	if roleID == "" {
		roleID = emulatedRoleID(role.Account, role.Path, role.Name)
	}
	sess := store.Session{
		Account:           role.Account,
		Type:              store.SessionAssumedRole,
		Issued:            c.Now,
		Expires:           c.Now.Add(dur),
		RoleID:            roleID,
		RoleName:          role.Name,
		RolePath:          role.Path,
		Name:              spec.SessionName,
		Policy:            sp.inline,
		PolicyARNs:        sp.arns,
		Tags:              tags,
		TransitiveTagKeys: transitive,
		SourceIdentity:    sourceIdentity,
		Chained:           spec.Chained,
		FederatedProvider: spec.FederatedProvider,
		MFAAuthenticated:  !spec.MFAAuthTime.IsZero(),
		MFAAuthTime:       spec.MFAAuthTime,
	}
	creds, err := s.mint(tx, &sess)
	if err != nil {
		return nil, nil, 0, err
	}
	if role.ID != "" {
		if err := tx.RecordRoleUse([]store.RoleUse{{RoleID: role.ID, Time: c.Now, Region: c.Region}}); err != nil {
			return nil, nil, 0, err
		}
	}
	user := &stsapi.AssumedRoleUser{
		AssumedRoleId: roleID + ":" + spec.SessionName,
		Arn:           assumedRoleARN(c.Partition, role.Account, role.Name, spec.SessionName),
	}
	return creds, user, packed, nil
}

// mint gives a session new credentials, stores it and returns the
// credentials as STS returns them. The secret is sealed with the access
// key id as associated data; the session token is kept only as its
// SHA-256.
func (s *Service) mint(tx store.Tx, sess *store.Session) (*stsapi.Credentials, error) {
	sess.AccessKeyID = awsid.AccessKeyIDFor(awsid.TemporaryAccessKey, sess.Account)
	secret := awsid.SecretAccessKey()
	token, err := newSessionToken()
	if err != nil {
		return nil, err
	}
	sealed, err := s.keyring.Seal([]byte(secret), []byte(sess.AccessKeyID))
	if err != nil {
		return nil, fmt.Errorf("sealing session secret: %w", err)
	}
	sess.Secret = sealed
	sess.TokenHash = SessionTokenHash(token)
	if err := tx.CreateSession(*sess); err != nil {
		return nil, err
	}
	return &stsapi.Credentials{
		AccessKeyId:     sess.AccessKeyID,
		SecretAccessKey: secret,
		SessionToken:    token,
		Expiration:      sess.Expires.UTC(),
	}, nil
}

// sessionTokenBytes is the random part of a session token: 384 bits, so
// that the token is an unguessable bearer value on its own.
const sessionTokenBytes = 48

// newSessionToken returns a new session token: a version byte and random
// bytes in standard base64, the alphabet of AWS's tokens, which clients
// pass through unexamined.
func newSessionToken() (string, error) {
	b := make([]byte, 1+sessionTokenBytes)
	b[0] = 1
	if _, err := rand.Read(b[1:]); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return "IQoJ" + base64.StdEncoding.EncodeToString(b), nil
}

// SessionTokenHash is how a session token is stored and compared: its
// SHA-256. The server hashes the X-Amz-Security-Token of a request and
// compares the hashes in constant time.
func SessionTokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// assumedRoleARN is the ARN of a role session.
func assumedRoleARN(partition, account, role, session string) string {
	return fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, account, role, session)
}

// roleARN is the ARN of an IAM role.
func roleARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, account, path, name)
}
