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
