// Package service is the seam between the HTTP server and the AWS services
// it hosts (IAM, STS): an operation table per service, the per-call context
// the server hands to every operation, and the authenticated caller. It
// keeps the services free of HTTP, SigV4 and XML, and the server free of
// IAM semantics.
package service

import (
	"context"
	"time"
)

// PrincipalType is the kind of authenticated caller, as CloudTrail's
// userIdentity.type and aws:PrincipalType name it.
type PrincipalType string

// The principal types iamd can authenticate.
const (
	Root          PrincipalType = "Root"
	User          PrincipalType = "IAMUser"
	AssumedRole   PrincipalType = "AssumedRole"
	FederatedUser PrincipalType = "FederatedUser"
	Anonymous     PrincipalType = "Anonymous"
)

// Principal is the caller a request was authenticated as.
type Principal struct {
	Type        PrincipalType
	AccountID   string
	ARN         string // arn:aws:iam::123456789012:user/bob, arn:aws:sts::...:assumed-role/r/s
	UserID      string // AIDA... for users, AROA...:session for sessions, the account id for root
	Name        string // user name, role name or federated user name
	AccessKeyID string
	// Emulated marks the stand-in identity of emulator mode for a key the
	// server does not know (moto's "user/moto").
	Emulated bool
	// Session describes the temporary credentials (ASIA... key and
	// X-Amz-Security-Token) the request was signed with; nil for long-term
	// access keys, anonymous and emulated callers. It carries what
	// enforcement needs to gather a session's permissions and context.
	Session *Session
}

// Session is what a request signed with temporary credentials knows about
// the session that issued them. Type says which fields apply: role fields
// for AssumedRole, parent fields for FederatedUser and for a user's or
// root's GetSessionToken credentials (whose Principal.Type stays IAMUser or
// Root, as in CloudTrail).
type Session struct {
	// Issued is aws:TokenIssueTime; Expires is when the credentials end.
	Issued  time.Time
	Expires time.Time
	// RoleARN (arn:aws:iam::ACCT:role/PATH/NAME), RoleID (AROA...) and
	// RoleName name the role of an assumed-role session; SessionName is
	// the role session name.
	RoleARN     string
	RoleID      string
	RoleName    string
	SessionName string
	// ParentARN and ParentUserID name the IAM user (or root: the root ARN
	// and the account id) whose GetSessionToken or GetFederationToken
	// call made the session; the federated user's permissions are this
	// user's policies intersected with the session policies.
	ParentARN    string
	ParentUserID string
	ParentName   string // the IAM user's name, "" for root
	// Policy is the inline session policy ("" if none) and PolicyARNs the
	// managed session policies. For an AssumedRole or FederatedUser
	// session they limit the session; a FederatedUser without any has no
	// permissions.
	Policy     string
	PolicyARNs []string
	// Tags are the session tags (aws:PrincipalTag/* of the session, which
	// replace the role's tags of the same key); TransitiveTagKeys those
	// that pass to chained sessions (sts:TransitiveTagKeys).
	Tags              []Tag
	TransitiveTagKeys []string
	// SourceIdentity is aws:SourceIdentity.
	SourceIdentity string
	// MFAAuthenticated is aws:MultiFactorAuthPresent; MFAAuthTime is when
	// the MFA code was checked (aws:MultiFactorAuthAge counts from it).
	MFAAuthenticated bool
	MFAAuthTime      time.Time
	// FederatedProvider is aws:FederatedProvider for web identity and
	// SAML sessions.
	FederatedProvider string
	// Chained marks a role session requested with temporary credentials
	// (role chaining).
	Chained bool
}

// Tag is one session tag.
type Tag struct {
	Key   string
	Value string
}

// Call is what the server knows about one API request when it hands it to
// an operation.
type Call struct {
	RequestID string
	Action    string
	AccountID string // the account the call acts in: the caller's
	Partition string // aws, aws-cn, aws-us-gov, ... from the signing region
	Region    string
	Caller    Principal
	Now       time.Time
	SourceIP  string
	UserAgent string
	// Emulator is true when the server runs as a moto-compatible test
	// double, where some strict-mode checks relax (documented in README).
	Emulator bool
	// NoAuth is true when emulator mode serves this request within its
	// no-auth budget (moto's INITIAL_NO_AUTH_ACTION_COUNT): authentication
	// and authorization are off for it, whether or not it was signed with
	// a key iamd knows (docs/emulator.md).
	NoAuth bool
}

// Handler runs one operation. decode fills the operation's generated input
// struct from the request and validates it against the API model.
type Handler func(ctx context.Context, c *Call, decode func(dst any) error) (any, error)

// Table maps an action name to its handler.
type Table map[string]Handler

// Op adapts a typed operation function to a Handler, so that every
// operation receives a decoded, validated input struct and never touches
// raw parameters.
func Op[In, Out any](fn func(ctx context.Context, c *Call, in *In) (*Out, error)) Handler {
	return func(ctx context.Context, c *Call, decode func(dst any) error) (any, error) {
		in := new(In)
		if err := decode(in); err != nil {
			return nil, err
		}
		out, err := fn(ctx, c, in)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// Empty is the result of an operation whose model has no output shape: the
// response carries only ResponseMetadata.
type Empty struct{}
