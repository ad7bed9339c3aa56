package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

func (f *fixture) mfaDevice(account, name string) store.MFADevice {
	f.tb.Helper()
	d := store.MFADevice{Account: account, SerialNumber: "arn:aws:iam::" + account + ":mfa/" + name, Name: name, Path: "/",
		Seed: []byte("sealed-seed-" + name), Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateVirtualMFADevice(d) })
	return d
}

func serial(d store.MFADevice) string { return d.SerialNumber }

func testMFADevices(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	u := f.user(a.ID, "Alice", "/")
	f.user(a.ID, "bob", "/")
	d1 := f.mfaDevice(a.ID, "alice-phone")
	d2 := f.mfaDevice(a.ID, "alice-tablet")
	root := f.mfaDevice(a.ID, "root-account-mfa-device")
	spare := f.mfaDevice(a.ID, "spare")
	enabled := f.now.Add(time.Hour)

	t.Run("Create", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetMFADevice(a.ID, d1.SerialNumber)
			noErr(t, err, "GetMFADevice")
			if got.Name != d1.Name || got.Path != "/" || !bytes.Equal(got.Seed, d1.Seed) || got.Assigned() || !got.EnableDate.IsZero() {
				t.Fatalf("GetMFADevice = %+v", got)
			}
			sameTime(t, "Created", got.Created, d1.Created)
			_, err = tx.GetMFADevice(other.ID, d1.SerialNumber)
			wantErr(t, err, store.ErrNotFound, store.KindMFADevice)
			return nil
		})
		cases := []struct {
			name     string
			dev      store.MFADevice
			sentinel error
			kind     store.Kind
		}{
			{"same serial", store.MFADevice{Account: a.ID, SerialNumber: d1.SerialNumber, Name: "x", Path: "/", Seed: []byte("s"), Created: f.now}, store.ErrAlreadyExists, store.KindMFADevice},
			{"same name in other case", store.MFADevice{Account: a.ID, SerialNumber: "arn:x", Name: "ALICE-PHONE", Path: "/", Seed: []byte("s"), Created: f.now}, store.ErrAlreadyExists, store.KindMFADevice},
			{"no seed", store.MFADevice{Account: a.ID, SerialNumber: "arn:y", Name: "y", Path: "/", Created: f.now}, store.ErrInvalidArgument, ""},
			{"missing account", store.MFADevice{Account: "000000000000", SerialNumber: "arn:z", Name: "z", Path: "/", Seed: []byte("s"), Created: f.now}, store.ErrNotFound, store.KindAccount},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreateVirtualMFADevice(c.dev) }), c.sentinel, c.kind)
			})
		}
	})

	t.Run("Assignment", func(t *testing.T) {
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.EnableMFADevice(a.ID, "ALICE", d1.SerialNumber, enabled), "EnableMFADevice")
			noErr(t, tx.EnableMFADevice(a.ID, "alice", d2.SerialNumber, enabled), "EnableMFADevice")
			return tx.EnableMFADevice(a.ID, "", root.SerialNumber, enabled)
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetMFADevice(a.ID, d1.SerialNumber)
			noErr(t, err, "GetMFADevice")
			if got.UserName != u.Name || got.UserID != u.ID || got.Root || !got.Assigned() {
				t.Fatalf("assigned device = %+v", got)
			}
			sameTime(t, "EnableDate", got.EnableDate, enabled)
			r, err := tx.GetMFADevice(a.ID, root.SerialNumber)
			noErr(t, err, "GetMFADevice")
			if !r.Root || r.UserID != "" || !r.Assigned() {
				t.Fatalf("root device = %+v", r)
			}
			mine, err := tx.ListMFADevices(a.ID, "alice", store.ListOptions{})
			noErr(t, err, "ListMFADevices")
			want := []string{d1.SerialNumber, d2.SerialNumber}
			sortStrings(want)
			wantNames(t, "alice's devices", names(mine.Items, serial), want)
			roots, err := tx.ListMFADevices(a.ID, "", store.ListOptions{})
			noErr(t, err, "ListMFADevices root")
			wantNames(t, "root's devices", names(roots.Items, serial), []string{root.SerialNumber})
			d, err := tx.UserDependencies(a.ID, "alice")
			noErr(t, err, "UserDependencies")
			if d.MFADevices != 2 {
				t.Fatalf("UserDependencies = %+v", d)
			}
			return nil
		})
		filters := []struct {
			name   string
			status store.MFAAssignment
			want   []string
		}{
			{"any", store.AnyAssignment, []string{d1.SerialNumber, d2.SerialNumber, root.SerialNumber, spare.SerialNumber}},
			{"assigned", store.AssignedOnly, []string{d1.SerialNumber, d2.SerialNumber, root.SerialNumber}},
			{"unassigned", store.UnassignedOnly, []string{spare.SerialNumber}},
		}
		for _, c := range filters {
			t.Run(c.name, func(t *testing.T) {
				sortStrings(c.want)
				got := allPages(t, 1, func(marker string) (p store.Page[store.MFADevice], err error) {
					err = f.view(func(tx store.Tx) error {
						p, err = tx.ListVirtualMFADevices(a.ID, c.status, store.ListOptions{Marker: marker, MaxItems: 1})
						return err
					})
					return p, err
				})
				wantNames(t, "devices", names(got, serial), c.want)
			})
		}
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"enable an assigned device", func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, "bob", d1.SerialNumber, enabled) }, store.ErrConflict, store.KindMFADevice},
			{"enable for a missing user", func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, "nobody", spare.SerialNumber, enabled) }, store.ErrNotFound, store.KindUser},
			{"enable a missing device", func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, "bob", "arn:none", enabled) }, store.ErrNotFound, store.KindMFADevice},
			{"deactivate for the wrong user", func(tx store.Tx) error { return tx.DeactivateMFADevice(a.ID, "bob", d1.SerialNumber) }, store.ErrNotFound, store.KindMFADevice},
			{"deactivate a user's device as root", func(tx store.Tx) error { return tx.DeactivateMFADevice(a.ID, "", d1.SerialNumber) }, store.ErrNotFound, store.KindMFADevice},
			{"delete an assigned device", func(tx store.Tx) error { return tx.DeleteVirtualMFADevice(a.ID, d1.SerialNumber) }, store.ErrConflict, store.KindMFADevice},
			{"delete the user", func(tx store.Tx) error { return tx.DeleteUser(a.ID, "alice") }, store.ErrConflict, store.KindUser},
			{"unknown filter", func(tx store.Tx) error {
				_, err := tx.ListVirtualMFADevices(a.ID, 7, store.ListOptions{})
				return err
			}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
	})

	t.Run("DeactivateAndDelete", func(t *testing.T) {
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindMFADevice, ID: d1.SerialNumber}
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.TagResource(ref, []store.Tag{{Key: "Owner", Value: "alice"}}), "TagResource")
			noErr(t, tx.DeactivateMFADevice(a.ID, "alice", d1.SerialNumber), "DeactivateMFADevice")
			noErr(t, tx.DeactivateMFADevice(a.ID, "alice", d2.SerialNumber), "DeactivateMFADevice")
			return tx.DeactivateMFADevice(a.ID, "", root.SerialNumber)
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetMFADevice(a.ID, root.SerialNumber)
			noErr(t, err, "GetMFADevice")
			if got.Assigned() || !got.EnableDate.IsZero() {
				t.Fatalf("deactivated device = %+v", got)
			}
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.DeleteVirtualMFADevice(a.ID, d1.SerialNumber), "DeleteVirtualMFADevice")
			return tx.DeleteUser(a.ID, "alice")
		})
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetMFADevice(a.ID, d1.SerialNumber)
			wantErr(t, err, store.ErrNotFound, store.KindMFADevice)
			_, err = tx.CountTags(ref)
			wantErr(t, err, store.ErrNotFound, store.KindMFADevice)
			return nil
		})
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteVirtualMFADevice(a.ID, d1.SerialNumber) }), store.ErrNotFound, store.KindMFADevice)
	})
	t.Run("RecordUse", func(t *testing.T) {
		d := f.mfaDevice(a.ID, "bob-key")
		use := func(t *testing.T, want store.MFADevice) {
			t.Helper()
			f.mustView(func(tx store.Tx) error {
				got, err := tx.GetMFADevice(a.ID, d.SerialNumber)
				noErr(t, err, "GetMFADevice")
				if got.LastStep != want.LastStep || got.Drift != want.Drift {
					t.Fatalf("device step %d drift %d, want %d and %d", got.LastStep, got.Drift, want.LastStep, want.Drift)
				}
				return nil
			})
		}
		use(t, store.MFADevice{}) // a new device has accepted nothing
		steps := []struct {
			name      string
			step      int64
			drift     int64
			sentinel  error
			kind      store.Kind
			wantAfter store.MFADevice
		}{
			{"first use", 59_000_000, 2, nil, "", store.MFADevice{LastStep: 59_000_000, Drift: 2}},
			{"the same step again", 59_000_000, 0, store.ErrConflict, store.KindMFADevice, store.MFADevice{LastStep: 59_000_000, Drift: 2}},
			{"an earlier step", 58_999_999, 0, store.ErrConflict, store.KindMFADevice, store.MFADevice{LastStep: 59_000_000, Drift: 2}},
			{"a later step, clock behind", 59_000_001, -3, nil, "", store.MFADevice{LastStep: 59_000_001, Drift: -3}},
			{"a negative step", -1, 0, store.ErrInvalidArgument, "", store.MFADevice{LastStep: 59_000_001, Drift: -3}},
		}
		for _, c := range steps {
			t.Run(c.name, func(t *testing.T) {
				err := f.update(func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, d.SerialNumber, c.step, c.drift) })
				if c.sentinel == nil {
					noErr(t, err, "RecordMFAUse")
				} else {
					wantErr(t, err, c.sentinel, c.kind)
				}
				use(t, c.wantAfter)
			})
		}
		errs := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"missing device", func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, "arn:none", 1, 0) }, store.ErrNotFound, store.KindMFADevice},
			{"another account's device", func(tx store.Tx) error { return tx.RecordMFAUse(other.ID, d.SerialNumber, 59_000_002, 0) }, store.ErrNotFound, store.KindMFADevice},
			{"serial not UTF-8", func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, "arn:\xff", 1, 0) }, store.ErrInvalidArgument, ""},
		}
		for _, c := range errs {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
		t.Run("read-only", func(t *testing.T) {
			wantErr(t, f.view(func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, d.SerialNumber, 59_000_002, 0) }), store.ErrReadOnly, "")
		})
		t.Run("rolled back", func(t *testing.T) {
			boom := errors.New("boom")
			err := f.update(func(tx store.Tx) error {
				noErr(t, tx.RecordMFAUse(a.ID, d.SerialNumber, 59_000_009, 9), "RecordMFAUse")
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("Update = %v, want boom", err)
			}
			use(t, store.MFADevice{LastStep: 59_000_001, Drift: -3})
		})
		t.Run("kept through deactivation", func(t *testing.T) {
			f.mustUpdate(func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, "bob", d.SerialNumber, enabled) })
			f.mustUpdate(func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, d.SerialNumber, 59_000_005, 1) })
			f.mustView(func(tx store.Tx) error {
				p, err := tx.ListMFADevices(a.ID, "bob", store.ListOptions{})
				noErr(t, err, "ListMFADevices")
				if len(p.Items) != 1 || p.Items[0].LastStep != 59_000_005 || p.Items[0].Drift != 1 {
					t.Fatalf("ListMFADevices(bob) = %+v", p.Items)
				}
				return nil
			})
			f.mustUpdate(func(tx store.Tx) error { return tx.DeactivateMFADevice(a.ID, "bob", d.SerialNumber) })
			use(t, store.MFADevice{LastStep: 59_000_005, Drift: 1})
			f.mustUpdate(func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, "bob", d.SerialNumber, enabled) })
			use(t, store.MFADevice{LastStep: 59_000_005, Drift: 1})
			wantErr(t, f.update(func(tx store.Tx) error { return tx.RecordMFAUse(a.ID, d.SerialNumber, 59_000_005, 0) }), store.ErrConflict, store.KindMFADevice)
			f.mustUpdate(func(tx store.Tx) error { return tx.DeactivateMFADevice(a.ID, "bob", d.SerialNumber) })
		})
	})

	// RaceForOneStep is the services' pattern (read the device, check the
	// code's step is later than LastStep, record it) run by many requests
	// holding the same code at once: exactly one may succeed.
	t.Run("RaceForOneStep", func(t *testing.T) {
		const racers = 16
		d := f.mfaDevice(a.ID, "raced")
		const step = 60_000_000
		errs := make([]error, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f.update(func(tx store.Tx) error {
					got, err := tx.GetMFADevice(a.ID, d.SerialNumber)
					if err != nil {
						return err
					}
					if got.LastStep >= step {
						return store.Conflict(store.KindMFADevice, d.SerialNumber)
					}
					return tx.RecordMFAUse(a.ID, d.SerialNumber, step, 0)
				})
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
			wantErr(t, err, store.ErrConflict, store.KindMFADevice)
		}
		if ok != 1 {
			t.Fatalf("%d of %d requests used the same step, want exactly 1", ok, racers)
		}
	})
}
