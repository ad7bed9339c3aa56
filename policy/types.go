package policy

// Kind says what a policy document is for. It changes the validation rules
// (a Principal is required in resource and trust policies and forbidden in
// identity policies; trust policies have no Resource; managed policies need
// Version 2012-10-17) and names the slot of a PolicySet in a Decision's
// reasons. Kind is a closed set: the zero Kind is invalid and only the
// variables below are valid, because its field is unexported.
type Kind struct{ k uint8 }

// The policy kinds.
var (
	// Identity is an identity-based policy stored inline on a user, group
	// or role. Its Version may be 2012-10-17, 2008-10-17 or absent.
	Identity = Kind{1}
	// Managed is a customer managed identity-based policy: the identity
	// rules plus Version 2012-10-17, which CreatePolicy and
	// CreatePolicyVersion require.
	Managed = Kind{2}
	// Session is a session policy passed to AssumeRole* or
	// GetFederationToken; it follows the identity rules.
	Session = Kind{3}
	// Boundary is a permissions boundary. A boundary is a managed policy,
	// so it follows the Managed rules (Version 2012-10-17).
	Boundary = Kind{4}
	// Resource is a resource-based policy (bucket, queue, key policy):
	// Principal or NotPrincipal is required.
	Resource = Kind{5}
	// Trust is a role trust policy: Principal is required, Resource and
	// NotPrincipal are prohibited and the actions must be STS actions.
	Trust = Kind{6}
	// SCP is an Organizations service control policy: no Principal,
	// Version 2012-10-17.
	SCP = Kind{7}
	// RCP is an Organizations resource control policy: Principal "*",
	// no NotPrincipal or NotAction, Deny statements only (except the
	// RCPFullAWSAccess form), Version 2012-10-17.
	RCP = Kind{8}
)

var kindNames = [...]string{"", "identity", "managed", "session", "boundary", "resource", "trust", "scp", "rcp"}

// String returns the kind's lower-case name ("identity", "scp", ...), the
// same name ParseKind accepts.
func (k Kind) String() string {
	if int(k.k) < len(kindNames) && k.k != 0 {
		return kindNames[k.k]
	}
	return "invalid"
}

// ParseKind returns the Kind named s ("identity", "managed", "session",
// "boundary", "resource", "trust", "scp", "rcp").
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind{uint8(i)}, true
		}
	}
	return Kind{}, false
}

// Effect is the outcome of an evaluation. It is a closed set of three
// values: Allow, ExplicitDeny and ImplicitDeny (the zero Effect, so that a
// forgotten Decision denies).
type Effect struct{ e uint8 }

// The effects of a Decision.
var (
	// ImplicitDeny: no statement denied, but some required policy type
	// allowed nothing.
	ImplicitDeny = Effect{0}
	// Allow: every required policy type allowed and nothing denied.
	Allow = Effect{1}
	// ExplicitDeny: a Deny statement in some applicable policy matched.
	ExplicitDeny = Effect{2}
)

// String returns "implicit_deny", "allow" or "explicit_deny", the names
// the `iamd policy eval` output uses.
func (e Effect) String() string {
	switch e {
	case Allow:
		return "allow"
	case ExplicitDeny:
		return "explicit_deny"
	}
	return "implicit_deny"
}

// PrincipalType is who makes a request. It is a closed set; the zero value
// is treated as Anonymous.
type PrincipalType struct{ t uint8 }

// The principal types.
var (
	// Anonymous is an unauthenticated caller: only resource-based
	// statements with Principal "*" apply to it.
	Anonymous = PrincipalType{0}
	// User is an IAM user (Principal.ARN arn:...:iam::ACCT:user/...).
	User = PrincipalType{1}
	// AssumedRole is a role session (Principal.ARN
	// arn:...:sts::ACCT:assumed-role/ROLE/SESSION, RoleARN the role's ARN).
	AssumedRole = PrincipalType{2}
	// FederatedUser is a GetFederationToken session (Principal.ARN
	// arn:...:sts::ACCT:federated-user/NAME, ParentARN the IAM user's ARN).
	FederatedUser = PrincipalType{3}
	// Root is the account root user (Principal.ARN arn:...:iam::ACCT:root).
	Root = PrincipalType{4}
	// Service is an AWS service principal (Principal.Service, e.g.
	// "ec2.amazonaws.com").
	Service = PrincipalType{5}
	// WebIdentity is a caller of AssumeRoleWithWebIdentity or
	// AssumeRoleWithSAML, matched by a trust policy's "Federated"
	// principal (Principal.Provider, e.g. "accounts.google.com" or a SAML
	// or OIDC provider ARN).
	WebIdentity = PrincipalType{6}
)

var principalTypeNames = [...]string{"anonymous", "user", "assumed-role", "federated-user", "root", "service", "web-identity"}

// String returns the type's name as the eval JSON spells it ("user",
// "assumed-role", ...).
func (t PrincipalType) String() string {
	if int(t.t) < len(principalTypeNames) {
		return principalTypeNames[t.t]
	}
	return "anonymous"
}

// ParsePrincipalType returns the PrincipalType named s ("user",
// "assumed-role", "federated-user", "root", "service", "anonymous",
// "web-identity").
func ParsePrincipalType(s string) (PrincipalType, bool) {
	for i, n := range principalTypeNames {
		if n == s {
			return PrincipalType{uint8(i)}, true
		}
	}
	return PrincipalType{}, false
}

// ResourceKind marks the resources whose resource-based policy must itself
// allow the request, even in the principal's own account: role trust
// policies and KMS key policies. The zero value is an ordinary resource.
type ResourceKind struct{ r uint8 }

// The resource kinds.
var (
	// OrdinaryResource: a grant in an identity-based policy or in the
	// resource-based policy is enough within one account.
	OrdinaryResource = ResourceKind{0}
	// RoleTrustPolicy: the resource is a role and PolicySet.Resource is its
	// trust policy, which must allow sts:AssumeRole* itself.
	RoleTrustPolicy = ResourceKind{1}
	// KMSKeyPolicy: the resource is a KMS key and PolicySet.Resource is its
	// key policy, which must allow the request itself (directly, or by
	// naming the account so that IAM policies apply).
	KMSKeyPolicy = ResourceKind{2}
)

// String returns "", "role-trust-policy" or "kms-key-policy".
func (r ResourceKind) String() string {
	switch r {
	case RoleTrustPolicy:
		return "role-trust-policy"
	case KMSKeyPolicy:
		return "kms-key-policy"
	}
	return ""
}

// ParseResourceKind returns the ResourceKind named s ("" for an ordinary
// resource, "role-trust-policy", "kms-key-policy").
func ParseResourceKind(s string) (ResourceKind, bool) {
	switch s {
	case "":
		return OrdinaryResource, true
	case "role-trust-policy":
		return RoleTrustPolicy, true
	case "kms-key-policy":
		return KMSKeyPolicy, true
	}
	return ResourceKind{}, false
}

// Principal describes the caller of a request. Which fields matter depends
// on Type; the others are ignored.
type Principal struct {
	// Type is the kind of caller.
	Type PrincipalType
	// ARN is the caller's own ARN: the user, the assumed-role session, the
	// federated user or the root ARN.
	ARN string
	// Account is the caller's 12-digit account id.
	Account string
	// RoleARN is the role's ARN for an AssumedRole session
	// (arn:aws:iam::ACCT:role/PATH/NAME), which resource-based policies
	// may name instead of the session.
	RoleARN string
	// ParentARN is the IAM user's ARN for a FederatedUser session.
	ParentARN string
	// Service is the service principal name for a Service caller.
	Service string
	// Provider is the identity provider for a WebIdentity caller: an OIDC
	// or SAML provider ARN or a well-known name such as
	// "accounts.google.com", matched by "Federated" principals.
	Provider string
	// CanonicalUser is the caller's S3 canonical user id, if known,
	// matched by "CanonicalUser" principals.
	CanonicalUser string
}

// Request is one authorization question: may Principal perform Action on
// Resource in this Context?
type Request struct {
	Principal Principal
	// Action is "service:Operation", e.g. "s3:GetObject"; it is matched
	// without regard to case.
	Action string
	// Resource is the resource's ARN, or "*" for actions that do not
	// support resource-level permissions.
	Resource string
	// ResourceAccount is the account that owns the resource. Empty means
	// the principal's own account.
	ResourceAccount string
	// ResourceKind marks role trust policies and KMS key policies.
	ResourceKind ResourceKind
	// Context is the complete request context. Evaluate synthesizes no
	// keys: the caller puts aws:username, aws:PrincipalArn and the rest in.
	Context Context
}

// PolicySet holds the compiled policies that apply to one request, by
// type. A nil or empty slot does not apply, except Session for a
// FederatedUser: a federated user without a session policy has no
// permissions.
type PolicySet struct {
	// Identity holds the principal's identity-based policies (inline and
	// managed, of the user, its groups, or the role); any of them may allow.
	Identity []*Policy
	// Resource is the resource's resource-based policy (or the role's
	// trust policy, or the key policy).
	Resource *Policy
	// Boundary is the principal's permissions boundary.
	Boundary *Policy
	// Session holds the session policies: the inline one and the managed
	// ones passed by ARN; any of them may allow, and together they limit
	// the session.
	Session []*Policy
	// SCP holds the service control policies of the principal's account,
	// one slice per organization level, root first; each level must allow.
	SCP [][]*Policy
	// RCP holds the resource control policies of the resource's account,
	// one slice per level, root first; each level must allow.
	RCP [][]*Policy
}

// Decision is the result of Evaluate.
type Decision struct {
	// Effect is Allow, ExplicitDeny or ImplicitDeny.
	Effect Effect
	// Reasons says what decided: for ExplicitDeny the denying statements,
	// for Allow the allowing identity-based and resource-based statements,
	// for ImplicitDeny the one required policy type that allowed nothing.
	Reasons []Reason
}

// Allowed reports whether the decision is Allow.
func (d Decision) Allowed() bool { return d.Effect == Allow }

// Reason names a statement that decided a request, or, when Statement is
// -1, a policy type that allowed nothing.
type Reason struct {
	// Kind is the PolicySet slot: Identity, Resource, Boundary, Session,
	// SCP or RCP.
	Kind Kind
	// Level is the organization level for SCP and RCP (0 is the root).
	Level int
	// Policy is the index of the policy in its slot (within the level for
	// SCP and RCP), or -1.
	Policy int
	// Statement is the index of the statement in the policy, or -1 when
	// the reason is that nothing of Kind allowed.
	Statement int
	// Sid is the statement's Sid, if it has one.
	Sid string
	// Effect is the statement's effect (Allow or ExplicitDeny), or
	// ImplicitDeny when the reason is that nothing of Kind allowed.
	Effect Effect
}

// String describes the reason the way AWS's AccessDenied messages phrase
// it, e.g. "explicit deny in an identity-based policy" or
// "no permissions boundary allows".
func (r Reason) String() string {
	if r.Statement < 0 {
		switch r.Kind {
		case Identity:
			return "no identity-based policy allows"
		case Resource:
			return "no resource-based policy allows"
		case Boundary:
			return "no permissions boundary allows"
		case Session:
			return "no session policy allows"
		case SCP:
			return "no service control policy allows"
		case RCP:
			return "no resource control policy allows"
		}
		return "no policy allows"
	}
	if r.Effect == ExplicitDeny {
		return "explicit deny " + kindPhrase(r.Kind)
	}
	return "allowed " + kindPhrase(r.Kind)
}

// kindPhrase is how AWS's messages name a policy type ("in an
// identity-based policy").
func kindPhrase(k Kind) string {
	switch k {
	case Identity:
		return "in an identity-based policy"
	case Resource:
		return "in a resource-based policy"
	case Boundary:
		return "in a permissions boundary"
	case Session:
		return "in a session policy"
	case SCP:
		return "in a service control policy"
	case RCP:
		return "in a resource control policy"
	}
	return "in a policy"
}
