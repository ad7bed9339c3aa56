package store

import "time"

// Account is an AWS account: its 12-digit id, its optional alias (unique
// across the store, as AWS's account aliases are globally unique) and its
// root user's sign-in e-mail and password hash.
type Account struct {
	ID               string
	Alias            string // "" when the account has none
	RootEmail        string
	RootPasswordHash []byte // opaque to the store (package password's format)
	Created          time.Time
	// GlobalEndpointTokenVersion is 1 or 2: the version of session tokens
	// STS's global endpoint issues for the account
	// (SetSecurityTokenServicePreferences). 0 on creation means 1, AWS's
	// default.
	GlobalEndpointTokenVersion int
}

// AccountSummary counts an account's entities for GetAccountSummary.
type AccountSummary struct {
	Users, Groups, Roles        int
	Policies, PolicyVersions    int // customer managed policies and all their versions
	InstanceProfiles            int
	MFADevices, MFADevicesInUse int
	ServerCertificates          int
	Providers                   int // OpenID Connect and SAML
	RootMFAEnabled              bool
	RootAccessKeys              int
	RootSigningCertificates     int
}

// Accounts keeps accounts.
type Accounts interface {
	// CreateAccount stores a new account. ErrAlreadyExists (Kind
	// KindAccount) if the id is taken, (Kind KindAccountAlias) if the
	// alias is.
	CreateAccount(a Account) error
	// EnsureAccount creates the account unless one with its id exists,
	// and reports whether it created it. It is how emulator mode creates
	// accounts on first use without racing another request doing the same.
	EnsureAccount(a Account) (created bool, err error)
	// GetAccount returns the account with the id, or ErrNotFound.
	GetAccount(id string) (Account, error)
	// GetAccountByAlias returns the account with the alias, or ErrNotFound.
	GetAccountByAlias(alias string) (Account, error)
	// ListAccounts lists accounts ordered by id.
	ListAccounts(opts ListOptions) (Page[Account], error)
	// SetAccountAlias sets the account's alias; "" removes it.
	// ErrAlreadyExists if another account has the alias.
	SetAccountAlias(id, alias string) error
	// SetGlobalEndpointTokenVersion sets the account's STS global endpoint
	// token version (1 or 2; anything else is ErrInvalidArgument).
	SetGlobalEndpointTokenVersion(id string, version int) error
	// SetRootPassword replaces the root user's password hash.
	SetRootPassword(id string, hash []byte) error
	// AccountSummary counts the account's entities in one read.
	AccountSummary(id string) (AccountSummary, error)
	// DeleteAccount deletes the account and everything it owns. It is an
	// administrator's operation (iamd account delete), not an API call, so
	// unlike the entity deletions it does not refuse dependents.
	DeleteAccount(id string) error
}
