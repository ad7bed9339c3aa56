package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// pagedEntity is what the pagination tests need of users and groups.
type pagedEntity struct {
	name, path string
}

func testPagination(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()

	// 250 users and groups over a few paths, with names whose case
	// differs, created in an order unrelated to their names.
	paths := []string{"/", "/eng/", "/eng/backend/", "/ops/", "/engineering/"}
	var ents []pagedEntity
	for i := range 250 {
		name := fmt.Sprintf("user-%03d", (i*37)%250)
		if i%3 == 0 {
			name = strings.ToUpper(name)
		}
		ents = append(ents, pagedEntity{name: name, path: paths[i%len(paths)]})
	}
	f.mustUpdate(func(tx store.Tx) error {
		for _, e := range ents {
			if err := tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: e.name, Path: e.path, Created: f.now}); err != nil {
				return err
			}
			if err := tx.CreateGroup(store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: e.name, Path: e.path, Created: f.now}); err != nil {
				return err
			}
			if err := tx.CreateRole(store.Role{Account: a.ID, ID: awsid.Unique(awsid.Role), Name: e.name, Path: e.path, Created: f.now,
				AssumeRolePolicy: trustEC2, MaxSessionDuration: 3600}); err != nil {
				return err
			}
		}
		// Another account's users must never show.
		return tx.CreateUser(store.User{Account: other.ID, ID: awsid.Unique(awsid.User), Name: "user-000", Path: "/eng/", Created: f.now})
	})

	// expect lists the entities a prefix selects in the documented order.
	expect := func(prefix string) []string {
		var sel []pagedEntity
		for _, e := range ents {
			if strings.HasPrefix(e.path, prefix) {
				sel = append(sel, e)
			}
		}
		byPath := prefix != "" && prefix != "/"
		slices.SortFunc(sel, func(x, y pagedEntity) int {
			if byPath {
				if c := strings.Compare(x.path, y.path); c != 0 {
					return c
				}
			}
			return strings.Compare(store.FoldName(x.name), store.FoldName(y.name))
		})
		return names(sel, func(e pagedEntity) string { return e.path + e.name })
	}

	listers := []struct {
		name string
		list func(tx store.Tx, opts store.PathListOptions) (store.Page[pagedEntity], error)
	}{
		{"ListUsers", func(tx store.Tx, opts store.PathListOptions) (store.Page[pagedEntity], error) {
			p, err := tx.ListUsers(a.ID, opts)
			out := store.Page[pagedEntity]{Marker: p.Marker}
			for _, u := range p.Items {
				out.Items = append(out.Items, pagedEntity{u.Name, u.Path})
			}
			return out, err
		}},
		{"ListGroups", func(tx store.Tx, opts store.PathListOptions) (store.Page[pagedEntity], error) {
			p, err := tx.ListGroups(a.ID, opts)
			out := store.Page[pagedEntity]{Marker: p.Marker}
			for _, g := range p.Items {
				out.Items = append(out.Items, pagedEntity{g.Name, g.Path})
			}
			return out, err
		}},
		{"ListRoles", func(tx store.Tx, opts store.PathListOptions) (store.Page[pagedEntity], error) {
			p, err := tx.ListRoles(a.ID, opts)
			out := store.Page[pagedEntity]{Marker: p.Marker}
			for _, r := range p.Items {
				out.Items = append(out.Items, pagedEntity{r.Name, r.Path})
			}
			return out, err
		}},
	}
	for _, l := range listers {
		t.Run(l.name, func(t *testing.T) {
			cases := []struct {
				prefix string
				max    int
			}{
				{"", 1}, {"", 7}, {"", 100}, {"", 249}, {"", 250}, {"", 251}, {"", 1000},
				{"/", 0}, // MaxItems 0 means the default, 100
				{"/eng/", 1}, {"/eng/", 13}, {"/eng/", 1000},
				{"/eng", 40}, // a prefix need not end with a slash
				{"/ops/", 50}, {"/ops/", 49},
				{"/nothing/", 10},
			}
			for _, c := range cases {
				t.Run(fmt.Sprintf("prefix=%q,max=%d", c.prefix, c.max), func(t *testing.T) {
					max := c.max
					if max == 0 {
						max = store.DefaultMaxItems
					}
					got := allPages(t, max, func(marker string) (p store.Page[pagedEntity], err error) {
						err = f.view(func(tx store.Tx) error {
							p, err = l.list(tx, store.PathListOptions{PathPrefix: c.prefix, Marker: marker, MaxItems: c.max})
							return err
						})
						return p, err
					})
					wantNames(t, "listed", names(got, func(e pagedEntity) string { return e.path + e.name }), expect(c.prefix))
				})
			}
		})
	}

	t.Run("MarkerSurvivesDeletion", func(t *testing.T) {
		// A keyset marker names a position, not a row: deleting the last
		// row of a page does not break the next page.
		var first store.Page[store.User]
		f.mustView(func(tx store.Tx) (err error) {
			first, err = tx.ListUsers(a.ID, store.PathListOptions{MaxItems: 10})
			return err
		})
		last := first.Items[len(first.Items)-1]
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteUser(a.ID, last.Name) })
		f.mustView(func(tx store.Tx) error {
			next, err := tx.ListUsers(a.ID, store.PathListOptions{Marker: first.Marker, MaxItems: 10})
			noErr(t, err, "ListUsers after deletion")
			all := expect("")
			i := slices.Index(all, last.Path+last.Name)
			wantNames(t, "next page", names(next.Items, func(u store.User) string { return u.Path + u.Name }), all[i+1:i+11])
			return nil
		})
	})

	t.Run("InvalidMarkers", func(t *testing.T) {
		var usersMarker, pathMarker, groupsMarker string
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListUsers(a.ID, store.PathListOptions{MaxItems: 1})
			noErr(t, err, "ListUsers")
			usersMarker = p.Marker
			p, err = tx.ListUsers(a.ID, store.PathListOptions{PathPrefix: "/eng/", MaxItems: 1})
			noErr(t, err, "ListUsers")
			pathMarker = p.Marker
			g, err := tx.ListGroups(a.ID, store.PathListOptions{MaxItems: 1})
			noErr(t, err, "ListGroups")
			groupsMarker = g.Marker
			return nil
		})
		cases := []struct {
			name   string
			marker string
			prefix string
		}{
			{"garbage", "%%%not-base64%%%", ""},
			{"base64 of nothing we issued", "aGVsbG8", ""},
			{"a group marker for users", groupsMarker, ""},
			{"a path-ordered marker without a prefix", pathMarker, ""},
			{"a name-ordered marker with a prefix", usersMarker, "/eng/"},
			{"truncated", usersMarker[:len(usersMarker)/2], ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := f.view(func(tx store.Tx) error {
					_, err := tx.ListUsers(a.ID, store.PathListOptions{PathPrefix: c.prefix, Marker: c.marker})
					return err
				})
				wantErr(t, err, store.ErrInvalidArgument, "")
			})
		}
		for _, bad := range []string{"\xff", "/a\x00/"} {
			err := f.view(func(tx store.Tx) error {
				_, err := tx.ListUsers(a.ID, store.PathListOptions{PathPrefix: bad})
				return err
			})
			wantErr(t, err, store.ErrInvalidArgument, "")
		}
	})

	t.Run("GroupMembers", func(t *testing.T) {
		g := f.group(a.ID, "everyone", "/")
		var want []string
		f.mustUpdate(func(tx store.Tx) error {
			p, err := tx.ListUsers(a.ID, store.PathListOptions{MaxItems: 1000})
			if err != nil {
				return err
			}
			for _, u := range p.Items {
				want = append(want, u.ID)
				if err := tx.AddUserToGroup(a.ID, g.Name, u.Name); err != nil {
					return err
				}
			}
			return nil
		})
		sortStrings(want)
		for _, max := range []int{1, 33, 1000} {
			got := allPages(t, max, func(marker string) (p store.Page[store.User], err error) {
				err = f.view(func(tx store.Tx) error {
					p, err = tx.ListGroupMembers(a.ID, g.Name, store.ListOptions{Marker: marker, MaxItems: max})
					return err
				})
				return p, err
			})
			wantNames(t, "members", names(got, func(u store.User) string { return u.ID }), want)
		}
	})
}
