package sts

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// roleRef is a role ARN taken apart.
type roleRef struct {
	ARN       string
	Partition string
	Account   string
	Path      string // "/" or "/a/b/"
	Name      string
}

// parseRoleARN takes apart arn:PARTITION:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(s string) (roleRef, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || !arn.ValidAccountID(a.AccountID) ||
		!strings.HasPrefix(a.Resource, "role/") {
		return roleRef{}, invalidRoleARN(s)
	}
	rest := strings.TrimPrefix(a.Resource, "role")
	i := strings.LastIndexByte(rest, '/')
	name := rest[i+1:]
	if name == "" || len(name) > 64 {
		return roleRef{}, invalidRoleARN(s)
	}
	return roleRef{ARN: s, Partition: a.Partition, Account: a.AccountID, Path: rest[:i+1], Name: name}, nil
}

// invalidRoleARN is STS's answer to a RoleArn that is not a role ARN, as
// the AWS CLI prints it for a provider ARN given as the role
// (physera/onelogin-aws-cli#12: "ValidationError ... Request ARN is
// invalid").
func invalidRoleARN(string) error {
	return awsquery.ValidationError("Request ARN is invalid")
}

// errNoRole reports that the role of a role ARN does not exist. The
// AssumeRole* operations turn it into the AccessDenied AWS answers, which
// does not tell a missing role from a refusing trust policy.
var errNoRole = errors.New("sts: no such role")

// roleForARN reads the role a role ARN names, in tx. A role whose path
// differs from the ARN's is not the role the ARN names (AWS matches the
// whole ARN). It returns errNoRole when there is no such role, or, in
// emulator mode, a stand-in role (no ID, a 12-hour maximum session, no
// trust policy) that the caller may choose to accept.
func roleForARN(c *service.Call, tx store.Tx, ref roleRef) (store.Role, error) {
	// The stand-in allows AWS's longest role session, as moto does for the
	// roles it does not check.
	standIn := store.Role{Account: ref.Account, Name: ref.Name, Path: ref.Path, MaxSessionDuration: maxRoleSessionSeconds}
	r, err := tx.GetRole(ref.Account, ref.Name)
	switch {
	case errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument):
		return standIn, errNoRole
	case err != nil:
		return store.Role{}, err
	}
	if r.Path != ref.Path || r.Name != ref.Name {
		return standIn, errNoRole
	}
	return r, nil
}

// maxRoleSessionSeconds is the longest MaxSessionDuration a role can have:
// 12 hours.
const maxRoleSessionSeconds = 43200

// emulatedRoleID gives a role that does not exist (emulator mode) a stable
// AROA... id derived from its ARN, so that sessions of the same role agree.
func emulatedRoleID(account, path, name string) string {
	h := sha256.Sum256([]byte(account + ":role" + path + name))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 17)
	for i := range b {
		b[i] = alphabet[h[i]%32]
	}
	return awsid.Role + string(b)
}

// notAuthorized is AWS's AccessDenied for an AssumeRole* call the trust
// policy (or the caller's own policies) does not allow, or for a role that
// does not exist: "User: ARN is not authorized to perform: ACTION on
// resource: ROLE-ARN".
func notAuthorized(callerARN, action, resource string) error {
	return wireError("AccessDenied", "User: %s is not authorized to perform: %s on resource: %s", callerARN, action, resource)
}

// TrustRequest is one question to a role's trust policy alone: may this
// principal perform this sts:AssumeRole* action on the role, in this
// context? Federation (web identity, SAML) fills Principal with a
// policy.WebIdentity principal whose Provider is the provider's ARN, and
// Context with the provider's claims.
type TrustRequest struct {
	Role      store.Role
	RoleARN   string
	Principal policy.Principal
	Action    string // sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity
	Context   policy.Context
}

// trustAllows evaluates a role's trust policy alone (as a
// role-trust-policy resource), for callers without policies of their own:
// federation and the instance metadata service. AssumeRole, whose caller
// has policies, is decided by package authz (authorizeAssumeRole). A
// trust policy that no longer parses allows nothing.
func trustAllows(tr TrustRequest) (policy.Decision, error) {
	trust, err := policy.Parse([]byte(tr.Role.AssumeRolePolicy), policy.Trust)
	if err != nil {
		return policy.Decision{}, fmt.Errorf("trust policy of role %s: %w", tr.RoleARN, err)
	}
	req := policy.Request{
		Principal:       tr.Principal,
		Action:          tr.Action,
		Resource:        tr.RoleARN,
		ResourceAccount: tr.Role.Account,
		ResourceKind:    policy.RoleTrustPolicy,
		Context:         tr.Context,
	}
	set := policy.PolicySet{Resource: trust}
	return policy.Evaluate(req, set), nil
}
