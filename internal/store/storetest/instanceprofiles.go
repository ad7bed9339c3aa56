package storetest

import (
	"testing"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

func (f *fixture) instanceProfile(account, name, path string) store.InstanceProfile {
	f.tb.Helper()
	p := store.InstanceProfile{Account: account, ID: awsid.Unique(awsid.InstanceProfile), Name: name, Path: path, Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateInstanceProfile(p) })
	return p
}

func profileName(p store.InstanceProfile) string { return p.Name }

func testInstanceProfiles(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	p := f.instanceProfile(a.ID, "WebServers", "/web/")
	r := f.role(a.ID, "web-role", "/")
	r2 := f.role(a.ID, "other-role", "/")

	t.Run("GetAndConflicts", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetInstanceProfile(a.ID, "webservers")
			noErr(t, err, "GetInstanceProfile")
			if got.ID != p.ID || got.Name != p.Name || got.Path != p.Path || got.RoleName != "" || got.RoleID != "" {
				t.Fatalf("GetInstanceProfile = %+v", got)
			}
			sameTime(t, "Created", got.Created, p.Created)
			_, err = tx.GetInstanceProfile(other.ID, p.Name)
			wantErr(t, err, store.ErrNotFound, store.KindInstanceProfile)
			return nil
		})
		cases := []struct {
			name     string
			profile  store.InstanceProfile
			sentinel error
			kind     store.Kind
		}{
			{"name differing in case", store.InstanceProfile{Account: a.ID, ID: awsid.Unique(awsid.InstanceProfile), Name: "WEBSERVERS", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindInstanceProfile},
			{"same id", store.InstanceProfile{Account: a.ID, ID: p.ID, Name: "x", Path: "/", Created: f.now}, store.ErrAlreadyExists, store.KindInstanceProfile},
			{"missing account", store.InstanceProfile{Account: "000000000000", ID: awsid.Unique(awsid.InstanceProfile), Name: "x", Path: "/", Created: f.now}, store.ErrNotFound, store.KindAccount},
			{"no path", store.InstanceProfile{Account: a.ID, ID: awsid.Unique(awsid.InstanceProfile), Name: "x", Created: f.now}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreateInstanceProfile(c.profile) }), c.sentinel, c.kind)
			})
		}
	})

	t.Run("OneRole", func(t *testing.T) {
		p2 := f.instanceProfile(a.ID, "Batch", "/")
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AddRoleToInstanceProfile(a.ID, "WEBSERVERS", "Web-Role"), "AddRoleToInstanceProfile")
			return tx.AddRoleToInstanceProfile(a.ID, "batch", "web-role")
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetInstanceProfile(a.ID, p.Name)
			noErr(t, err, "GetInstanceProfile")
			if got.RoleName != r.Name || got.RoleID != r.ID {
				t.Fatalf("profile role = %q (%s)", got.RoleName, got.RoleID)
			}
			for _, max := range []int{1, 10} {
				all := allPages(t, max, func(marker string) (pg store.Page[store.InstanceProfile], err error) {
					err = f.view(func(tx store.Tx) error {
						pg, err = tx.ListInstanceProfilesForRole(a.ID, r.Name, store.ListOptions{Marker: marker, MaxItems: max})
						return err
					})
					return pg, err
				})
				wantNames(t, "profiles of the role", names(all, profileName), []string{p2.Name, p.Name})
			}
			d, err := tx.RoleDependencies(a.ID, r.Name)
			noErr(t, err, "RoleDependencies")
			if d.InstanceProfiles != 2 {
				t.Fatalf("RoleDependencies = %+v", d)
			}
			return nil
		})
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"a second role", func(tx store.Tx) error { return tx.AddRoleToInstanceProfile(a.ID, p.Name, r2.Name) }, store.ErrConflict, store.KindInstanceProfile},
			{"the same role again", func(tx store.Tx) error { return tx.AddRoleToInstanceProfile(a.ID, p.Name, r.Name) }, store.ErrConflict, store.KindInstanceProfile},
			{"missing role", func(tx store.Tx) error { return tx.AddRoleToInstanceProfile(a.ID, p.Name, "nobody") }, store.ErrNotFound, store.KindRole},
			{"missing profile", func(tx store.Tx) error { return tx.AddRoleToInstanceProfile(a.ID, "nothing", r.Name) }, store.ErrNotFound, store.KindInstanceProfile},
			{"remove a role it does not hold", func(tx store.Tx) error { return tx.RemoveRoleFromInstanceProfile(a.ID, p.Name, r2.Name) }, store.ErrNotFound, store.KindProfileRole},
			{"delete the role", func(tx store.Tx) error { return tx.DeleteRole(a.ID, r.Name) }, store.ErrConflict, store.KindRole},
			{"delete the profile", func(tx store.Tx) error { return tx.DeleteInstanceProfile(a.ID, p.Name) }, store.ErrConflict, store.KindInstanceProfile},
			{"list for a missing role", func(tx store.Tx) error {
				_, err := tx.ListInstanceProfilesForRole(a.ID, "nobody", store.ListOptions{})
				return err
			}, store.ErrNotFound, store.KindRole},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.RemoveRoleFromInstanceProfile(a.ID, p.Name, r.Name), "RemoveRoleFromInstanceProfile")
			return tx.RemoveRoleFromInstanceProfile(a.ID, p2.Name, r.Name)
		})
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindInstanceProfile, ID: p.ID}
		f.mustUpdate(func(tx store.Tx) error { return tx.TagResource(ref, []store.Tag{{Key: "k", Value: "v"}}) })
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.DeleteInstanceProfile(a.ID, p.Name), "DeleteInstanceProfile")
			return tx.DeleteRole(a.ID, r.Name)
		})
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetInstanceProfile(a.ID, p.Name)
			wantErr(t, err, store.ErrNotFound, store.KindInstanceProfile)
			_, err = tx.CountTags(ref)
			wantErr(t, err, store.ErrNotFound, store.KindInstanceProfile)
			return nil
		})
	})

	t.Run("List", func(t *testing.T) {
		g := newFixture(t, open)
		b := g.account()
		for _, n := range []string{"c", "A", "b"} {
			g.instanceProfile(b.ID, n, "/")
		}
		g.instanceProfile(b.ID, "z", "/x/")
		for _, c := range []struct {
			prefix string
			want   []string
		}{{"", []string{"A", "b", "c", "z"}}, {"/x/", []string{"z"}}} {
			got := allPages(t, 1, func(marker string) (pg store.Page[store.InstanceProfile], err error) {
				err = g.view(func(tx store.Tx) error {
					pg, err = tx.ListInstanceProfiles(b.ID, store.PathListOptions{PathPrefix: c.prefix, Marker: marker, MaxItems: 1})
					return err
				})
				return pg, err
			})
			wantNames(t, "profiles", names(got, profileName), c.want)
		}
		g.mustView(func(tx store.Tx) error {
			n, err := tx.CountInstanceProfiles(b.ID)
			noErr(t, err, "CountInstanceProfiles")
			if n != 4 {
				t.Fatalf("CountInstanceProfiles = %d", n)
			}
			return nil
		})
	})
}
