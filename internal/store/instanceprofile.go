package store

import "time"

// InstanceProfile is an IAM instance profile: a container for at most one
// role that EC2 passes to instances. Its tags are kept through Tags with
// ResourceRef{Kind: KindInstanceProfile, ID: profile.ID}.
type InstanceProfile struct {
	Account string
	ID      string // AIPA..., unique across the store
	Name    string
	Path    string
	Created time.Time
	// RoleName and RoleID name the profile's role; "" when it has none.
	// They are filled by the store; CreateInstanceProfile ignores them.
	RoleName string
	RoleID   string
}

// InstanceProfiles keeps instance profiles and their role.
type InstanceProfiles interface {
	// CreateInstanceProfile stores a new, empty profile; the rules of
	// CreateUser apply.
	CreateInstanceProfile(p InstanceProfile) error
	// GetInstanceProfile returns the account's profile with the name
	// (without regard to case), or ErrNotFound.
	GetInstanceProfile(account, name string) (InstanceProfile, error)
	// DeleteInstanceProfile deletes the profile and its tags. ErrConflict
	// while it holds a role (AWS's DeleteConflict).
	DeleteInstanceProfile(account, name string) error
	// ListInstanceProfiles lists the account's profiles (see
	// PathListOptions).
	ListInstanceProfiles(account string, opts PathListOptions) (Page[InstanceProfile], error)
	// CountInstanceProfiles returns the number of profiles in the account.
	CountInstanceProfiles(account string) (int, error)
	// AddRoleToInstanceProfile puts the role in the profile. ErrNotFound
	// (KindInstanceProfile or KindRole); ErrConflict (KindInstanceProfile)
	// when the profile already holds a role, which AWS answers with
	// LimitExceeded.
	AddRoleToInstanceProfile(account, profile, role string) error
	// RemoveRoleFromInstanceProfile takes the role out. ErrNotFound
	// (KindInstanceProfile, KindRole, or KindProfileRole when the profile
	// does not hold that role).
	RemoveRoleFromInstanceProfile(account, profile, role string) error
	// ListInstanceProfilesForRole lists the profiles that hold the role,
	// ordered by name without regard to case.
	ListInstanceProfilesForRole(account, role string, opts ListOptions) (Page[InstanceProfile], error)
}
