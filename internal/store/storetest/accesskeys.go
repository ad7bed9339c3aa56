package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

func testAccessKeys(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	u := f.user(a.ID, "Alice", "/staff/")
	v := f.user(a.ID, "bob", "/")
	f.user(other.ID, "alice", "/")

	k := newKey(a.ID, "ALICE", f.now)
	k.Secret = []byte{0, 1, 2, 3, 254, 255}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateAccessKey(k) })

	t.Run("GetFromAnyAccount", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetAccessKey(k.ID)
			noErr(t, err, "GetAccessKey")
			if got.ID != k.ID || got.Account != a.ID || got.UserName != u.Name || got.UserID != u.ID ||
				got.UserPath != u.Path || !bytes.Equal(got.Secret, k.Secret) || got.Status != store.AccessKeyActive ||
				!got.LastUsed.IsZero() || got.LastUsedService != "" || got.LastUsedRegion != "" {
				t.Fatalf("GetAccessKey = %+v", got)
			}
			sameTime(t, "Created", got.Created, k.Created)
			_, err = tx.GetAccessKey("AKIANOSUCHKEY0000000")
			wantErr(t, err, store.ErrNotFound, store.KindAccessKey)
			return nil
		})
	})

	t.Run("CreateErrors", func(t *testing.T) {
		dup := newKey(other.ID, "alice", f.now)
		dup.ID = k.ID
		noSecret := newKey(a.ID, "alice", f.now)
		noSecret.Secret = nil
		badStatus := newKey(a.ID, "alice", f.now)
		badStatus.Status = "Enabled"
		cases := []struct {
			name     string
			key      store.AccessKey
			sentinel error
			kind     store.Kind
		}{
			{"id taken in another account", dup, store.ErrAlreadyExists, store.KindAccessKey},
			{"missing user", newKey(a.ID, "nobody", f.now), store.ErrNotFound, store.KindUser},
			{"missing account for a root key", newKey("000000000000", "", f.now), store.ErrNotFound, store.KindAccount},
			{"no secret", noSecret, store.ErrInvalidArgument, ""},
			{"unknown status", badStatus, store.ErrInvalidArgument, ""},
			{"no created time", newKey(a.ID, "alice", time.Time{}), store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreateAccessKey(c.key) }), c.sentinel, c.kind)
			})
		}
	})

	t.Run("ListCountUpdateDelete", func(t *testing.T) {
		k2 := f.accessKey(a.ID, "alice")
		vk := f.accessKey(a.ID, v.Name)
		root := f.accessKey(a.ID, "")
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListAccessKeys(a.ID, "alice", store.ListOptions{})
			noErr(t, err, "ListAccessKeys")
			want := []string{k.ID, k2.ID}
			sortStrings(want)
			wantNames(t, "alice's keys", names(p.Items, func(k store.AccessKey) string { return k.ID }), want)
			for _, it := range p.Items {
				if it.UserName != u.Name || it.UserID != u.ID {
					t.Fatalf("listed key %+v lacks its owner", it)
				}
			}
			p, err = tx.ListAccessKeys(a.ID, "", store.ListOptions{})
			noErr(t, err, "ListAccessKeys root")
			wantNames(t, "root keys", names(p.Items, func(k store.AccessKey) string { return k.ID }), []string{root.ID})
			counts := map[string]int{"alice": 2, "bob": 1, "": 1}
			for user, want := range counts {
				n, err := tx.CountAccessKeys(a.ID, user)
				noErr(t, err, "CountAccessKeys")
				if n != want {
					t.Fatalf("CountAccessKeys(%q) = %d, want %d", user, n, want)
				}
			}
			n, err := tx.CountAccessKeys(other.ID, "")
			noErr(t, err, "CountAccessKeys")
			if n != 0 {
				t.Fatalf("other account's root has %d keys", n)
			}
			got, err := tx.GetAccessKey(root.ID)
			noErr(t, err, "GetAccessKey root")
			if got.UserName != "" || got.UserID != "" || got.Account != a.ID {
				t.Fatalf("root key = %+v", got)
			}
			_, err = tx.ListAccessKeys(a.ID, "nobody", store.ListOptions{})
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			_, err = tx.CountAccessKeys(a.ID, "nobody")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			return nil
		})

		f.mustUpdate(func(tx store.Tx) error {
			return tx.UpdateAccessKeyStatus(a.ID, "Alice", k2.ID, store.AccessKeyInactive)
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.UpdateAccessKeyStatus(a.ID, "", root.ID, store.AccessKeyInactive) })
		f.mustView(func(tx store.Tx) error {
			for _, id := range []string{k2.ID, root.ID} {
				got, err := tx.GetAccessKey(id)
				noErr(t, err, "GetAccessKey")
				if got.Status != store.AccessKeyInactive {
					t.Fatalf("status = %s", got.Status)
				}
			}
			return nil
		})

		errCases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"update another user's key", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(a.ID, "bob", k.ID, store.AccessKeyInactive)
			}, store.ErrNotFound, store.KindAccessKey},
			{"update a user's key as root", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(a.ID, "", k.ID, store.AccessKeyInactive)
			}, store.ErrNotFound, store.KindAccessKey},
			{"update from another account", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(other.ID, "alice", k.ID, store.AccessKeyInactive)
			}, store.ErrNotFound, store.KindAccessKey},
			{"update missing user", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(a.ID, "nobody", k.ID, store.AccessKeyInactive)
			}, store.ErrNotFound, store.KindUser},
			{"update to unknown status", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(a.ID, "alice", k.ID, "Disabled")
			}, store.ErrInvalidArgument, ""},
			{"delete another user's key", func(tx store.Tx) error {
				return tx.DeleteAccessKey(a.ID, "bob", k.ID)
			}, store.ErrNotFound, store.KindAccessKey},
			{"delete missing key", func(tx store.Tx) error {
				return tx.DeleteAccessKey(a.ID, "alice", "AKIANOSUCHKEY0000000")
			}, store.ErrNotFound, store.KindAccessKey},
		}
		for _, c := range errCases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}

		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.DeleteAccessKey(a.ID, "bob", vk.ID), "DeleteAccessKey")
			return tx.DeleteAccessKey(a.ID, "", root.ID)
		})
		f.mustView(func(tx store.Tx) error {
			for _, id := range []string{vk.ID, root.ID} {
				_, err := tx.GetAccessKey(id)
				wantErr(t, err, store.ErrNotFound, store.KindAccessKey)
			}
			return nil
		})
	})

	t.Run("RecordUse", func(t *testing.T) {
		k3 := f.accessKey(a.ID, "bob")
		t1 := time.Date(2026, 6, 1, 0, 0, 0, 1, time.UTC)
		t2 := t1.Add(time.Hour)
		f.mustUpdate(func(tx store.Tx) error {
			return tx.RecordAccessKeyUse([]store.KeyUse{
				{AccessKeyID: k3.ID, Time: t2, Service: "sts", Region: "eu-west-1"},
				{AccessKeyID: k.ID, Time: t1, Service: "iam", Region: "us-east-1"},
				{AccessKeyID: k3.ID, Time: t1, Service: "iam", Region: "us-east-1"}, // older: ignored
				{AccessKeyID: "AKIADELETEDMEANWHILE", Time: t1, Service: "iam", Region: "us-east-1"},
			})
		})
		f.mustView(func(tx store.Tx) error {
			cases := []struct {
				id      string
				at      time.Time
				service string
				region  string
			}{
				{k3.ID, t2, "sts", "eu-west-1"},
				{k.ID, t1, "iam", "us-east-1"},
			}
			for _, c := range cases {
				got, err := tx.GetAccessKey(c.id)
				noErr(t, err, "GetAccessKey")
				sameTime(t, "LastUsed", got.LastUsed, c.at)
				if got.LastUsedService != c.service || got.LastUsedRegion != c.region {
					t.Fatalf("last use = %s %s, want %s %s", got.LastUsedService, got.LastUsedRegion, c.service, c.region)
				}
			}
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.RecordAccessKeyUse(nil) })
		wantErr(t, f.update(func(tx store.Tx) error {
			return tx.RecordAccessKeyUse([]store.KeyUse{{AccessKeyID: k.ID}})
		}), store.ErrInvalidArgument, "")
	})
}
