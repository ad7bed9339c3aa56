package store

// Kind names a family of stored entities. It appears in *Error, in tag
// references (ResourceRef) and in policy attachments (Entity).
type Kind string

// The kinds of stored entities.
const (
	KindAccount                   Kind = "account"
	KindAccountAlias              Kind = "account alias"
	KindUser                      Kind = "user"
	KindGroup                     Kind = "group"
	KindRole                      Kind = "role"
	KindAccessKey                 Kind = "access key"
	KindMembership                Kind = "group membership"
	KindTag                       Kind = "tag"
	KindAttachment                Kind = "policy attachment"
	KindInlinePolicy              Kind = "inline policy"
	KindPolicy                    Kind = "policy"
	KindPolicyVersion             Kind = "policy version"
	KindInstanceProfile           Kind = "instance profile"
	KindProfileRole               Kind = "instance profile role"
	KindLoginProfile              Kind = "login profile"
	KindMFADevice                 Kind = "MFA device"
	KindOIDCProvider              Kind = "OpenID Connect provider"
	KindSAMLProvider              Kind = "SAML provider"
	KindServerCertificate         Kind = "server certificate"
	KindSigningCertificate        Kind = "signing certificate"
	KindSSHPublicKey              Kind = "SSH public key"
	KindServiceSpecificCredential Kind = "service-specific credential"
	KindPasswordPolicy            Kind = "password policy"
	KindCredentialReport          Kind = "credential report"
	KindSession                   Kind = "session"
)

// IsPolicyHolder reports whether entities of kind k can have managed
// policies attached and inline policies put: users, groups and roles.
func (k Kind) IsPolicyHolder() bool {
	return k == KindUser || k == KindGroup || k == KindRole
}

// Taggable reports whether resources of kind k carry tags in IAM.
func (k Kind) Taggable() bool {
	switch k {
	case KindUser, KindRole, KindPolicy, KindInstanceProfile, KindMFADevice,
		KindOIDCProvider, KindSAMLProvider, KindServerCertificate:
		return true
	}
	return false
}

// FoldsTagKeys reports whether tag keys on resources of kind k are compared
// without regard to case. The IAM User Guide ("Rules for tagging in IAM and
// AWS STS") says tag keys on users and roles are not case sensitive but
// keep the case they were given, so tagging a user with "department" after
// "Department" replaces that tag; on the other taggable resources keys are
// case sensitive.
func (k Kind) FoldsTagKeys() bool {
	return k == KindUser || k == KindRole
}
