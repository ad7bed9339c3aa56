// Package totp implements the time-based one-time passwords of virtual MFA
// devices: RFC 6238 with the parameters AWS and every authenticator app use
// (HMAC-SHA-1, six digits, 30-second steps), computed by
// github.com/pquerna/otp, and the otpauth:// URI and QR code an
// authenticator app scans.
//
// Nothing here reads the clock: every function takes the time (or the time
// step) it works at, so that callers inject their clock and the windows,
// replay refusal and resynchronisation are tested without sleeping.
//
// Replay refusal works on time steps. A device remembers the last step whose
// code it accepted; a code of that step or an earlier one is refused even if
// it is right, so that a code seen once (over a shoulder, in a log, on the
// wire) cannot be used again.
package totp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// RFC 6238 parameters of AWS virtual MFA devices.
const (
	// Period is the length of one time step.
	Period = 30 * time.Second
	// Digits is the length of a code.
	Digits = 6
	// SeedSize is the size of a seed in bytes: 320 bits, 64 Base32
	// characters, the length of the seeds AWS hands out (RFC 4226 asks for
	// at least 128 bits).
	SeedSize = 40
	// Window is how many steps either side of the current one a code is
	// accepted in, to absorb clock skew between device and server and the
	// time a person takes to type the code.
	Window = 1
	// ResyncWindow is how many steps either side of the current one
	// Resync searches for two consecutive codes: five minutes, for a device
	// whose clock has drifted further than Window allows.
	ResyncWindow = 10
)

// Errors of the package. A caller reports all of them to a client the same
// way (AWS's InvalidAuthenticationCode); they differ for tests and logs.
var (
	// ErrInvalidCode means no step in the window has the code, or the
	// code is not six digits.
	ErrInvalidCode = errors.New("totp: code does not match")
	// ErrReplayed means the code matches a step at or before the last
	// step the device accepted.
	ErrReplayed = errors.New("totp: code already used")
	// ErrSeed means a seed is not SeedSize bytes or not Base32.
	ErrSeed = errors.New("totp: malformed seed")
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSeed returns a random seed of SeedSize bytes from crypto/rand.
func NewSeed() ([]byte, error) {
	seed := make([]byte, SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, fmt.Errorf("totp: seed: %w", err)
	}
	return seed, nil
}

// EncodeSeed returns the seed in Base32 without padding (RFC 4648), the
// form AWS's Base32StringSeed and authenticator apps use.
func EncodeSeed(seed []byte) string {
	return b32.EncodeToString(seed)
}

// DecodeSeed parses EncodeSeed's form.
func DecodeSeed(s string) ([]byte, error) {
	seed, err := b32.DecodeString(s)
	if err != nil || len(seed) == 0 {
		return nil, ErrSeed
	}
	return seed, nil
}

// Step returns the RFC 6238 time step of t: the number of whole periods
// since the Unix epoch.
func Step(t time.Time) int64 {
	s := t.Unix()
	p := int64(Period / time.Second)
	if s < 0 { // floor, not truncation, for times before 1970
		return (s - p + 1) / p
	}
	return s / p
}

// Code returns the six-digit code of the seed at a time step.
func Code(seed []byte, step int64) (string, error) {
	if len(seed) == 0 || step < 0 {
		return "", ErrSeed
	}
	return hotp.GenerateCodeCustom(EncodeSeed(seed), uint64(step), hotp.ValidateOpts{
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
}

// validFormat reports whether code is six ASCII digits; anything else can
// be refused without computing a code.
func validFormat(code string) bool {
	if len(code) != Digits {
		return false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// matchStep looks for the step in [lo, hi] whose code is code, comparing
// every candidate in constant time, and returns it.
func matchStep(seed []byte, code string, lo, hi int64) (int64, bool, error) {
	found, ok := int64(0), false
	for s := max(lo, 0); s <= hi; s++ {
		want, err := Code(seed, s)
		if err != nil {
			return 0, false, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && !ok {
			found, ok = s, true
		}
	}
	return found, ok, nil
}

// Verify checks one code against the steps within Window of center (the
// current step corrected by the device's recorded drift) and returns the
// step it belongs to. A code of a step at or before lastUsed is
// ErrReplayed; lastUsed is 0 for a device that never accepted a code.
func Verify(seed []byte, code string, center, lastUsed int64) (int64, error) {
	if !validFormat(code) {
		return 0, ErrInvalidCode
	}
	s, ok, err := matchStep(seed, code, center-Window, center+Window)
	switch {
	case err != nil:
		return 0, err
	case !ok:
		return 0, ErrInvalidCode
	case s <= lastUsed:
		return 0, ErrReplayed
	}
	return s, nil
}

// VerifyPair checks two codes a person read from the device one after the
// other, as EnableMFADevice and ResyncMFADevice take them: code1 must be
// the code of some step k and code2 that of k+1, with both steps within
// window of center. It returns k+1, the last step used. A pair whose first
// step is at or before lastUsed is ErrReplayed.
func VerifyPair(seed []byte, code1, code2 string, center, window, lastUsed int64) (int64, error) {
	if !validFormat(code1) || !validFormat(code2) {
		return 0, ErrInvalidCode
	}
	replayed := false
	for k := max(center-window, 0); k+1 <= center+window; k++ {
		c1, err := Code(seed, k)
		if err != nil {
			return 0, err
		}
		c2, err := Code(seed, k+1)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(c1), []byte(code1))&subtle.ConstantTimeCompare([]byte(c2), []byte(code2)) != 1 {
			continue
		}
		if k <= lastUsed {
			replayed = true
			continue
		}
		return k + 1, nil
	}
	if replayed {
		return 0, ErrReplayed
	}
	return 0, ErrInvalidCode
}

// URI returns the otpauth:// URI of a TOTP seed in the Key Uri Format
// authenticator apps read: otpauth://totp/<issuer>:<account>?secret=...&issuer=...
// with the algorithm, digits and period spelled out. account is what the
// app shows under the issuer; AWS uses "<device name>@<account name>".
func URI(issuer, account string, seed []byte) string {
	label := account
	if issuer != "" {
		label = issuer + ":" + account
	}
	q := url.Values{}
	q.Set("secret", EncodeSeed(seed))
	if issuer != "" {
		q.Set("issuer", issuer)
	}
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(Digits))
	q.Set("period", fmt.Sprint(int(Period/time.Second)))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + label, RawQuery: q.Encode()}
	return u.String()
}
