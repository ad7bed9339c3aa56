// Package store is iamd's storage interface: the typed domain methods the
// IAM and STS services use to keep accounts, users, groups, access keys,
// tags, policies and the rest of IAM's state, and the contract every
// backend (the embedded SQLite default, PostgreSQL) must honour. The
// conformance suite in package storetest checks that contract; a backend
// is correct when storetest.Run passes against it.
//
// # Transactions
//
// Every API call is one transaction. Store.View runs a read-only
// transaction that sees one consistent snapshot; Store.Update runs a
// read-write transaction that is all or nothing: if its function returns
// an error (or panics), nothing it wrote is kept. Update transactions are
// serializable with respect to each other, so a service may check a quota
// and then write (count the user's access keys, then create one) without
// another Update slipping in between:
//
//   - On SQLite there is one writer at a time: a single write connection,
//     transactions begun with BEGIN IMMEDIATE.
//   - On PostgreSQL, Update runs at the SERIALIZABLE isolation level and
//     retries the whole function when the database reports a serialization
//     failure or deadlock (SQLSTATE 40001, 40P01). The function passed to
//     Update must therefore have no effects outside the transaction (no
//     sending of mail, no writing of files, no appending to a slice it
//     does not reset), because it may run more than once. Uniqueness is
//     enforced by unique indexes, so two servers creating the same user at
//     once get exactly one success and one ErrAlreadyExists.
//
// The Tx handed to the function is valid only until the function returns,
// and must not be shared between goroutines. Tx methods take no context:
// the transaction carries the context given to View or Update, and
// cancelling that context aborts the transaction.
//
// # Names
//
// IAM names (users, groups, roles, policies, instance profiles, inline
// policies, server certificates) are unique per account without regard to
// case: "MyUser" and "myuser" collide, as the IAM API reference states for
// CreateUser ("Names are not distinguished by case"). Lookups by name are
// case-insensitive as well, and return the name with the case it was
// created with; AWS behaves the same way (GetUser for "ADMIN" finds
// "admin"). A rename to a name that differs only in case from the current
// one is reported as ErrAlreadyExists, which is what AWS answers for
// "aws iam update-user --user-name shira --new-user-name SHIRA". The store
// compares names through FoldName, computed in Go and kept in an indexed
// column, so that uniqueness is enforced atomically by the database and
// does not depend on the collation of either database.
//
// # Identifiers and validation
//
// The services generate AWS's identifiers (AIDA... user ids, AKIA... access
// key ids, ARNs, dates) and validate input against the API model; the store
// stores, enforces uniqueness and referential integrity, and answers
// queries. Strings must be valid UTF-8 without NUL bytes; the store refuses
// others with ErrInvalidArgument so that both backends behave alike.
// Times are kept with nanosecond precision in UTC; the zero time.Time
// means "never" or "not set".
//
// # Lists
//
// Every list is paginated by keyset: a page is read from an index starting
// after the last key of the previous page, so that a page costs the same in
// a table of a hundred rows as in one of a hundred thousand. The marker is
// an opaque string; a Page whose Marker is empty is the last one.
//
// # Deletion
//
// Deleting a user, group, role or policy that still has dependents (access
// keys, group memberships, attached or inline policies, ...) fails with
// ErrConflict: the store refuses to leave orphans even if a service forgets
// to check. The services answer AWS's DeleteConflict from the
// UserDependencies, GroupDependencies and similar queries before they get
// that far. Tags belong to their resource and are deleted with it.
//
// # Secrets
//
// Storage is untrusted. Access key secrets, MFA seeds and other secrets
// arrive already sealed by package seal (bound to their row through the
// associated data) and are stored as opaque bytes.
package store
