// Package sts implements the AWS Security Token Service operations over
// iamd's store: temporary credentials (sessions) and the operations that
// make them.
//
// Every operation that mints credentials ends in the same place: a
// store.Session, its secret sealed with the ASIA... key id as associated
// data and its session token kept only as a SHA-256 (mint), which the
// server resolves back to the caller for requests signed with it. Role
// sessions, whatever established the right to them, go through
// issueRoleSession with a RoleSessionSpec: AssumeRole (assumerole.go)
// after the trust policy and the caller's own policies allow it (one
// evaluation by package authz, which gathers the caller's policies as it
// does for every request, with the trust policy as the resource policy),
// the federation operations (webidentity.go, saml.go) after
// the identity provider's token or assertion checks out, and the instance
// metadata service (InstanceProfileCredentials) for an instance profile's
// role. GetSessionToken and GetFederationToken (tokens.go) make user
// sessions. Each file registers its operations with family, so that files
// are added without editing a shared table.
package sts

import (
	"context"
	"net/http"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
)

// Service is STS over one store.
type Service struct {
	store      store.Store
	keyring    *seal.Keyring
	authorizer *authz.Authorizer
}

// New returns the STS service. It decides AssumeRole's caller side with an
// Authorizer of its own that reads the store on every request (always
// correct, since no one tells it of changes); UseAuthorizer gives it the
// server's instead.
func New(st store.Store, kr *seal.Keyring) *Service {
	return &Service{store: st, keyring: kr, authorizer: authz.New(st, authz.Options{CacheEntries: -1})}
}

// UseAuthorizer makes the service gather AssumeRole callers' policies
// through az, the Authorizer the server tells of every change (Changed),
// so that they are read once per account generation rather than on every
// call. Call it before the service serves; it returns s.
func (s *Service) UseAuthorizer(az *authz.Authorizer) *Service {
	if az != nil {
		s.authorizer = az
	}
	return s
}

// Operations is STS's operation table: the operations every file of the
// package registers.
func (s *Service) Operations() service.Table {
	t := service.Table{
		"GetCallerIdentity": service.Op(s.getCallerIdentity),
		"GetAccessKeyInfo":  service.Op(s.getAccessKeyInfo),
	}
	for _, register := range families {
		register(s, t)
	}
	return t
}

// families are the registration functions of the package's files, each
// added by its own file (var _ = family(...)), so that the federation
// operations (webidentity.go, saml.go) and the session operations are
// built side by side without a shared list to edit.
var families []func(*Service, service.Table)

// family registers a file's operations.
func family(register func(*Service, service.Table)) bool {
	families = append(families, register)
	return true
}

// getCallerIdentity is never denied: it answers who signed the request.
func (s *Service) getCallerIdentity(_ context.Context, c *service.Call, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	p := c.Caller
	return &stsapi.GetCallerIdentityResponse{
		UserId:  &p.UserID,
		Account: &p.AccountID,
		Arn:     &p.ARN,
	}, nil
}

// getAccessKeyInfo answers the account an access key belongs to. Like AWS,
// it decodes the account from the key id itself, so it answers for any
// well-formed key, including keys of accounts this server does not hold.
func (s *Service) getAccessKeyInfo(_ context.Context, _ *service.Call, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	acct, err := awsid.AccountFromAccessKeyID(in.AccessKeyId)
	if err != nil {
		return nil, &awsquery.Error{Code: "InvalidParameterValue", Status: http.StatusBadRequest, Sender: true,
			Message: "The access key ID provided is not valid."}
	}
	return &stsapi.GetAccessKeyInfoResponse{Account: &acct}, nil
}
