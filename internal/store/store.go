package store

import "context"

// Store is a backend: the embedded SQLite default (package sqlite) or
// PostgreSQL. It is safe for concurrent use by many goroutines.
type Store interface {
	// View runs fn in a read-only transaction that sees one consistent
	// snapshot. Writes inside it fail with ErrReadOnly. View returns fn's
	// error, or the backend's if the transaction could not be run.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn in a read-write transaction, serializable with
	// respect to every other Update (see the package documentation). If
	// fn returns an error or panics, nothing it wrote is kept and Update
	// returns that error (or re-panics). fn may be run more than once on
	// backends that retry serialization failures, so it must have no
	// effects outside the transaction.
	Update(ctx context.Context, fn func(Tx) error) error
	// Close releases the backend's resources. Transactions in progress
	// finish first; calls after Close fail.
	Close() error
}

// Tx is one transaction's view of the store: typed domain methods grouped
// by entity family. A Tx is valid only inside the function given to View
// or Update and must not be used from more than one goroutine.
type Tx interface {
	Accounts
	Users
	Groups
	Roles
	InstanceProfiles
	AccessKeys
	LoginProfiles
	MFADevices
	IdentityProviders
	Certificates
	AccountSettings
	Tags
	ManagedPolicies
	PolicyAttachments
	InlinePolicies
	Sessions
	Sealed

	// Reset deletes everything in the store: every account in every
	// partition and all they own. It is the emulator's /moto-api/reset.
	Reset() error
}
