package mfacheck_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/mfacheck"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/totp"
)

// now is the server's clock in these tests; step is its time step.
var (
	now  = time.Date(2026, 5, 1, 12, 0, 10, 0, time.UTC)
	step = totp.Step(now)
)

// bench is one SQLite store holding one account with one virtual MFA
// device, its seed sealed as IAM seals it.
type bench struct {
	top    *testing.T // the test that owns the store, for its cleanup
	path   string
	st     store.Store
	kr     *seal.Keyring
	seed   []byte
	serial string
	acct   string
}

func newBench(t *testing.T) *bench {
	t.Helper()
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	seed, err := totp.NewSeed()
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{top: t, path: filepath.Join(t.TempDir(), "iamd.db"), kr: kr, seed: seed, acct: awsid.AccountID()}
	b.serial = "arn:aws:iam::" + b.acct + ":mfa/phone"
	b.open(t)
	sealed, err := kr.Seal(seed, []byte(b.serial))
	if err != nil {
		t.Fatal(err)
	}
	b.update(t, func(tx store.Tx) error {
		if err := tx.CreateAccount(store.Account{ID: b.acct, RootEmail: "root@example.com", RootPasswordHash: []byte("h"), Created: now}); err != nil {
			return err
		}
		return tx.CreateVirtualMFADevice(store.MFADevice{Account: b.acct, SerialNumber: b.serial, Name: "phone", Path: "/", Seed: sealed, Created: now})
	})
	return b
}

// open opens (or, after close, reopens) the store file: a restart.
func (b *bench) open(t *testing.T) {
	t.Helper()
	st, err := sqlite.Open(b.path)
	if err != nil {
		t.Fatal(err)
	}
	b.st = st
	b.top.Cleanup(func() { _ = st.Close() })
}

func (b *bench) restart(t *testing.T) {
	t.Helper()
	if err := b.st.Close(); err != nil {
		t.Fatal(err)
	}
	b.open(t)
}

func (b *bench) update(t *testing.T, fn func(store.Tx) error) {
	t.Helper()
	if err := b.st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// code is the device's code at the server's step plus offset.
func (b *bench) code(t *testing.T, offset int64) string {
	t.Helper()
	c, err := totp.Code(b.seed, step+offset)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// device reads the device as it is stored.
func (b *bench) device(t *testing.T) store.MFADevice {
	t.Helper()
	var d store.MFADevice
	err := b.st.View(context.Background(), func(tx store.Tx) error {
		var err error
		d, err = tx.GetMFADevice(b.acct, b.serial)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// single runs Code in its own Update, as an STS request would.
func (b *bench) single(code string, at time.Time) (mfacheck.Use, error) {
	var u mfacheck.Use
	err := b.st.Update(context.Background(), func(tx store.Tx) error {
		d, err := tx.GetMFADevice(b.acct, b.serial)
		if err != nil {
			return err
		}
		u, err = mfacheck.Code(tx, b.kr, d, code, at)
		return err
	})
	return u, err
}

// pair runs Pair in its own Update, as EnableMFADevice would.
func (b *bench) pair(code1, code2 string, at time.Time, window int64) (mfacheck.Use, error) {
	var u mfacheck.Use
	err := b.st.Update(context.Background(), func(tx store.Tx) error {
		d, err := tx.GetMFADevice(b.acct, b.serial)
		if err != nil {
			return err
		}
		u, err = mfacheck.Pair(tx, b.kr, d, code1, code2, at, window)
		return err
	})
	return u, err
}

// wantRefused checks that err is ErrRefused for the reason given.
func wantRefused(t *testing.T, err, reason error) {
	t.Helper()
	if !errors.Is(err, mfacheck.ErrRefused) {
		t.Fatalf("error = %v, want ErrRefused", err)
	}
	if reason != nil && !errors.Is(err, reason) {
		t.Fatalf("error = %v, want it to wrap %v", err, reason)
	}
}

// TestCodeAcceptedOnce walks one device through the single-code check
// STS makes, in separate transactions and across a restart of the store:
// each code is accepted once, within the window, and never again.
func TestCodeAcceptedOnce(t *testing.T) {
	b := newBench(t)
	steps := []struct {
		name     string
		offset   int64 // the code's step, relative to the server's
		code     string
		restart  bool
		reason   error // nil: accepted
		wantStep int64 // the device's LastStep afterwards
	}{
		{name: "not six digits", code: "12345a", reason: totp.ErrInvalidCode},
		{name: "two steps behind", offset: -2, reason: totp.ErrInvalidCode},
		{name: "one step behind", offset: -1, wantStep: step - 1},
		{name: "the same code again", offset: -1, reason: totp.ErrReplayed, wantStep: step - 1},
		{name: "the current code", offset: 0, wantStep: step},
		{name: "the current code after a restart", offset: 0, restart: true, reason: totp.ErrReplayed, wantStep: step},
		{name: "the previous code after a restart", offset: -1, reason: totp.ErrReplayed, wantStep: step},
		{name: "one step ahead", offset: 1, wantStep: step + 1},
		{name: "two steps ahead", offset: 2, reason: totp.ErrInvalidCode, wantStep: step + 1},
	}
	for _, c := range steps {
		t.Run(c.name, func(t *testing.T) {
			if c.restart {
				b.restart(t)
			}
			code := c.code
			if code == "" {
				code = b.code(t, c.offset)
			}
			u, err := b.single(code, now)
			if c.reason != nil {
				wantRefused(t, err, c.reason)
			} else if err != nil {
				t.Fatal(err)
			} else if u.Step != step+c.offset || u.Drift != 0 || !u.At.Equal(now) {
				t.Fatalf("Use = %+v, want step %d", u, step+c.offset)
			}
			if d := b.device(t); d.LastStep != c.wantStep {
				t.Fatalf("LastStep = %d, want %d", d.LastStep, c.wantStep)
			}
		})
	}
}

// TestPair checks the two-code check of EnableMFADevice (Window) and
// ResyncMFADevice (ResyncWindow): the drift it records, its replay
// refusal, and that Code then looks for codes around the drifted step.
func TestPair(t *testing.T) {
	b := newBench(t)
	steps := []struct {
		name             string
		from             int64 // code1's step relative to the server's; code2 is the next
		window           int64
		reason           error
		wantStep, wantDr int64 // the device afterwards
	}{
		{name: "a device five steps ahead, enable's window", from: 4, window: totp.Window, reason: totp.ErrInvalidCode},
		{name: "a device five steps ahead, resync's window", from: 4, window: totp.ResyncWindow, wantStep: step + 5, wantDr: 5},
		{name: "the same pair again", from: 4, window: totp.ResyncWindow, reason: totp.ErrReplayed, wantStep: step + 5, wantDr: 5},
		{name: "an earlier pair", from: 2, window: totp.ResyncWindow, reason: totp.ErrReplayed, wantStep: step + 5, wantDr: 5},
		{name: "beyond resync's window", from: 11, window: totp.ResyncWindow, reason: totp.ErrInvalidCode, wantStep: step + 5, wantDr: 5},
	}
	for _, c := range steps {
		t.Run(c.name, func(t *testing.T) {
			u, err := b.pair(b.code(t, c.from), b.code(t, c.from+1), now, c.window)
			if c.reason != nil {
				wantRefused(t, err, c.reason)
			} else if err != nil {
				t.Fatal(err)
			} else if u.Step != c.wantStep || u.Drift != c.wantDr {
				t.Fatalf("Use = %+v", u)
			}
			if d := b.device(t); d.LastStep != c.wantStep || d.Drift != c.wantDr {
				t.Fatalf("device step %d drift %d, want %d and %d", d.LastStep, d.Drift, c.wantStep, c.wantDr)
			}
		})
	}
	t.Run("single codes follow the drift", func(t *testing.T) {
		// The device runs five steps ahead: its code for the server's
		// step+6 is current for it, and its code for step+3 too old.
		wantRefused(t, func() error { _, err := b.single(b.code(t, 3), now); return err }(), totp.ErrInvalidCode)
		u, err := b.single(b.code(t, 6), now)
		if err != nil {
			t.Fatal(err)
		}
		if u.Step != step+6 || u.Drift != 5 {
			t.Fatalf("Use = %+v", u)
		}
	})
	t.Run("resync back to the server's clock", func(t *testing.T) {
		// Later the device is right again: a pair around the server's
		// step, after the last used one, brings the drift back.
		later := now.Add(10 * totp.Period)
		c1, err := totp.Code(b.seed, step+9)
		if err != nil {
			t.Fatal(err)
		}
		c2, err := totp.Code(b.seed, step+10)
		if err != nil {
			t.Fatal(err)
		}
		u, err := b.pair(c1, c2, later, totp.ResyncWindow)
		if err != nil {
			t.Fatal(err)
		}
		if u.Step != step+10 || u.Drift != 0 {
			t.Fatalf("Use = %+v", u)
		}
	})
}

// TestRefusals covers what is an error rather than a refused code, and
// a recorded drift Pair could not have written.
func TestRefusals(t *testing.T) {
	b := newBench(t)
	other, err := seal.NewKeyring(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		fn      func(tx store.Tx, d store.MFADevice) error
		refused bool
	}{
		{"another keyring", func(tx store.Tx, d store.MFADevice) error {
			_, err := mfacheck.Code(tx, other, d, b.code(t, 0), now)
			return err
		}, false},
		{"no keyring", func(tx store.Tx, d store.MFADevice) error {
			_, err := mfacheck.Code(tx, nil, d, b.code(t, 0), now)
			return err
		}, false},
		{"negative window", func(tx store.Tx, d store.MFADevice) error {
			_, err := mfacheck.Pair(tx, b.kr, d, b.code(t, 0), b.code(t, 1), now, -1)
			return err
		}, false},
		{"window wider than resync's", func(tx store.Tx, d store.MFADevice) error {
			_, err := mfacheck.Pair(tx, b.kr, d, b.code(t, 0), b.code(t, 1), now, totp.ResyncWindow+1)
			return err
		}, false},
		{"implausible recorded drift", func(tx store.Tx, d store.MFADevice) error {
			d.Drift = 1 << 62
			_, err := mfacheck.Code(tx, b.kr, d, b.code(t, 0), now)
			return err
		}, true},
		{"a device deleted meanwhile", func(tx store.Tx, d store.MFADevice) error {
			if err := tx.DeleteVirtualMFADevice(d.Account, d.SerialNumber); err != nil {
				return err
			}
			_, err := mfacheck.Code(tx, b.kr, d, b.code(t, 0), now)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("error = %v, want ErrNotFound", err)
			}
			return err
		}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := b.st.Update(context.Background(), func(tx store.Tx) error {
				d, err := tx.GetMFADevice(b.acct, b.serial)
				if err != nil {
					return err
				}
				return c.fn(tx, d)
			})
			if err == nil {
				t.Fatal("accepted")
			}
			if got := errors.Is(err, mfacheck.ErrRefused); got != c.refused {
				t.Fatalf("error %v: refused %v, want %v", err, got, c.refused)
			}
			if d := b.device(t); d.LastStep != 0 {
				t.Fatalf("LastStep = %d after a failed check", d.LastStep)
			}
		})
	}
}

// TestConcurrentUseOfOneCode has many requests present the same code at
// once: exactly one is accepted.
func TestConcurrentUseOfOneCode(t *testing.T) {
	const racers = 12
	b := newBench(t)
	code := b.code(t, 0)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = b.single(code, now)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantRefused(t, err, nil)
	}
	if ok != 1 {
		t.Fatalf("%d of %d requests were accepted with one code, want exactly 1", ok, racers)
	}
}
