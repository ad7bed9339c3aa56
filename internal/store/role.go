package store

import "time"

// Role is an IAM role. Its tags are kept through Tags with
// ResourceRef{Kind: KindRole, ID: role.ID}.
type Role struct {
	Account string
	ID      string // AROA..., unique across the store
	Name    string
	Path    string // /aws-service-role/<service>/ for service-linked roles
	Created time.Time
	// AssumeRolePolicy is the trust policy document as the caller gave it.
	AssumeRolePolicy    string
	Description         string
	MaxSessionDuration  int // seconds; the service enforces 3600–43200
	PermissionsBoundary string
	LastUsed            time.Time // zero when never used
	LastUsedRegion      string
}

// RoleUpdate is what UpdateRole changes. AWS cannot rename a role or move
// it to another path. Nil or zero fields stay as they are.
type RoleUpdate struct {
	Description        *string // "" clears it
	MaxSessionDuration int
	AssumeRolePolicy   string
}

// RoleUse is one use of a role (an AssumeRole), for RoleLastUsed.
type RoleUse struct {
	RoleID string
	Time   time.Time
	Region string
}

// RoleDependencies counts what must go before a role can be deleted.
type RoleDependencies struct {
	AttachedPolicies int
	InlinePolicies   int
	InstanceProfiles int
}

// Any reports whether anything still depends on the role.
func (d RoleDependencies) Any() bool { return d != RoleDependencies{} }

// DeletionTask is the state of a service-linked role deletion
// (DeleteServiceLinkedRole / GetServiceLinkedRoleDeletionStatus).
type DeletionTask struct {
	ID       string // the DeletionTaskId, an ARN-like string AWS returns
	Account  string
	RoleName string
	Status   string // SUCCEEDED, IN_PROGRESS, FAILED or NOT_STARTED
	Reason   string // the service's account of a failure, "" if none
	Created  time.Time
}

// Roles keeps IAM roles.
type Roles interface {
	// CreateRole stores a new role; the rules of CreateUser apply.
	CreateRole(r Role) error
	// GetRole returns the account's role with the name (without regard to
	// case), or ErrNotFound.
	GetRole(account, name string) (Role, error)
	// GetRoleByID returns the role with the unique id, or ErrNotFound.
	GetRoleByID(id string) (Role, error)
	// UpdateRole changes the role's description, maximum session duration
	// and/or trust policy, and returns the result.
	UpdateRole(account, name string, upd RoleUpdate) (Role, error)
	// SetRolePermissionsBoundary sets the boundary policy ARN; "" removes.
	SetRolePermissionsBoundary(account, name, policyARN string) error
	// DeleteRole deletes the role and its tags. ErrConflict if policies
	// or instance profiles remain.
	DeleteRole(account, name string) error
	// ListRoles lists the account's roles (see PathListOptions).
	ListRoles(account string, opts PathListOptions) (Page[Role], error)
	// CountRoles returns the number of roles in the account.
	CountRoles(account string) (int, error)
	// RoleDependencies counts what blocks deleting the role.
	RoleDependencies(account, name string) (RoleDependencies, error)
	// RecordRoleUse applies many uses at once; older uses and uses of
	// deleted roles are ignored.
	RecordRoleUse(uses []RoleUse) error

	// PutDeletionTask stores or replaces a service-linked role deletion
	// task.
	PutDeletionTask(t DeletionTask) error
	// GetDeletionTask returns the task, or ErrNotFound (KindRole).
	GetDeletionTask(account, id string) (DeletionTask, error)
}
