package store

import "time"

// User is an IAM user. Its tags are kept through Tags with
// ResourceRef{Kind: KindUser, ID: user.ID}.
type User struct {
	Account             string
	ID                  string // AIDA..., unique across the store
	Name                string // as created; compared without regard to case
	Path                string
	Created             time.Time
	PermissionsBoundary string    // policy ARN, "" when none
	PasswordLastUsed    time.Time // zero when never
}

// UserUpdate is what UpdateUser changes; empty fields stay as they are.
type UserUpdate struct {
	NewName string
	NewPath string
}

// UserDependencies counts what must go before a user can be deleted; AWS
// answers DeleteConflict while any of it remains. Tags and the permissions
// boundary do not count: they are deleted with the user.
type UserDependencies struct {
	AccessKeys                 int
	Groups                     int
	AttachedPolicies           int
	InlinePolicies             int
	LoginProfile               bool
	MFADevices                 int
	SigningCertificates        int
	SSHPublicKeys              int
	ServiceSpecificCredentials int
}

// Any reports whether anything still depends on the user.
func (d UserDependencies) Any() bool {
	return d != UserDependencies{}
}

// Users keeps IAM users.
type Users interface {
	// CreateUser stores a new user. ErrAlreadyExists if the account has a
	// user whose name equals u.Name without regard to case, or if u.ID is
	// taken; ErrNotFound (KindAccount) if the account does not exist.
	CreateUser(u User) error
	// GetUser returns the account's user with the name (compared without
	// regard to case), or ErrNotFound.
	GetUser(account, name string) (User, error)
	// GetUserByID returns the user with the unique id, in whatever
	// account, or ErrNotFound.
	GetUserByID(id string) (User, error)
	// UpdateUser renames the user and/or changes its path and returns the
	// result. Access keys, group memberships, policies and tags follow the
	// user, because they refer to its id. ErrNotFound if the user does not
	// exist; ErrAlreadyExists if the new name is taken, including by the
	// user itself when only the case differs.
	UpdateUser(account, name string, upd UserUpdate) (User, error)
	// SetUserPermissionsBoundary sets the user's permissions boundary
	// policy ARN; "" removes it.
	SetUserPermissionsBoundary(account, name, policyARN string) error
	// SetUserPasswordLastUsed records a console sign-in.
	SetUserPasswordLastUsed(account, name string, t time.Time) error
	// DeleteUser deletes the user and its tags. ErrConflict if anything in
	// UserDependencies remains; ErrNotFound if there is no such user.
	DeleteUser(account, name string) error
	// ListUsers lists the account's users (see PathListOptions for order).
	ListUsers(account string, opts PathListOptions) (Page[User], error)
	// CountUsers returns the number of users in the account.
	CountUsers(account string) (int, error)
	// UserDependencies counts what blocks deleting the user.
	UserDependencies(account, name string) (UserDependencies, error)
}
