package sts

import (
	"errors"
	"time"

	"github.com/iamd/iamd/internal/mfacheck"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/totp"
)

// AWS's answers to a failed MFA check in AssumeRole and GetSessionToken
// (AccessDenied, 403), as the AWS CLI prints them: aws/aws-cli#2279 and
// #6325, y13i/sgviz#9.
const (
	msgMFAMissingPart = "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."
	msgMFAUnknown     = "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user."
	msgMFAInvalidCode = "MultiFactorAuthentication failed with invalid MFA one time pass code. "
)

// mfaCheck is an MFA code a request carries, verified against its device.
type mfaCheck struct {
	device store.MFADevice
	code   string
	at     time.Time
}

// checkMFA verifies a request's SerialNumber and TokenCode against the
// caller's MFA device, without spending the code, so that a decision can
// take MFA into account before the write transaction: the device must exist
// in the caller's account and be assigned to the calling user (or root),
// and the code must be that of a current time step (corrected by the
// device's recorded drift) later than the last one used. Neither given is
// no MFA (nil, nil). spendMFA then spends the code in the transaction that
// issues the session.
func (s *Service) checkMFA(c *service.Call, tx store.Tx, serial, code *string) (*mfaCheck, error) {
	if serial == nil && code == nil {
		return nil, nil
	}
	if serial == nil || code == nil {
		return nil, wireError("AccessDenied", "%s", msgMFAMissingPart)
	}
	p := c.Caller
	if p.Type != service.User && p.Type != service.Root {
		return nil, wireError("AccessDenied", "%s", msgMFAUnknown)
	}
	d, err := tx.GetMFADevice(p.AccountID, *serial)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalidArgument) {
		return nil, wireError("AccessDenied", "%s", msgMFAUnknown)
	}
	if err != nil {
		return nil, err
	}
	owned := (p.Type == service.Root && d.Root) || (p.Type == service.User && d.UserID != "" && d.UserID == p.UserID)
	if !owned {
		return nil, wireError("AccessDenied", "%s", msgMFAUnknown)
	}
	seed, err := s.keyring.Open(d.Seed, []byte(d.SerialNumber))
	if err != nil {
		return nil, err
	}
	if _, err := totp.Verify(seed, *code, totp.Step(c.Now)+d.Drift, d.LastStep); err != nil {
		return nil, wireError("AccessDenied", "%s", msgMFAInvalidCode)
	}
	return &mfaCheck{device: d, code: *code, at: c.Now}, nil
}

// spendMFA records the use of a checked code in the write transaction, by
// the code path IAM's EnableMFADevice and ResyncMFADevice use
// (internal/mfacheck): a code used once is refused afterwards, across
// requests, servers and restarts; if another request spent it meanwhile,
// this one is refused.
func (s *Service) spendMFA(tx store.Tx, m *mfaCheck) error {
	if m == nil {
		return nil
	}
	d, err := tx.GetMFADevice(m.device.Account, m.device.SerialNumber)
	if errors.Is(err, store.ErrNotFound) {
		return wireError("AccessDenied", "%s", msgMFAUnknown)
	}
	if err != nil {
		return err
	}
	if d.UserID != m.device.UserID || d.Root != m.device.Root {
		return wireError("AccessDenied", "%s", msgMFAUnknown)
	}
	if _, err := mfacheck.Code(tx, s.keyring, d, m.code, m.at); err != nil {
		if errors.Is(err, mfacheck.ErrRefused) {
			return wireError("AccessDenied", "%s", msgMFAInvalidCode)
		}
		return err
	}
	return nil
}
