package store

import "time"

// Group is an IAM group. Groups hold users, never other groups.
type Group struct {
	Account string
	ID      string // AGPA..., unique across the store
	Name    string
	Path    string
	Created time.Time
}

// GroupUpdate is what UpdateGroup changes; empty fields stay as they are.
type GroupUpdate struct {
	NewName string
	NewPath string
}

// GroupDependencies counts what must go before a group can be deleted.
type GroupDependencies struct {
	Members          int
	AttachedPolicies int
	InlinePolicies   int
}

// Any reports whether anything still depends on the group.
func (d GroupDependencies) Any() bool {
	return d != GroupDependencies{}
}

// Groups keeps IAM groups and their memberships.
type Groups interface {
	// CreateGroup stores a new group; the rules of CreateUser apply.
	CreateGroup(g Group) error
	// GetGroup returns the account's group with the name (without regard
	// to case), or ErrNotFound.
	GetGroup(account, name string) (Group, error)
	// GetGroupByID returns the group with the unique id, or ErrNotFound.
	GetGroupByID(id string) (Group, error)
	// UpdateGroup renames the group and/or changes its path; the rules of
	// UpdateUser apply.
	UpdateGroup(account, name string, upd GroupUpdate) (Group, error)
	// DeleteGroup deletes the group. ErrConflict if it still has members
	// or policies.
	DeleteGroup(account, name string) error
	// ListGroups lists the account's groups (see PathListOptions).
	ListGroups(account string, opts PathListOptions) (Page[Group], error)
	// CountGroups returns the number of groups in the account.
	CountGroups(account string) (int, error)
	// GroupDependencies counts what blocks deleting the group.
	GroupDependencies(account, name string) (GroupDependencies, error)

	// AddUserToGroup makes the user a member of the group; adding a
	// member again is not an error. ErrNotFound (Kind KindGroup or
	// KindUser) when either does not exist.
	AddUserToGroup(account, group, user string) error
	// RemoveUserFromGroup ends the membership. ErrNotFound (KindGroup,
	// KindUser, or KindMembership when the user is not a member).
	RemoveUserFromGroup(account, group, user string) error
	// ListGroupMembers lists the group's users. They are ordered by user
	// id, the key of the membership index, so that a page costs the same
	// in a group of any size; AWS documents no order.
	ListGroupMembers(account, group string, opts ListOptions) (Page[User], error)
	// ListGroupsForUser lists the groups the user belongs to, ordered by
	// group id.
	ListGroupsForUser(account, user string, opts ListOptions) (Page[Group], error)
	// CountGroupsForUser returns the number of groups the user is in
	// (AWS's quota is 10).
	CountGroupsForUser(account, user string) (int, error)
}
