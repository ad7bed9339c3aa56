package storetest

import (
	"bytes"
	"testing"

	"github.com/iamd/iamd/internal/store"
)

func testAccounts(t *testing.T, open Opener) {
	f := newFixture(t, open)

	a := store.Account{ID: "123456789012", Alias: "example-corp", RootEmail: "root@example.com", RootPasswordHash: []byte{0, 1, 2, 255}, Created: f.now}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateAccount(a) })

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetAccount(a.ID)
			noErr(t, err, "GetAccount")
			if got.ID != a.ID || got.Alias != a.Alias || got.RootEmail != a.RootEmail || !bytes.Equal(got.RootPasswordHash, a.RootPasswordHash) {
				t.Fatalf("GetAccount = %+v, want %+v", got, a)
			}
			sameTime(t, "Created", got.Created, a.Created)
			byAlias, err := tx.GetAccountByAlias("example-corp")
			noErr(t, err, "GetAccountByAlias")
			if byAlias.ID != a.ID {
				t.Fatalf("GetAccountByAlias = %s, want %s", byAlias.ID, a.ID)
			}
			_, err = tx.GetAccount("000000000000")
			wantErr(t, err, store.ErrNotFound, store.KindAccount)
			_, err = tx.GetAccountByAlias("nobody")
			wantErr(t, err, store.ErrNotFound, store.KindAccountAlias)
			return nil
		})
	})

	t.Run("CreateConflicts", func(t *testing.T) {
		cases := []struct {
			name string
			acct store.Account
			kind store.Kind
		}{
			{"same id", store.Account{ID: a.ID, RootEmail: "x@example.com", Created: f.now}, store.KindAccount},
			{"same alias", store.Account{ID: "210987654321", Alias: a.Alias, RootEmail: "x@example.com", Created: f.now}, store.KindAccountAlias},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := f.update(func(tx store.Tx) error { return tx.CreateAccount(c.acct) })
				wantErr(t, err, store.ErrAlreadyExists, c.kind)
			})
		}
	})

	t.Run("InvalidArguments", func(t *testing.T) {
		cases := []struct {
			name string
			acct store.Account
		}{
			{"no id", store.Account{RootEmail: "x@example.com", Created: f.now}},
			{"no created time", store.Account{ID: "333333333333", RootEmail: "x@example.com"}},
			{"invalid UTF-8", store.Account{ID: "333333333333", RootEmail: "x\xff@example.com", Created: f.now}},
			{"NUL byte", store.Account{ID: "333333333333", RootEmail: "x\x00@example.com", Created: f.now}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := f.update(func(tx store.Tx) error { return tx.CreateAccount(c.acct) })
				wantErr(t, err, store.ErrInvalidArgument, "")
			})
		}
	})

	t.Run("Ensure", func(t *testing.T) {
		b := store.Account{ID: "444444444444", RootEmail: "b@example.com", Created: f.now}
		var first, second bool
		f.mustUpdate(func(tx store.Tx) (err error) {
			first, err = tx.EnsureAccount(b)
			return err
		})
		f.mustUpdate(func(tx store.Tx) (err error) {
			second, err = tx.EnsureAccount(store.Account{ID: b.ID, RootEmail: "changed@example.com", Created: f.now})
			return err
		})
		if !first || second {
			t.Fatalf("EnsureAccount created = %v then %v, want true then false", first, second)
		}
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetAccount(b.ID)
			noErr(t, err, "GetAccount")
			if got.RootEmail != b.RootEmail {
				t.Fatalf("EnsureAccount of an existing account changed it: %+v", got)
			}
			return nil
		})
		err := f.update(func(tx store.Tx) error {
			_, err := tx.EnsureAccount(store.Account{ID: "555555555555", Alias: a.Alias, RootEmail: "c@example.com", Created: f.now})
			return err
		})
		wantErr(t, err, store.ErrAlreadyExists, store.KindAccountAlias)
	})

	t.Run("Alias", func(t *testing.T) {
		c := f.account()
		err := f.update(func(tx store.Tx) error { return tx.SetAccountAlias(c.ID, a.Alias) })
		wantErr(t, err, store.ErrAlreadyExists, store.KindAccountAlias)
		f.mustUpdate(func(tx store.Tx) error { return tx.SetAccountAlias(c.ID, "second-alias") })
		// Setting an account's own alias again is not a conflict.
		f.mustUpdate(func(tx store.Tx) error { return tx.SetAccountAlias(c.ID, "second-alias") })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetAccountByAlias("second-alias")
			noErr(t, err, "GetAccountByAlias")
			if got.ID != c.ID {
				t.Fatalf("alias resolves to %s, want %s", got.ID, c.ID)
			}
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.SetAccountAlias(c.ID, "") })
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetAccountByAlias("second-alias")
			wantErr(t, err, store.ErrNotFound, "")
			got, err := tx.GetAccount(c.ID)
			noErr(t, err, "GetAccount")
			if got.Alias != "" {
				t.Fatalf("alias = %q after removal", got.Alias)
			}
			return nil
		})
		err = f.update(func(tx store.Tx) error { return tx.SetAccountAlias("000000000000", "x") })
		wantErr(t, err, store.ErrNotFound, store.KindAccount)
	})

	t.Run("RootPassword", func(t *testing.T) {
		c := f.account()
		f.mustUpdate(func(tx store.Tx) error { return tx.SetRootPassword(c.ID, []byte("new-hash")) })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetAccount(c.ID)
			noErr(t, err, "GetAccount")
			if string(got.RootPasswordHash) != "new-hash" {
				t.Fatalf("root password hash = %q", got.RootPasswordHash)
			}
			return nil
		})
		err := f.update(func(tx store.Tx) error { return tx.SetRootPassword("000000000000", nil) })
		wantErr(t, err, store.ErrNotFound, store.KindAccount)
	})

	t.Run("GlobalEndpointTokenVersion", func(t *testing.T) {
		c := f.account()
		version := func() int {
			var v int
			f.mustView(func(tx store.Tx) error {
				got, err := tx.GetAccount(c.ID)
				v = got.GlobalEndpointTokenVersion
				return err
			})
			return v
		}
		if v := version(); v != 1 {
			t.Fatalf("a new account's token version = %d, want AWS's default 1", v)
		}
		f.mustUpdate(func(tx store.Tx) error { return tx.SetGlobalEndpointTokenVersion(c.ID, 2) })
		if v := version(); v != 2 {
			t.Fatalf("token version after setting 2 = %d", v)
		}
		err := f.update(func(tx store.Tx) error { return tx.SetGlobalEndpointTokenVersion(c.ID, 3) })
		wantErr(t, err, store.ErrInvalidArgument, store.KindAccount)
		if v := version(); v != 2 {
			t.Fatalf("a refused setting changed the version to %d", v)
		}
		err = f.update(func(tx store.Tx) error { return tx.SetGlobalEndpointTokenVersion("000000000000", 1) })
		wantErr(t, err, store.ErrNotFound, store.KindAccount)
	})

	t.Run("DeleteCascades", func(t *testing.T) {
		c := f.account()
		other := f.account()
		u := f.user(c.ID, "alice", "/")
		f.user(other.ID, "alice", "/")
		g := f.group(c.ID, "admins", "/")
		f.accessKey(c.ID, u.Name)
		f.accessKey(c.ID, "")
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AddUserToGroup(c.ID, g.Name, u.Name), "AddUserToGroup")
			noErr(t, tx.TagResource(store.ResourceRef{Account: c.ID, Kind: store.KindUser, ID: u.ID}, []store.Tag{{Key: "k", Value: "v"}}), "TagResource")
			noErr(t, tx.AttachPolicy(c.ID, store.Entity{Kind: store.KindGroup, Name: g.Name}, adminPolicy), "AttachPolicy")
			return tx.PutInlinePolicy(c.ID, store.Entity{Kind: store.KindUser, Name: u.Name}, store.InlinePolicy{Name: "p", Document: "{}"})
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteAccount(c.ID) })
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetAccount(c.ID)
			wantErr(t, err, store.ErrNotFound, store.KindAccount)
			_, err = tx.GetUserByID(u.ID)
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			_, err = tx.GetUser(other.ID, "alice")
			noErr(t, err, "the other account's user survives")
			return nil
		})
		err := f.update(func(tx store.Tx) error { return tx.DeleteAccount(c.ID) })
		wantErr(t, err, store.ErrNotFound, store.KindAccount)
	})

	t.Run("List", func(t *testing.T) {
		g := newFixture(t, open)
		var want []string
		for range 7 {
			want = append(want, g.account().ID)
		}
		sortStrings(want)
		for _, max := range []int{1, 2, 3, 7, 8, 100} {
			got := allPages(t, max, func(marker string) (p store.Page[store.Account], err error) {
				err = g.view(func(tx store.Tx) error {
					p, err = tx.ListAccounts(store.ListOptions{Marker: marker, MaxItems: max})
					return err
				})
				return p, err
			})
			wantNames(t, "accounts", names(got, func(a store.Account) string { return a.ID }), want)
		}
	})

	t.Run("Reset", func(t *testing.T) {
		g := newFixture(t, open)
		c := g.account()
		u := g.user(c.ID, "bob", "/")
		g.accessKey(c.ID, u.Name)
		g.mustUpdate(func(tx store.Tx) error { return tx.Reset() })
		g.mustView(func(tx store.Tx) error {
			p, err := tx.ListAccounts(store.ListOptions{})
			noErr(t, err, "ListAccounts")
			if len(p.Items) != 0 {
				t.Fatalf("%d accounts after Reset", len(p.Items))
			}
			return nil
		})
		// The store is usable after a reset.
		g.account()
	})
}
