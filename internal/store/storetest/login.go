package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

func testLoginProfiles(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	u := f.user(a.ID, "Alice", "/")
	f.user(a.ID, "bob", "/")
	f.mustUpdate(func(tx store.Tx) error {
		return tx.CreateLoginProfile(a.ID, "alice", store.LoginProfile{PasswordHash: []byte("hash-1"), PasswordResetRequired: true, Created: f.now})
	})

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			p, err := tx.GetLoginProfile(a.ID, "ALICE")
			noErr(t, err, "GetLoginProfile")
			if p.UserName != u.Name || p.UserID != u.ID || p.Account != a.ID || string(p.PasswordHash) != "hash-1" ||
				!p.PasswordResetRequired || !p.PasswordChanged.IsZero() {
				t.Fatalf("GetLoginProfile = %+v", p)
			}
			sameTime(t, "Created", p.Created, f.now)
			_, err = tx.GetLoginProfile(a.ID, "bob")
			wantErr(t, err, store.ErrNotFound, store.KindLoginProfile)
			_, err = tx.GetLoginProfile(a.ID, "nobody")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			d, err := tx.UserDependencies(a.ID, u.Name)
			noErr(t, err, "UserDependencies")
			if !d.LoginProfile || !d.Any() {
				t.Fatalf("UserDependencies = %+v", d)
			}
			return nil
		})
	})

	t.Run("Update", func(t *testing.T) {
		changed := f.now.Add(time.Hour)
		no := false
		f.mustUpdate(func(tx store.Tx) error {
			return tx.UpdateLoginProfile(a.ID, "alice", store.LoginProfileUpdate{PasswordHash: []byte("hash-2"), PasswordChanged: changed})
		})
		f.mustUpdate(func(tx store.Tx) error {
			return tx.UpdateLoginProfile(a.ID, "alice", store.LoginProfileUpdate{PasswordResetRequired: &no})
		})
		f.mustView(func(tx store.Tx) error {
			p, err := tx.GetLoginProfile(a.ID, "alice")
			noErr(t, err, "GetLoginProfile")
			if !bytes.Equal(p.PasswordHash, []byte("hash-2")) || p.PasswordResetRequired {
				t.Fatalf("after update: %+v", p)
			}
			sameTime(t, "PasswordChanged", p.PasswordChanged, changed)
			sameTime(t, "Created", p.Created, f.now)
			return nil
		})
	})

	t.Run("History", func(t *testing.T) {
		f.user(a.ID, "Carol", "/")
		// A history handed to CreateLoginProfile is not the store's: a new
		// profile remembers nothing.
		f.mustUpdate(func(tx store.Tx) error {
			return tx.CreateLoginProfile(a.ID, "carol", store.LoginProfile{PasswordHash: []byte("carol-0"), Created: f.now,
				PasswordHistory: [][]byte{[]byte("forged")}})
		})
		history := func(t *testing.T) (string, []string) {
			t.Helper()
			var p store.LoginProfile
			f.mustView(func(tx store.Tx) error {
				var err error
				p, err = tx.GetLoginProfile(a.ID, "carol")
				return err
			})
			var out []string
			for _, h := range p.PasswordHistory {
				out = append(out, string(h))
			}
			return string(p.PasswordHash), out
		}
		// want is carol-(n-1), ..., carol-(n-k): the k hashes before the
		// n-th, newest first.
		want := func(n, k int) []string {
			var out []string
			for i := n - 1; i >= n-k && i >= 0; i-- {
				out = append(out, fmt.Sprintf("carol-%d", i))
			}
			return out
		}
		change := func(t *testing.T, n int) {
			t.Helper()
			f.mustUpdate(func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, "carol", store.LoginProfileUpdate{PasswordHash: []byte(fmt.Sprintf("carol-%d", n)), PasswordChanged: f.tick()})
			})
		}
		cur, got := history(t)
		if cur != "carol-0" || len(got) != 0 {
			t.Fatalf("new profile: hash %q, history %q", cur, got)
		}
		steps := []struct {
			name string
			to   int // change the password up to carol-<to>
			want []string
		}{
			{"one change", 1, want(1, 1)},
			{"three changes", 3, want(3, 3)},
			{"just below the limit", store.MaxPasswordHistory, want(store.MaxPasswordHistory, store.MaxPasswordHistory)},
			{"the oldest falls off", store.MaxPasswordHistory + 5, want(store.MaxPasswordHistory+5, store.MaxPasswordHistory)},
		}
		done := 0
		for _, c := range steps {
			t.Run(c.name, func(t *testing.T) {
				for done < c.to {
					done++
					change(t, done)
				}
				cur, got := history(t)
				if cur != fmt.Sprintf("carol-%d", c.to) {
					t.Fatalf("current hash %q", cur)
				}
				wantNames(t, "PasswordHistory", got, c.want)
			})
		}
		t.Run("the reset flag alone keeps the history", func(t *testing.T) {
			yes := true
			_, before := history(t)
			f.mustUpdate(func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, "carol", store.LoginProfileUpdate{PasswordResetRequired: &yes})
			})
			_, after := history(t)
			wantNames(t, "PasswordHistory", after, before)
		})
		t.Run("an empty new hash", func(t *testing.T) {
			wantErr(t, f.update(func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, "carol", store.LoginProfileUpdate{PasswordHash: []byte{}, PasswordChanged: f.now})
			}), store.ErrInvalidArgument, "")
		})
		t.Run("a rolled back change keeps the history", func(t *testing.T) {
			cur, before := history(t)
			err := f.update(func(tx store.Tx) error {
				noErr(t, tx.UpdateLoginProfile(a.ID, "carol", store.LoginProfileUpdate{PasswordHash: []byte("never"), PasswordChanged: f.now}), "UpdateLoginProfile")
				return store.ErrConflict
			})
			wantErr(t, err, store.ErrConflict, "")
			cur2, after := history(t)
			if cur2 != cur {
				t.Fatalf("current hash %q after rollback, want %q", cur2, cur)
			}
			wantNames(t, "PasswordHistory", after, before)
		})
		t.Run("deleted with the profile", func(t *testing.T) {
			f.mustUpdate(func(tx store.Tx) error { return tx.DeleteLoginProfile(a.ID, "carol") })
			f.mustUpdate(func(tx store.Tx) error {
				return tx.CreateLoginProfile(a.ID, "carol", store.LoginProfile{PasswordHash: []byte("carol-new"), Created: f.now})
			})
			cur, got := history(t)
			if cur != "carol-new" || len(got) != 0 {
				t.Fatalf("re-created profile: hash %q, history %q", cur, got)
			}
		})
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"create twice", func(tx store.Tx) error {
				return tx.CreateLoginProfile(a.ID, "Alice", store.LoginProfile{PasswordHash: []byte("h"), Created: f.now})
			}, store.ErrAlreadyExists, store.KindLoginProfile},
			{"create for missing user", func(tx store.Tx) error {
				return tx.CreateLoginProfile(a.ID, "nobody", store.LoginProfile{PasswordHash: []byte("h"), Created: f.now})
			}, store.ErrNotFound, store.KindUser},
			{"create without hash", func(tx store.Tx) error {
				return tx.CreateLoginProfile(a.ID, "bob", store.LoginProfile{Created: f.now})
			}, store.ErrInvalidArgument, ""},
			{"update without profile", func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, "bob", store.LoginProfileUpdate{PasswordHash: []byte("h"), PasswordChanged: f.now})
			}, store.ErrNotFound, store.KindLoginProfile},
			{"new hash without time", func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, "alice", store.LoginProfileUpdate{PasswordHash: []byte("h")})
			}, store.ErrInvalidArgument, ""},
			{"delete without profile", func(tx store.Tx) error { return tx.DeleteLoginProfile(a.ID, "bob") }, store.ErrNotFound, store.KindLoginProfile},
			{"delete the user", func(tx store.Tx) error { return tx.DeleteUser(a.ID, "alice") }, store.ErrConflict, store.KindUser},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
	})

	t.Run("Delete", func(t *testing.T) {
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteLoginProfile(a.ID, "alice") })
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteUser(a.ID, "alice") })
	})
}

func testAccountSettings(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()

	t.Run("PasswordPolicy", func(t *testing.T) {
		wantErr(t, f.view(func(tx store.Tx) error { _, err := tx.GetPasswordPolicy(a.ID); return err }), store.ErrNotFound, store.KindPasswordPolicy)
		policies := []store.PasswordPolicy{
			{MinimumPasswordLength: 14, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true,
				RequireLowercaseCharacters: true, AllowUsersToChangePassword: true, MaxPasswordAge: 90, PasswordReusePrevention: 24, HardExpiry: true},
			{MinimumPasswordLength: 8}, // replacing resets what is not given
		}
		for _, p := range policies {
			f.mustUpdate(func(tx store.Tx) error { return tx.PutPasswordPolicy(a.ID, p) })
			f.mustView(func(tx store.Tx) error {
				got, err := tx.GetPasswordPolicy(a.ID)
				noErr(t, err, "GetPasswordPolicy")
				if got != p {
					t.Fatalf("GetPasswordPolicy = %+v, want %+v", got, p)
				}
				_, err = tx.GetPasswordPolicy(other.ID)
				wantErr(t, err, store.ErrNotFound, store.KindPasswordPolicy)
				return nil
			})
		}
		f.mustUpdate(func(tx store.Tx) error { return tx.DeletePasswordPolicy(a.ID) })
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeletePasswordPolicy(a.ID) }), store.ErrNotFound, store.KindPasswordPolicy)
		wantErr(t, f.update(func(tx store.Tx) error { return tx.PutPasswordPolicy("000000000000", store.PasswordPolicy{}) }), store.ErrNotFound, store.KindAccount)
		wantErr(t, f.update(func(tx store.Tx) error {
			return tx.PutPasswordPolicy(a.ID, store.PasswordPolicy{MaxPasswordAge: -1})
		}), store.ErrInvalidArgument, "")
	})

	t.Run("CredentialReport", func(t *testing.T) {
		wantErr(t, f.view(func(tx store.Tx) error { _, err := tx.GetCredentialReport(a.ID); return err }), store.ErrNotFound, store.KindCredentialReport)
		for i, content := range []string{"user,arn\n<root_account>,arn:aws:iam::1:root\n", "user,arn\n"} {
			at := f.now.Add(time.Duration(i) * time.Minute)
			f.mustUpdate(func(tx store.Tx) error {
				return tx.PutCredentialReport(a.ID, store.CredentialReport{Generated: at, Content: []byte(content)})
			})
			f.mustView(func(tx store.Tx) error {
				r, err := tx.GetCredentialReport(a.ID)
				noErr(t, err, "GetCredentialReport")
				if string(r.Content) != content {
					t.Fatalf("report = %q", r.Content)
				}
				sameTime(t, "Generated", r.Generated, at)
				return nil
			})
		}
		wantErr(t, f.update(func(tx store.Tx) error {
			return tx.PutCredentialReport(a.ID, store.CredentialReport{Content: []byte("x")})
		}), store.ErrInvalidArgument, "")
	})
}
