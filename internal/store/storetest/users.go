package storetest

import (
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

func testUsers(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	u := store.User{
		Account: a.ID, ID: awsid.Unique(awsid.User), Name: "MyUser", Path: "/division/",
		Created: f.now, PermissionsBoundary: "arn:aws:iam::aws:policy/PowerUserAccess",
	}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateUser(u) })

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			for _, name := range []string{"MyUser", "myuser", "MYUSER"} {
				got, err := tx.GetUser(a.ID, name)
				noErr(t, err, "GetUser "+name)
				if got.ID != u.ID || got.Name != "MyUser" || got.Path != u.Path || got.Account != a.ID ||
					got.PermissionsBoundary != u.PermissionsBoundary || !got.PasswordLastUsed.IsZero() {
					t.Fatalf("GetUser(%q) = %+v, want %+v", name, got, u)
				}
				sameTime(t, "Created", got.Created, u.Created)
			}
			byID, err := tx.GetUserByID(u.ID)
			noErr(t, err, "GetUserByID")
			if byID.Name != u.Name || byID.Account != a.ID {
				t.Fatalf("GetUserByID = %+v", byID)
			}
			_, err = tx.GetUser(a.ID, "nobody")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			_, err = tx.GetUser(other.ID, "MyUser")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			_, err = tx.GetUserByID("AIDANOSUCHUSER000000")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			n, err := tx.CountUsers(a.ID)
			noErr(t, err, "CountUsers")
			if n != 1 {
				t.Fatalf("CountUsers = %d, want 1", n)
			}
			return nil
		})
	})

	t.Run("CreateConflicts", func(t *testing.T) {
		cases := []struct {
			name     string
			user     store.User
			sentinel error
			kind     store.Kind
		}{
			{"same name", store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "MyUser", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindUser},
			{"name differing in case", store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "myuser", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindUser},
			{"same id", store.User{Account: a.ID, ID: u.ID, Name: "someone-else", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindUser},
			{"missing account", store.User{Account: "000000000000", ID: awsid.Unique(awsid.User), Name: "x", Path: "/", Created: f.now}, store.ErrNotFound, store.KindAccount},
			{"no name", store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Path: "/", Created: f.now}, store.ErrInvalidArgument, ""},
			{"no created time", store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "x", Path: "/"}, store.ErrInvalidArgument, ""},
			{"invalid UTF-8", store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "x\xc3", Path: "/", Created: f.now}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := f.update(func(tx store.Tx) error { return tx.CreateUser(c.user) })
				wantErr(t, err, c.sentinel, c.kind)
			})
		}
		// The same name in another account is another user.
		f.user(other.ID, "MyUser", "/")
	})

	t.Run("ErrorLeavesTransactionUsable", func(t *testing.T) {
		// A method that reports a sentinel must not poison the
		// transaction (PostgreSQL aborts a transaction on any failed
		// statement), so that a service can recover and go on.
		f.mustUpdate(func(tx store.Tx) error {
			err := tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "MYUSER", Path: "/", Created: f.now})
			wantErr(t, err, store.ErrAlreadyExists, store.KindUser)
			_, err = tx.GetUser(a.ID, "nobody")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "after-error", Path: "/", Created: f.now})
		})
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetUser(a.ID, "after-error")
			noErr(t, err, "user created after an error in the same transaction")
			return nil
		})
	})

	t.Run("Update", func(t *testing.T) {
		v := f.user(a.ID, "renamed-from", "/")
		k := f.accessKey(a.ID, v.Name)
		g := f.group(a.ID, "update-group", "/")
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: v.ID}
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AddUserToGroup(a.ID, g.Name, v.Name), "AddUserToGroup")
			return tx.TagResource(ref, []store.Tag{{Key: "team", Value: "blue"}})
		})

		cases := []struct {
			name     string
			from     string
			upd      store.UserUpdate
			wantName string
			wantPath string
			wantErr  error
		}{
			{"rename", "renamed-from", store.UserUpdate{NewName: "Renamed"}, "Renamed", "/", nil},
			{"lookup by new name without case", "RENAMED", store.UserUpdate{NewPath: "/new/path/"}, "Renamed", "/new/path/", nil},
			{"rename and move", "renamed", store.UserUpdate{NewName: "renamed-2", NewPath: "/"}, "renamed-2", "/", nil},
			{"onto another user's name", "renamed-2", store.UserUpdate{NewName: "myUSER"}, "", "", store.ErrAlreadyExists},
			{"onto its own name in other case", "renamed-2", store.UserUpdate{NewName: "RENAMED-2"}, "", "", store.ErrAlreadyExists},
			{"missing user", "nobody", store.UserUpdate{NewName: "x"}, "", "", store.ErrNotFound},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var got store.User
				err := f.update(func(tx store.Tx) (err error) {
					got, err = tx.UpdateUser(a.ID, c.from, c.upd)
					return err
				})
				if c.wantErr != nil {
					wantErr(t, err, c.wantErr, store.KindUser)
					return
				}
				noErr(t, err, "UpdateUser")
				if got.Name != c.wantName || got.Path != c.wantPath || got.ID != v.ID {
					t.Fatalf("UpdateUser = %+v, want name %q path %q", got, c.wantName, c.wantPath)
				}
				f.mustView(func(tx store.Tx) error {
					stored, err := tx.GetUserByID(v.ID)
					noErr(t, err, "GetUserByID")
					if stored.Name != c.wantName || stored.Path != c.wantPath {
						t.Fatalf("stored user = %+v", stored)
					}
					return nil
				})
			})
		}
		// Keys, memberships and tags follow the renamed user.
		f.mustView(func(tx store.Tx) error {
			key, err := tx.GetAccessKey(k.ID)
			noErr(t, err, "GetAccessKey")
			if key.UserName != "renamed-2" || key.UserID != v.ID {
				t.Fatalf("key owner = %q (%s) after rename", key.UserName, key.UserID)
			}
			members, err := tx.ListGroupMembers(a.ID, g.Name, store.ListOptions{})
			noErr(t, err, "ListGroupMembers")
			wantNames(t, "members", names(members.Items, userName), []string{"renamed-2"})
			tags, err := tx.ListTags(ref, store.ListOptions{})
			noErr(t, err, "ListTags")
			if len(tags.Items) != 1 {
				t.Fatalf("tags after rename = %v", tags.Items)
			}
			return nil
		})
	})

	t.Run("BoundaryAndPasswordUse", func(t *testing.T) {
		v := f.user(a.ID, "bounded", "/")
		at := time.Date(2026, 5, 1, 2, 3, 4, 5, time.UTC)
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.SetUserPermissionsBoundary(a.ID, "BOUNDED", "arn:aws:iam::aws:policy/ReadOnlyAccess"), "SetUserPermissionsBoundary")
			return tx.SetUserPasswordLastUsed(a.ID, "bounded", at)
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetUser(a.ID, v.Name)
			noErr(t, err, "GetUser")
			if got.PermissionsBoundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
				t.Fatalf("boundary = %q", got.PermissionsBoundary)
			}
			sameTime(t, "PasswordLastUsed", got.PasswordLastUsed, at)
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.SetUserPermissionsBoundary(a.ID, v.Name, "") })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetUser(a.ID, v.Name)
			noErr(t, err, "GetUser")
			if got.PermissionsBoundary != "" {
				t.Fatalf("boundary = %q after removal", got.PermissionsBoundary)
			}
			return nil
		})
		for _, fn := range []func(tx store.Tx) error{
			func(tx store.Tx) error { return tx.SetUserPermissionsBoundary(a.ID, "nobody", "arn") },
			func(tx store.Tx) error { return tx.SetUserPasswordLastUsed(a.ID, "nobody", at) },
		} {
			wantErr(t, f.update(fn), store.ErrNotFound, store.KindUser)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		g := f.group(a.ID, "deps-group", "/")
		// Each dependency alone blocks deletion; removing it unblocks.
		cases := []struct {
			name   string
			add    func(tx store.Tx, user string) error
			remove func(tx store.Tx, user string) error
			want   func(d store.UserDependencies) bool
		}{
			{
				"access key",
				func(tx store.Tx, user string) error {
					return tx.CreateAccessKey(newKey(a.ID, user, f.now))
				},
				func(tx store.Tx, user string) error {
					p, err := tx.ListAccessKeys(a.ID, user, store.ListOptions{})
					if err != nil {
						return err
					}
					return tx.DeleteAccessKey(a.ID, user, p.Items[0].ID)
				},
				func(d store.UserDependencies) bool { return d.AccessKeys == 1 },
			},
			{
				"group membership",
				func(tx store.Tx, user string) error { return tx.AddUserToGroup(a.ID, g.Name, user) },
				func(tx store.Tx, user string) error { return tx.RemoveUserFromGroup(a.ID, g.Name, user) },
				func(d store.UserDependencies) bool { return d.Groups == 1 },
			},
			{
				"attached policy",
				func(tx store.Tx, user string) error {
					return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: user}, adminPolicy)
				},
				func(tx store.Tx, user string) error {
					return tx.DetachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: user}, adminPolicy.ARN)
				},
				func(d store.UserDependencies) bool { return d.AttachedPolicies == 1 },
			},
			{
				"inline policy",
				func(tx store.Tx, user string) error {
					return tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindUser, Name: user}, store.InlinePolicy{Name: "p", Document: "{}"})
				},
				func(tx store.Tx, user string) error {
					return tx.DeleteInlinePolicy(a.ID, store.Entity{Kind: store.KindUser, Name: user}, "p")
				},
				func(d store.UserDependencies) bool { return d.InlinePolicies == 1 },
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				v := f.user(a.ID, "doomed-"+c.name, "/")
				f.mustUpdate(func(tx store.Tx) error { return c.add(tx, v.Name) })
				f.mustView(func(tx store.Tx) error {
					d, err := tx.UserDependencies(a.ID, v.Name)
					noErr(t, err, "UserDependencies")
					if !c.want(d) || !d.Any() {
						t.Fatalf("UserDependencies = %+v", d)
					}
					return nil
				})
				err := f.update(func(tx store.Tx) error { return tx.DeleteUser(a.ID, v.Name) })
				wantErr(t, err, store.ErrConflict, store.KindUser)
				f.mustUpdate(func(tx store.Tx) error { return c.remove(tx, v.Name) })
				f.mustUpdate(func(tx store.Tx) error { return tx.DeleteUser(a.ID, v.Name) })
				f.mustView(func(tx store.Tx) error {
					_, err := tx.GetUserByID(v.ID)
					wantErr(t, err, store.ErrNotFound, store.KindUser)
					return nil
				})
			})
		}

		t.Run("tags go with the user", func(t *testing.T) {
			v := f.user(a.ID, "tagged-doomed", "/")
			ref := store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: v.ID}
			f.mustUpdate(func(tx store.Tx) error { return tx.TagResource(ref, []store.Tag{{Key: "a", Value: "b"}}) })
			f.mustView(func(tx store.Tx) error {
				d, err := tx.UserDependencies(a.ID, v.Name)
				noErr(t, err, "UserDependencies")
				if d.Any() {
					t.Fatalf("tags count as dependencies: %+v", d)
				}
				return nil
			})
			f.mustUpdate(func(tx store.Tx) error { return tx.DeleteUser(a.ID, "TAGGED-DOOMED") })
			// A new user with the same id would not inherit them.
			f.mustUpdate(func(tx store.Tx) error {
				return tx.CreateUser(store.User{Account: a.ID, ID: v.ID, Name: "reborn", Path: "/", Created: f.now})
			})
			f.mustView(func(tx store.Tx) error {
				n, err := tx.CountTags(ref)
				noErr(t, err, "CountTags")
				if n != 0 {
					t.Fatalf("%d tags survived their user", n)
				}
				return nil
			})
		})

		err := f.update(func(tx store.Tx) error { return tx.DeleteUser(a.ID, "nobody") })
		wantErr(t, err, store.ErrNotFound, store.KindUser)
		_, err = func() (d store.UserDependencies, err error) {
			err = f.view(func(tx store.Tx) error {
				d, err = tx.UserDependencies(a.ID, "nobody")
				return err
			})
			return
		}()
		wantErr(t, err, store.ErrNotFound, store.KindUser)
	})
}
