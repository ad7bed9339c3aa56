package storetest

import (
	"testing"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

func testGroups(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	g := store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: "Administrators", Path: "/", Created: f.now}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateGroup(g) })

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetGroup(a.ID, "administrators")
			noErr(t, err, "GetGroup")
			if got.ID != g.ID || got.Name != g.Name || got.Path != g.Path || got.Account != a.ID {
				t.Fatalf("GetGroup = %+v, want %+v", got, g)
			}
			sameTime(t, "Created", got.Created, g.Created)
			byID, err := tx.GetGroupByID(g.ID)
			noErr(t, err, "GetGroupByID")
			if byID.Name != g.Name {
				t.Fatalf("GetGroupByID = %+v", byID)
			}
			_, err = tx.GetGroup(other.ID, g.Name)
			wantErr(t, err, store.ErrNotFound, store.KindGroup)
			_, err = tx.GetGroupByID("AGPANOSUCHGROUP00000")
			wantErr(t, err, store.ErrNotFound, store.KindGroup)
			n, err := tx.CountGroups(a.ID)
			noErr(t, err, "CountGroups")
			if n != 1 {
				t.Fatalf("CountGroups = %d", n)
			}
			return nil
		})
	})

	t.Run("CreateConflicts", func(t *testing.T) {
		cases := []struct {
			name     string
			group    store.Group
			sentinel error
			kind     store.Kind
		}{
			{"name differing in case", store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: "ADMINISTRATORS", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindGroup},
			{"same id", store.Group{Account: a.ID, ID: g.ID, Name: "x", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindGroup},
			{"missing account", store.Group{Account: "000000000000", ID: awsid.Unique(awsid.Group), Name: "x", Path: "/", Created: f.now}, store.ErrNotFound, store.KindAccount},
			{"no path", store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: "x", Created: f.now}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := f.update(func(tx store.Tx) error { return tx.CreateGroup(c.group) })
				wantErr(t, err, c.sentinel, c.kind)
			})
		}
		// A group may share its name with a user, and with a group of
		// another account.
		f.user(a.ID, "Administrators", "/")
		f.group(other.ID, "Administrators", "/")
	})

	t.Run("Update", func(t *testing.T) {
		h := f.group(a.ID, "devs", "/")
		var got store.Group
		f.mustUpdate(func(tx store.Tx) (err error) {
			got, err = tx.UpdateGroup(a.ID, "DEVS", store.GroupUpdate{NewName: "Developers", NewPath: "/eng/"})
			return err
		})
		if got.ID != h.ID || got.Name != "Developers" || got.Path != "/eng/" {
			t.Fatalf("UpdateGroup = %+v", got)
		}
		err := f.update(func(tx store.Tx) error {
			_, err := tx.UpdateGroup(a.ID, "developers", store.GroupUpdate{NewName: "administrators"})
			return err
		})
		wantErr(t, err, store.ErrAlreadyExists, store.KindGroup)
		err = f.update(func(tx store.Tx) error {
			_, err := tx.UpdateGroup(a.ID, "nobody", store.GroupUpdate{NewPath: "/x/"})
			return err
		})
		wantErr(t, err, store.ErrNotFound, store.KindGroup)
	})

	t.Run("Membership", func(t *testing.T) {
		h := f.group(a.ID, "team", "/")
		h2 := f.group(a.ID, "team-2", "/")
		alice := f.user(a.ID, "alice", "/")
		bob := f.user(a.ID, "bob", "/")
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AddUserToGroup(a.ID, "TEAM", "Alice"), "AddUserToGroup")
			noErr(t, tx.AddUserToGroup(a.ID, "team", "alice"), "AddUserToGroup again")
			noErr(t, tx.AddUserToGroup(a.ID, "team", "bob"), "AddUserToGroup")
			return tx.AddUserToGroup(a.ID, "team-2", "alice")
		})
		f.mustView(func(tx store.Tx) error {
			members, err := tx.ListGroupMembers(a.ID, h.Name, store.ListOptions{})
			noErr(t, err, "ListGroupMembers")
			want := []string{alice.Name, bob.Name}
			if bob.ID < alice.ID {
				want = []string{bob.Name, alice.Name}
			}
			wantNames(t, "members", names(members.Items, userName), want)
			groups, err := tx.ListGroupsForUser(a.ID, "ALICE", store.ListOptions{})
			noErr(t, err, "ListGroupsForUser")
			wantG := []string{h.Name, h2.Name}
			if h2.ID < h.ID {
				wantG = []string{h2.Name, h.Name}
			}
			wantNames(t, "groups", names(groups.Items, groupName), wantG)
			n, err := tx.CountGroupsForUser(a.ID, "alice")
			noErr(t, err, "CountGroupsForUser")
			if n != 2 {
				t.Fatalf("CountGroupsForUser = %d", n)
			}
			d, err := tx.GroupDependencies(a.ID, h.Name)
			noErr(t, err, "GroupDependencies")
			if d.Members != 2 || !d.Any() {
				t.Fatalf("GroupDependencies = %+v", d)
			}
			return nil
		})

		errCases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"add to missing group", func(tx store.Tx) error { return tx.AddUserToGroup(a.ID, "nogroup", "alice") }, store.ErrNotFound, store.KindGroup},
			{"add missing user", func(tx store.Tx) error { return tx.AddUserToGroup(a.ID, "team", "nobody") }, store.ErrNotFound, store.KindUser},
			{"add user of another account", func(tx store.Tx) error { return tx.AddUserToGroup(other.ID, "Administrators", "alice") }, store.ErrNotFound, store.KindUser},
			{"remove non-member", func(tx store.Tx) error { return tx.RemoveUserFromGroup(a.ID, "team-2", "bob") }, store.ErrNotFound, store.KindMembership},
			{"remove from missing group", func(tx store.Tx) error { return tx.RemoveUserFromGroup(a.ID, "nogroup", "bob") }, store.ErrNotFound, store.KindGroup},
			{"remove missing user", func(tx store.Tx) error { return tx.RemoveUserFromGroup(a.ID, "team", "nobody") }, store.ErrNotFound, store.KindUser},
			{"delete group with members", func(tx store.Tx) error { return tx.DeleteGroup(a.ID, "team") }, store.ErrConflict, store.KindGroup},
			{"delete member user", func(tx store.Tx) error { return tx.DeleteUser(a.ID, "bob") }, store.ErrConflict, store.KindUser},
		}
		for _, c := range errCases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
		for _, fn := range []func(tx store.Tx) error{
			func(tx store.Tx) error {
				_, err := tx.ListGroupMembers(a.ID, "nogroup", store.ListOptions{})
				return err
			},
			func(tx store.Tx) error {
				_, err := tx.ListGroupsForUser(a.ID, "nobody", store.ListOptions{})
				return err
			},
			func(tx store.Tx) error { _, err := tx.CountGroupsForUser(a.ID, "nobody"); return err },
			func(tx store.Tx) error { _, err := tx.GroupDependencies(a.ID, "nogroup"); return err },
		} {
			wantErr(t, f.view(fn), store.ErrNotFound, "")
		}

		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.RemoveUserFromGroup(a.ID, "team", "alice"), "RemoveUserFromGroup")
			return tx.RemoveUserFromGroup(a.ID, "team", "BOB")
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteGroup(a.ID, "Team") })
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetGroupByID(h.ID)
			wantErr(t, err, store.ErrNotFound, store.KindGroup)
			groups, err := tx.ListGroupsForUser(a.ID, "alice", store.ListOptions{})
			noErr(t, err, "ListGroupsForUser")
			wantNames(t, "groups", names(groups.Items, groupName), []string{h2.Name})
			return nil
		})
	})

	t.Run("DeleteConflicts", func(t *testing.T) {
		cases := []struct {
			name   string
			add    func(tx store.Tx, group string) error
			remove func(tx store.Tx, group string) error
		}{
			{
				"attached policy",
				func(tx store.Tx, group string) error {
					return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: group}, adminPolicy)
				},
				func(tx store.Tx, group string) error {
					return tx.DetachPolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: group}, adminPolicy.ARN)
				},
			},
			{
				"inline policy",
				func(tx store.Tx, group string) error {
					return tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: group}, store.InlinePolicy{Name: "p", Document: "{}"})
				},
				func(tx store.Tx, group string) error {
					return tx.DeleteInlinePolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: group}, "P")
				},
			},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				h := f.group(a.ID, "doomed-"+c.name, "/")
				f.mustUpdate(func(tx store.Tx) error { return c.add(tx, h.Name) })
				wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteGroup(a.ID, h.Name) }), store.ErrConflict, store.KindGroup)
				f.mustUpdate(func(tx store.Tx) error { return c.remove(tx, h.Name) })
				f.mustUpdate(func(tx store.Tx) error { return tx.DeleteGroup(a.ID, h.Name) })
			})
		}
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteGroup(a.ID, "nogroup") }), store.ErrNotFound, store.KindGroup)
	})
}
