package sts

import (
	"errors"
	"sync"
	"time"

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

// mfaCheck is an MFA code accepted by a request, to be recorded as the
// device's last used step once the request's transaction has committed.
type mfaCheck struct {
	serial string
	step   int64
	at     time.Time
}

// mfaSteps remembers, per device, the last time step whose code STS
// accepted, so that a code cannot be used twice (RFC 6238 section 5.2).
// It lives in the process: the store keeps no per-device counter.
type mfaSteps struct {
	mu   sync.Mutex
	last map[string]int64
}

func (m *mfaSteps) get(serial string) int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last[serial]
}

// record keeps the step if it is later than the one recorded.
func (m *mfaSteps) record(c *mfaCheck) {
	if c == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.last == nil {
		m.last = map[string]int64{}
	}
	if c.step > m.last[c.serial] {
		m.last[c.serial] = c.step
	}
}

// checkMFA verifies a request's SerialNumber and TokenCode against the
// caller's MFA device: the device must exist in the caller's account and
// be assigned to the calling user (or root), and the code must be that of
// a current time step not used before. Neither given is no MFA (nil, nil).
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
	step, err := totp.Verify(seed, *code, totp.Step(c.Now), s.mfa.get(d.SerialNumber))
	if err != nil {
		return nil, wireError("AccessDenied", "%s", msgMFAInvalidCode)
	}
	return &mfaCheck{serial: d.SerialNumber, step: step, at: c.Now}, nil
}
