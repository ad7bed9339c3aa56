package store

import "time"

// SessionType says which STS operation made a session, and so what kind of
// caller its credentials authenticate.
type SessionType string

// The session types.
const (
	// SessionAssumedRole is a role session: AssumeRole,
	// AssumeRoleWithWebIdentity or AssumeRoleWithSAML.
	SessionAssumedRole SessionType = "AssumedRole"
	// SessionFederatedUser is a GetFederationToken session: a federated
	// user whose permissions are its parent IAM user's, limited by the
	// session policies.
	SessionFederatedUser SessionType = "FederatedUser"
	// SessionToken is a GetSessionToken session: the calling IAM user (or
	// root user) itself, with temporary credentials, possibly MFA-backed.
	SessionToken SessionType = "SessionToken"
)

// Session is one set of temporary credentials (an ASIA... access key id, a
// secret and a session token) and everything a request signed with them
// needs in order to be authorized: the role or user it acts for, the
// session policies, the session tags, the source identity and the MFA
// state. A session never changes once created; it ends when it expires.
type Session struct {
	// AccessKeyID is the ASIA... key id, unique across the store. It
	// encodes the account (awsid.AccessKeyIDFor).
	AccessKeyID string
	// Account is the account the session acts in (the role's or the
	// user's).
	Account string
	Type    SessionType
	// Secret is the secret access key sealed by package seal with the
	// access key id as associated data.
	Secret []byte
	// TokenHash is the SHA-256 of the session token. The token itself is
	// never stored: the server hashes the X-Amz-Security-Token it receives
	// and compares in constant time.
	TokenHash []byte
	Issued    time.Time // aws:TokenIssueTime
	Expires   time.Time

	// RoleID, RoleName and RolePath name the role of a SessionAssumedRole
	// session as it was when the session was made (the role may since
	// have been deleted; enforcement then finds no role policies).
	RoleID   string
	RoleName string
	RolePath string
	// Name is the role session name, or the federated user's name.
	Name string

	// UserID, UserName and UserPath name the IAM user that called
	// GetSessionToken or GetFederationToken; all empty for the account's
	// root user and for role sessions.
	UserID   string
	UserName string
	UserPath string

	// Policy is the inline session policy ("" when none was passed), and
	// PolicyARNs the managed session policies, in request order.
	Policy     string
	PolicyARNs []string
	// Tags are the session tags (aws:PrincipalTag/*), in order: the
	// transitive tags inherited through role chaining first, then the
	// tags passed with the request.
	Tags []Tag
	// TransitiveTagKeys are the keys of Tags that pass on to sessions this
	// session makes by role chaining.
	TransitiveTagKeys []string
	// SourceIdentity is sts:SourceIdentity / aws:SourceIdentity; once set
	// in a chain it cannot change.
	SourceIdentity string
	// Chained marks a role session requested with temporary credentials
	// (role chaining: at most one hour).
	Chained bool
	// FederatedProvider is the identity provider of a web identity or SAML
	// session (the provider's ARN, or a well-known name such as
	// accounts.google.com), for aws:FederatedProvider.
	FederatedProvider string
	// MFAAuthenticated is aws:MultiFactorAuthPresent, and MFAAuthTime the
	// time of the authentication (aws:MultiFactorAuthAge is measured from
	// it); zero when no MFA was used.
	MFAAuthenticated bool
	MFAAuthTime      time.Time
}

// Sessions keeps temporary credentials. GetSession is on the SigV4 hot
// path for ASIA... keys: one primary-key read.
type Sessions interface {
	// CreateSession stores a new session. ErrAlreadyExists if the access
	// key id is taken; ErrNotFound if the account does not exist. Role and
	// user references are kept as given and not checked against the roles
	// and users tables: a session outlives neither check nor deletion.
	CreateSession(s Session) error
	// GetSession returns the session with the access key id, from any
	// account and expired or not (the caller decides what expiry means),
	// or ErrNotFound.
	GetSession(accessKeyID string) (Session, error)
	// DeleteExpiredSessions deletes every session that expired at or
	// before t and returns how many it deleted.
	DeleteExpiredSessions(t time.Time) (int, error)
}
