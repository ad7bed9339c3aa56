package store

import "time"

// Policy is a customer managed policy. AWS managed policies are not
// stored: they are built into iamd (package policy/managed); attachments
// of either kind are kept by PolicyAttachments under the policy's ARN.
// Its tags are kept through Tags with ResourceRef{Kind: KindPolicy,
// ID: policy.ID}.
type Policy struct {
	Account     string
	ID          string // ANPA..., unique across the store
	Name        string // unique in the account without regard to case
	Path        string
	ARN         string // arn:<partition>:iam::<account>:policy<path><name>, unique
	Description string
	Created     time.Time
	Updated     time.Time // when the default version last changed
	// DefaultVersion is the id of the default version ("v1", "v2", ...).
	DefaultVersion string
	// AttachmentCount and PermissionsBoundaryUsageCount are computed by
	// GetPolicy and ListPolicies; CreatePolicy ignores them.
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
}

// PolicyVersion is one version of a customer managed policy. Version ids
// are "v" and a number that counts up per policy and is never reused, as
// in AWS.
type PolicyVersion struct {
	ID        string
	Document  string
	IsDefault bool
	Created   time.Time
}

// PolicyUse filters ListPolicies by how the account uses each policy.
type PolicyUse int

// The policy use filters. The services map ListPolicies' OnlyAttached
// and PolicyUsageFilter onto them.
const (
	AnyUse                PolicyUse = iota // no filter
	AttachedOrBoundary                     // attached to an entity or used as a boundary
	AttachedAsPermissions                  // attached to an entity
	UsedAsBoundary                         // the permissions boundary of a user or role
)

// PolicyListOptions selects a page of ListPolicies. The order is that of
// PathListOptions. A Use filter is applied while reading the index, so a
// page with a selective filter may read more rows than it returns.
type PolicyListOptions struct {
	PathPrefix string
	Use        PolicyUse
	Marker     string
	MaxItems   int
}

// PolicyDependencies counts what blocks deleting a customer managed policy
// (AWS's DeleteConflict): its attachments and its versions other than the
// default. BoundaryUses is reported for the services' information; AWS
// lets a policy used as a boundary be deleted.
type PolicyDependencies struct {
	Attachments        int
	NonDefaultVersions int
	BoundaryUses       int
}

// Blocking reports whether the policy cannot be deleted yet.
func (d PolicyDependencies) Blocking() bool {
	return d.Attachments > 0 || d.NonDefaultVersions > 0
}

// ManagedPolicies keeps customer managed policies and their versions.
// Policies are named by ARN, as the IAM API names them.
type ManagedPolicies interface {
	// CreatePolicy stores the policy with document as its default version
	// v1. ErrAlreadyExists if the account has a policy of that name
	// (without regard to case), or the id or ARN is taken.
	CreatePolicy(p Policy, document string) error
	// GetPolicy returns the account's policy with the ARN, or ErrNotFound.
	GetPolicy(account, arn string) (Policy, error)
	// DeletePolicy deletes the policy, its default version and its tags.
	// ErrConflict while it is attached or has other versions.
	DeletePolicy(account, arn string) error
	// ListPolicies lists the account's customer managed policies.
	ListPolicies(account string, opts PolicyListOptions) (Page[Policy], error)
	// CountPolicies returns the number of customer managed policies.
	CountPolicies(account string) (int, error)
	// PolicyDependencies counts what blocks deleting the policy.
	PolicyDependencies(account, arn string) (PolicyDependencies, error)
	// CountPermissionsBoundaryUses returns how many of the account's users
	// and roles have the policy (of any kind, AWS managed included) as
	// their permissions boundary.
	CountPermissionsBoundaryUses(account, policyARN string) (int, error)

	// CreatePolicyVersion adds the next version and, if setDefault, makes
	// it the default (and the policy's Updated time created). The service
	// checks AWS's quota of five versions with CountPolicyVersions first.
	CreatePolicyVersion(account, arn, document string, created time.Time, setDefault bool) (PolicyVersion, error)
	// GetPolicyVersion returns the version, or ErrNotFound (KindPolicy
	// for the policy, KindPolicyVersion for the version).
	GetPolicyVersion(account, arn, versionID string) (PolicyVersion, error)
	// ListPolicyVersions lists the versions, newest first.
	ListPolicyVersions(account, arn string, opts ListOptions) (Page[PolicyVersion], error)
	// CountPolicyVersions returns the number of versions.
	CountPolicyVersions(account, arn string) (int, error)
	// DeletePolicyVersion deletes a version; ErrConflict for the default.
	DeletePolicyVersion(account, arn, versionID string) error
	// SetDefaultPolicyVersion makes the version the default, at time at.
	SetDefaultPolicyVersion(account, arn, versionID string, at time.Time) error
}
