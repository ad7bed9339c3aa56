package store

import "time"

// LoginProfile is an IAM user's console password.
type LoginProfile struct {
	Account  string
	UserName string // filled by GetLoginProfile
	UserID   string // filled by GetLoginProfile
	// PasswordHash is opaque to the store (package password's format).
	PasswordHash          []byte
	PasswordResetRequired bool
	Created               time.Time
	// PasswordChanged is when the password was last set (the credential
	// report's password_last_changed); zero means at Created.
	PasswordChanged time.Time
	// PasswordHistory holds the hashes of the passwords the user had
	// before the current one, newest first, at most MaxPasswordHistory:
	// what the account password policy's PasswordReusePrevention is
	// checked against. The store keeps it: UpdateLoginProfile with a new
	// PasswordHash pushes the replaced hash onto it. It is filled by
	// GetLoginProfile, starts empty (CreateLoginProfile ignores it) and
	// is deleted with the profile.
	PasswordHistory [][]byte
}

// MaxPasswordHistory is how many previous passwords a login profile
// remembers: the largest PasswordReusePrevention AWS allows (1-24).
const MaxPasswordHistory = 24

// LoginProfileUpdate is what UpdateLoginProfile changes; nil fields stay.
type LoginProfileUpdate struct {
	PasswordHash          []byte    // a new password's hash
	PasswordChanged       time.Time // when it was set; required with PasswordHash
	PasswordResetRequired *bool
}

// LoginProfiles keeps users' console passwords.
type LoginProfiles interface {
	// CreateLoginProfile gives the user a password. ErrAlreadyExists
	// (KindLoginProfile) if it has one; ErrNotFound (KindUser).
	CreateLoginProfile(account, user string, p LoginProfile) error
	// GetLoginProfile returns the user's profile; ErrNotFound (KindUser,
	// or KindLoginProfile when the user has no password).
	GetLoginProfile(account, user string) (LoginProfile, error)
	// UpdateLoginProfile changes the password and/or the reset flag. A new
	// PasswordHash moves the current one to the front of PasswordHistory,
	// dropping the oldest beyond MaxPasswordHistory.
	UpdateLoginProfile(account, user string, upd LoginProfileUpdate) error
	// DeleteLoginProfile removes the user's password.
	DeleteLoginProfile(account, user string) error
}

// PasswordPolicy is an account's password policy. Zero MaxPasswordAge and
// PasswordReusePrevention mean "not set", as in AWS.
type PasswordPolicy struct {
	MinimumPasswordLength      int
	RequireSymbols             bool
	RequireNumbers             bool
	RequireUppercaseCharacters bool
	RequireLowercaseCharacters bool
	AllowUsersToChangePassword bool
	MaxPasswordAge             int // days
	PasswordReusePrevention    int
	HardExpiry                 bool
}

// CredentialReport is the last credential report generated for an
// account (GenerateCredentialReport / GetCredentialReport).
type CredentialReport struct {
	Generated time.Time
	Content   []byte // the CSV, as the service rendered it
}

// AccountSettings keeps per-account settings: the password policy and the
// credential report.
type AccountSettings interface {
	// GetPasswordPolicy returns the account's policy, or ErrNotFound
	// (KindPasswordPolicy) when it has none.
	GetPasswordPolicy(account string) (PasswordPolicy, error)
	// PutPasswordPolicy sets or replaces the account's policy.
	PutPasswordPolicy(account string, p PasswordPolicy) error
	// DeletePasswordPolicy removes it, or returns ErrNotFound.
	DeletePasswordPolicy(account string) error
	// PutCredentialReport stores a newly generated report.
	PutCredentialReport(account string, r CredentialReport) error
	// GetCredentialReport returns the last report, or ErrNotFound
	// (KindCredentialReport).
	GetCredentialReport(account string) (CredentialReport, error)
}
