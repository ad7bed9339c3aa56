package storetest

import (
	"bytes"
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
}
