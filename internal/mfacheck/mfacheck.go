// Package mfacheck verifies the codes of virtual MFA devices and records
// their use in the store, inside the caller's transaction, so that IAM
// (EnableMFADevice, ResyncMFADevice) and STS (AssumeRole and
// GetSessionToken with SerialNumber and TokenCode) accept a code by one
// code path and refuse it everywhere once it has been used.
//
// A code is refused when it is wrong, when it is not of a time step later
// than the device's recorded LastStep, and when another request recorded
// its step first: the store's RecordMFAUse moves LastStep only forward and
// answers store.ErrConflict otherwise, so the refusal holds across
// requests, servers sharing a database, and restarts. The caller's
// transaction must be a store.Update, and a refused code must abort it
// (return the error), which every caller does by returning it.
//
// The package decides nothing about who may use a device: the caller
// checks that the device belongs to the user (or root) first, and maps
// ErrRefused to its API's answer (IAM's InvalidAuthenticationCode, STS's
// AccessDenied).
package mfacheck

import (
	"errors"
	"fmt"
	"time"

	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/totp"
)

// ErrRefused is the error of a code that is not accepted: wrong, not six
// digits, outside the window, or already used. The wrapped error says
// which (totp.ErrInvalidCode, totp.ErrReplayed, or store.ErrConflict for a
// step another request recorded first), for logs and tests; clients are
// told only that the code is not valid.
var ErrRefused = errors.New("mfacheck: authentication code refused")

// Use is an accepted code, as recorded on the device.
type Use struct {
	// Step is the time step of the code (of the second code of a pair),
	// now the device's LastStep.
	Step int64
	// Drift is the device's clock drift in steps, now recorded.
	Drift int64
	// At is when the code was accepted: STS's MFA authentication time.
	At time.Time
}

// Code verifies one code of the device d, as read in tx, at time now and
// records its use in tx: the code must be that of a step within
// totp.Window of the server's step corrected by d.Drift, later than
// d.LastStep. The drift is left as recorded. This is STS's check of a
// TokenCode.
//
// Errors: ErrRefused for a code that is not accepted; the store's or the
// keyring's errors otherwise (a device deleted meanwhile is
// store.ErrNotFound).
func Code(tx store.Tx, kr *seal.Keyring, d store.MFADevice, code string, now time.Time) (Use, error) {
	if d.Drift < -totp.ResyncWindow || d.Drift > totp.ResyncWindow {
		// Pair never records such a drift; a device that has one is
		// refused until ResyncMFADevice measures it again.
		return Use{}, fmt.Errorf("%w: recorded drift %d is beyond ±%d steps", ErrRefused, d.Drift, totp.ResyncWindow)
	}
	seed, err := openSeed(kr, d)
	if err != nil {
		return Use{}, err
	}
	step, err := totp.Verify(seed, code, totp.Step(now)+d.Drift, d.LastStep)
	if err != nil {
		return Use{}, refused(err)
	}
	return record(tx, d, Use{Step: step, Drift: d.Drift, At: now})
}

// Pair verifies two consecutive codes of the device d, as read in tx, at
// time now and records their use in tx: code1 and code2 must be the codes
// of steps k and k+1 within window of the server's step, with k later
// than d.LastStep. The step of code2 becomes LastStep and its distance
// from the server's step the drift, which Code corrects for from then on.
//
// window is totp.Window for EnableMFADevice and totp.ResyncWindow for
// ResyncMFADevice (larger windows are an error); the search is centred on
// the server's clock, not on the recorded drift, so that repeated
// resynchronisations cannot walk the drift further than window. Errors
// are Code's.
func Pair(tx store.Tx, kr *seal.Keyring, d store.MFADevice, code1, code2 string, now time.Time, window int64) (Use, error) {
	if window < 0 || window > totp.ResyncWindow {
		return Use{}, fmt.Errorf("mfacheck: window %d is outside 0..%d", window, totp.ResyncWindow)
	}
	seed, err := openSeed(kr, d)
	if err != nil {
		return Use{}, err
	}
	center := totp.Step(now)
	step, err := totp.VerifyPair(seed, code1, code2, center, window, d.LastStep)
	if err != nil {
		return Use{}, refused(err)
	}
	return record(tx, d, Use{Step: step, Drift: step - center, At: now})
}

// openSeed unseals the device's seed; the serial number is the associated
// data it was sealed with, so a seed copied onto another device's row does
// not open.
func openSeed(kr *seal.Keyring, d store.MFADevice) ([]byte, error) {
	if kr == nil {
		return nil, errors.New("mfacheck: no keyring")
	}
	seed, err := kr.Open(d.Seed, []byte(d.SerialNumber))
	if err != nil {
		return nil, fmt.Errorf("mfacheck: open the seed of %s: %w", d.SerialNumber, err)
	}
	return seed, nil
}

// refused wraps a totp refusal in ErrRefused; totp's other errors (a
// malformed seed) pass through as they are.
func refused(err error) error {
	if errors.Is(err, totp.ErrInvalidCode) || errors.Is(err, totp.ErrReplayed) {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// record stores the use; a step another transaction recorded first is a
// replay like any other.
func record(tx store.Tx, d store.MFADevice, u Use) (Use, error) {
	err := tx.RecordMFAUse(d.Account, d.SerialNumber, u.Step, u.Drift)
	if errors.Is(err, store.ErrConflict) {
		return Use{}, fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if err != nil {
		return Use{}, err
	}
	return u, nil
}
