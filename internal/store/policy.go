package store

// Entity names a user, group or role by kind and name, the holders of
// attached and inline policies.
type Entity struct {
	Kind Kind // KindUser, KindGroup or KindRole
	Name string
}

// AttachedPolicy is a managed policy attached to an entity. The service
// derives Name and Path from the ARN (arn:aws:iam::aws:policy/path/name or
// arn:aws:iam::123456789012:policy/path/name) when attaching.
type AttachedPolicy struct {
	ARN  string
	Name string
	Path string
}

// PolicyEntity is an entity a managed policy is attached to, for
// ListEntitiesForPolicy.
type PolicyEntity struct {
	Kind Kind
	Name string
	ID   string
}

// PolicyAttachments keeps managed policy attachments of users, groups and
// roles.
type PolicyAttachments interface {
	// AttachPolicy attaches the policy to the entity; attaching it again
	// is not an error (AWS's attach is idempotent). ErrNotFound if the
	// entity does not exist. Whether the policy exists is the service's
	// question (AWS managed policies are not in the store).
	AttachPolicy(account string, e Entity, p AttachedPolicy) error
	// DetachPolicy detaches it; ErrNotFound (KindAttachment) if it is not
	// attached.
	DetachPolicy(account string, e Entity, policyARN string) error
	// ListAttachedPolicies lists the entity's attached policies, ordered
	// by ARN; PathPrefix filters on the policy's path.
	ListAttachedPolicies(account string, e Entity, opts PathListOptions) (Page[AttachedPolicy], error)
	// CountAttachedPolicies returns the number of policies attached to
	// the entity (AWS's quota is 10 by default).
	CountAttachedPolicies(account string, e Entity) (int, error)
	// ListEntitiesForPolicy lists the entities of the account the policy
	// is attached to, ordered by kind and then id; kind "" lists all kinds.
	ListEntitiesForPolicy(account, policyARN string, kind Kind, opts ListOptions) (Page[PolicyEntity], error)
	// CountPolicyAttachments returns the number of entities of the
	// account the policy is attached to (AWS's AttachmentCount).
	CountPolicyAttachments(account, policyARN string) (int, error)
}

// InlinePolicy is a policy document embedded in a user, group or role.
// Names are compared without regard to case, like other IAM names.
type InlinePolicy struct {
	Name     string
	Document string
}

// InlinePolicies keeps inline policies of users, groups and roles.
type InlinePolicies interface {
	// PutInlinePolicy adds the policy, or replaces the document (and the
	// name's spelling) of the entity's policy with that name. ErrNotFound
	// if the entity does not exist.
	PutInlinePolicy(account string, e Entity, p InlinePolicy) error
	// GetInlinePolicy returns the named policy, or ErrNotFound.
	GetInlinePolicy(account string, e Entity, name string) (InlinePolicy, error)
	// DeleteInlinePolicy deletes it, or returns ErrNotFound.
	DeleteInlinePolicy(account string, e Entity, name string) error
	// ListInlinePolicies lists the entity's inline policies, documents
	// included, ordered by name without regard to case.
	ListInlinePolicies(account string, e Entity, opts ListOptions) (Page[InlinePolicy], error)
	// CountInlinePolicies returns the number of the entity's inline
	// policies.
	CountInlinePolicies(account string, e Entity) (int, error)
}
