package store

import (
	"errors"
	"fmt"
)

// Sentinel errors every backend returns, wrapped with %w (usually inside an
// *Error that names the entity), so that services match them with errors.Is
// and map them to AWS's error codes.
var (
	// ErrNotFound reports that the entity named in the call does not exist
	// (AWS: NoSuchEntity).
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists reports that creating or renaming would break a
	// uniqueness rule: a name already used in the account (without regard
	// to case), an access key id or account alias already used anywhere
	// (AWS: EntityAlreadyExists).
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict reports that a deletion would leave dependents behind
	// (AWS: DeleteConflict), or that a change contradicts the entity's
	// current state.
	ErrConflict = errors.New("conflict")
	// ErrInvalidArgument reports a malformed argument the services should
	// have rejected earlier: a marker that the store did not issue, an
	// unknown kind, an empty required field, a string that is not UTF-8.
	ErrInvalidArgument = errors.New("invalid argument")
	// ErrReadOnly reports a write attempted inside Store.View.
	ErrReadOnly = errors.New("write in a read-only transaction")
)

// Error carries a sentinel together with the entity it is about, so that a
// service can tell "the group does not exist" from "the user does not
// exist" after one AddUserToGroup call:
//
//	var se *store.Error
//	if errors.As(err, &se) && se.Kind == store.KindUser { ... }
type Error struct {
	Kind Kind   // the entity the error is about
	Name string // its name or id, as the caller gave it
	Err  error  // one of the sentinels above
}

// Error implements error.
func (e *Error) Error() string {
	if e.Name == "" {
		return fmt.Sprintf("store: %s: %v", e.Kind, e.Err)
	}
	return fmt.Sprintf("store: %s %q: %v", e.Kind, e.Name, e.Err)
}

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// NotFound returns an *Error wrapping ErrNotFound.
func NotFound(kind Kind, name string) error {
	return &Error{Kind: kind, Name: name, Err: ErrNotFound}
}

// AlreadyExists returns an *Error wrapping ErrAlreadyExists.
func AlreadyExists(kind Kind, name string) error {
	return &Error{Kind: kind, Name: name, Err: ErrAlreadyExists}
}

// Conflict returns an *Error wrapping ErrConflict.
func Conflict(kind Kind, name string) error {
	return &Error{Kind: kind, Name: name, Err: ErrConflict}
}

// Invalid returns an *Error wrapping ErrInvalidArgument with a reason.
func Invalid(kind Kind, reason string) error {
	return &Error{Kind: kind, Name: reason, Err: ErrInvalidArgument}
}
