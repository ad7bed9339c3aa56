package store

import "time"

// MFADevice is a virtual MFA device. Its tags are kept through Tags with
// ResourceRef{Kind: KindMFADevice, ID: device.SerialNumber}.
type MFADevice struct {
	Account      string
	SerialNumber string // the device's ARN, unique across the store
	Name         string // unique in the account without regard to case
	Path         string
	// Seed is the TOTP seed sealed by package seal (with the serial
	// number as associated data).
	Seed    []byte
	Created time.Time
	// The assignment, filled by the store: the user the device is enabled
	// for (UserName, UserID), or Root for the account's root user, and
	// when it was enabled. All empty while the device is unassigned.
	UserName   string
	UserID     string
	Root       bool
	EnableDate time.Time
	// LastStep is the RFC 6238 time step of the last code the device had
	// accepted (the second code of EnableMFADevice's and ResyncMFADevice's
	// pairs), 0 for a device that never accepted one. A code of that step
	// or an earlier one is a replay. It is kept through deactivation, so
	// that re-enabling the device cannot reuse codes seen before.
	LastStep int64
	// Drift is how many time steps the device's clock runs ahead of the
	// server's (negative: behind), as the last EnableMFADevice or
	// ResyncMFADevice measured it; a single code is looked for around the
	// server's step plus Drift.
	Drift int64
}

// Assigned reports whether the device is enabled for a user or root.
func (d MFADevice) Assigned() bool { return d.UserID != "" || d.Root }

// MFAAssignment filters ListVirtualMFADevices (AWS's AssignmentStatus).
type MFAAssignment int

// The assignment filters.
const (
	AnyAssignment MFAAssignment = iota
	AssignedOnly
	UnassignedOnly
)

// MFADevices keeps virtual MFA devices and their assignment to users.
type MFADevices interface {
	// CreateVirtualMFADevice stores a new, unassigned device.
	// ErrAlreadyExists if the serial number, or the name in the account,
	// is taken.
	CreateVirtualMFADevice(d MFADevice) error
	// GetMFADevice returns the account's device, or ErrNotFound.
	GetMFADevice(account, serial string) (MFADevice, error)
	// EnableMFADevice assigns the device to the user ("" for the account's
	// root user) at time at. ErrNotFound (KindUser, KindMFADevice);
	// ErrConflict (KindMFADevice) if it is assigned already.
	EnableMFADevice(account, user, serial string, at time.Time) error
	// DeactivateMFADevice ends the assignment; ErrNotFound (KindMFADevice)
	// unless the device is assigned to that user. LastStep and Drift stay.
	DeactivateMFADevice(account, user, serial string) error
	// RecordMFAUse records that the device accepted a code of time step
	// lastStep, with its measured clock drift. The recorded step only moves
	// forward: a lastStep not later than the recorded one changes nothing
	// and is ErrConflict (KindMFADevice), so that two requests racing with
	// the same code cannot both succeed whatever they read before. It works
	// on assigned and unassigned devices alike. ErrNotFound
	// (KindMFADevice); ErrInvalidArgument for a negative lastStep.
	RecordMFAUse(account, serial string, lastStep, drift int64) error
	// DeleteVirtualMFADevice deletes the device and its tags; ErrConflict
	// while it is assigned.
	DeleteVirtualMFADevice(account, serial string) error
	// ListMFADevices lists the devices enabled for the user ("" for root),
	// ordered by serial number.
	ListMFADevices(account, user string, opts ListOptions) (Page[MFADevice], error)
	// ListVirtualMFADevices lists the account's devices, ordered by serial
	// number.
	ListVirtualMFADevices(account string, status MFAAssignment, opts ListOptions) (Page[MFADevice], error)
}
