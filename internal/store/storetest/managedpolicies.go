package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

func (f *fixture) policy(account, path, name string) store.Policy {
	f.tb.Helper()
	p := store.Policy{Account: account, ID: awsid.Unique(awsid.ManagedPolicy), Name: name, Path: path,
		ARN: fmt.Sprintf("arn:aws:iam::%s:policy%s%s", account, path, name), Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreatePolicy(p, `{"Version":"2012-10-17","Statement":[]}`) })
	return p
}

func versionIDs(vs []store.PolicyVersion) []string {
	return names(vs, func(v store.PolicyVersion) string {
		if v.IsDefault {
			return v.ID + "*"
		}
		return v.ID
	})
}

func testManagedPolicies(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	doc1 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	p := store.Policy{Account: a.ID, ID: awsid.Unique(awsid.ManagedPolicy), Name: "ReadBuckets", Path: "/storage/",
		ARN: "arn:aws:iam::" + a.ID + ":policy/storage/ReadBuckets", Description: "reads", Created: f.now}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreatePolicy(p, doc1) })

	t.Run("Get", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetPolicy(a.ID, p.ARN)
			noErr(t, err, "GetPolicy")
			if got.ID != p.ID || got.Name != p.Name || got.Path != p.Path || got.ARN != p.ARN || got.Description != "reads" ||
				got.DefaultVersion != "v1" || got.AttachmentCount != 0 || got.PermissionsBoundaryUsageCount != 0 {
				t.Fatalf("GetPolicy = %+v", got)
			}
			sameTime(t, "Created", got.Created, f.now)
			sameTime(t, "Updated", got.Updated, f.now)
			v, err := tx.GetPolicyVersion(a.ID, p.ARN, "v1")
			noErr(t, err, "GetPolicyVersion")
			if v.Document != doc1 || !v.IsDefault || v.ID != "v1" {
				t.Fatalf("v1 = %+v", v)
			}
			_, err = tx.GetPolicy(other.ID, p.ARN)
			wantErr(t, err, store.ErrNotFound, store.KindPolicy)
			n, err := tx.CountPolicies(a.ID)
			noErr(t, err, "CountPolicies")
			if n != 1 {
				t.Fatalf("CountPolicies = %d", n)
			}
			return nil
		})
	})

	t.Run("CreateConflicts", func(t *testing.T) {
		mk := func(name, id, arn string) store.Policy {
			return store.Policy{Account: a.ID, ID: id, Name: name, Path: "/", ARN: arn, Created: f.now}
		}
		cases := []struct {
			name     string
			policy   store.Policy
			doc      string
			sentinel error
			kind     store.Kind
		}{
			{"name differing in case, other path", mk("readbuckets", awsid.Unique(awsid.ManagedPolicy), "arn:aws:iam::"+a.ID+":policy/readbuckets"), doc1, store.ErrAlreadyExists, store.KindPolicy},
			{"same ARN", mk("Other", awsid.Unique(awsid.ManagedPolicy), p.ARN), doc1, store.ErrAlreadyExists, store.KindPolicy},
			{"same id", mk("Other", p.ID, "arn:aws:iam::"+a.ID+":policy/Other"), doc1, store.ErrAlreadyExists, store.KindPolicy},
			{"missing account", store.Policy{Account: "000000000000", ID: awsid.Unique(awsid.ManagedPolicy), Name: "x", Path: "/", ARN: "arn:x", Created: f.now}, doc1, store.ErrNotFound, store.KindAccount},
			{"no document", mk("NoDoc", awsid.Unique(awsid.ManagedPolicy), "arn:aws:iam::"+a.ID+":policy/NoDoc"), "", store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreatePolicy(c.policy, c.doc) }), c.sentinel, c.kind)
			})
		}
	})

	t.Run("Versions", func(t *testing.T) {
		q := f.policy(a.ID, "/", "Versioned")
		at := func(i int) time.Time { return f.now.Add(time.Duration(i) * time.Hour) }
		steps := []struct {
			name    string
			fn      func(tx store.Tx) error
			want    []string // newest first, default starred
			updated time.Time
		}{
			{"v2 not default", func(tx store.Tx) error {
				v, err := tx.CreatePolicyVersion(a.ID, q.ARN, "{2}", at(2), false)
				if err == nil && (v.ID != "v2" || v.IsDefault) {
					err = fmt.Errorf("created %+v", v)
				}
				return err
			}, []string{"v2", "v1*"}, q.Created},
			{"v3 default", func(tx store.Tx) error {
				_, err := tx.CreatePolicyVersion(a.ID, q.ARN, "{3}", at(3), true)
				return err
			}, []string{"v3*", "v2", "v1"}, at(3)},
			{"delete v2", func(tx store.Tx) error { return tx.DeletePolicyVersion(a.ID, q.ARN, "v2") }, []string{"v3*", "v1"}, at(3)},
			{"ids are not reused", func(tx store.Tx) error {
				_, err := tx.CreatePolicyVersion(a.ID, q.ARN, "{4}", at(4), false)
				return err
			}, []string{"v4", "v3*", "v1"}, at(3)},
			{"set default back to v1", func(tx store.Tx) error { return tx.SetDefaultPolicyVersion(a.ID, q.ARN, "v1", at(5)) }, []string{"v4", "v3", "v1*"}, at(5)},
		}
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				f.mustUpdate(s.fn)
				f.mustView(func(tx store.Tx) error {
					p, err := tx.ListPolicyVersions(a.ID, q.ARN, store.ListOptions{})
					noErr(t, err, "ListPolicyVersions")
					wantNames(t, "versions", versionIDs(p.Items), s.want)
					n, err := tx.CountPolicyVersions(a.ID, q.ARN)
					noErr(t, err, "CountPolicyVersions")
					if n != len(s.want) {
						t.Fatalf("CountPolicyVersions = %d", n)
					}
					got, err := tx.GetPolicy(a.ID, q.ARN)
					noErr(t, err, "GetPolicy")
					sameTime(t, "Updated", got.Updated, s.updated)
					for _, v := range p.Items {
						one, err := tx.GetPolicyVersion(a.ID, q.ARN, v.ID)
						noErr(t, err, "GetPolicyVersion")
						if one != v && !(one.ID == v.ID && one.Document == v.Document && one.IsDefault == v.IsDefault && one.Created.Equal(v.Created)) {
							t.Fatalf("GetPolicyVersion = %+v, listed %+v", one, v)
						}
						if v.IsDefault != (got.DefaultVersion == v.ID) {
							t.Fatalf("version %s default %v, policy default %s", v.ID, v.IsDefault, got.DefaultVersion)
						}
					}
					return nil
				})
			})
		}
		all := allPages(t, 1, func(marker string) (p store.Page[store.PolicyVersion], err error) {
			err = f.view(func(tx store.Tx) error {
				p, err = tx.ListPolicyVersions(a.ID, q.ARN, store.ListOptions{Marker: marker, MaxItems: 1})
				return err
			})
			return p, err
		})
		wantNames(t, "versions paged by one", versionIDs(all), []string{"v4", "v3", "v1*"})

		errCases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"delete the default", func(tx store.Tx) error { return tx.DeletePolicyVersion(a.ID, q.ARN, "v1") }, store.ErrConflict, store.KindPolicyVersion},
			{"delete a deleted version", func(tx store.Tx) error { return tx.DeletePolicyVersion(a.ID, q.ARN, "v2") }, store.ErrNotFound, store.KindPolicyVersion},
			{"default a missing version", func(tx store.Tx) error { return tx.SetDefaultPolicyVersion(a.ID, q.ARN, "v9", f.now) }, store.ErrNotFound, store.KindPolicyVersion},
			{"malformed version id", func(tx store.Tx) error { _, err := tx.GetPolicyVersion(a.ID, q.ARN, "v01"); return err }, store.ErrNotFound, store.KindPolicyVersion},
			{"version of a missing policy", func(tx store.Tx) error {
				_, err := tx.CreatePolicyVersion(a.ID, q.ARN+"-missing", "{}", f.now, true)
				return err
			}, store.ErrNotFound, store.KindPolicy},
			{"version of another account's policy", func(tx store.Tx) error {
				_, err := tx.GetPolicyVersion(other.ID, q.ARN, "v1")
				return err
			}, store.ErrNotFound, store.KindPolicy},
		}
		for _, c := range errCases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
	})

	t.Run("UsageAndDeletion", func(t *testing.T) {
		q := f.policy(a.ID, "/", "InUse")
		f.user(a.ID, "bounded-user", "/")
		f.role(a.ID, "bounded-role", "/")
		f.user(a.ID, "attached-user", "/")
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindPolicy, ID: q.ID}
		attachment := store.AttachedPolicy{ARN: q.ARN, Name: q.Name, Path: q.Path}
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.SetUserPermissionsBoundary(a.ID, "bounded-user", q.ARN), "boundary")
			noErr(t, tx.SetRolePermissionsBoundary(a.ID, "bounded-role", q.ARN), "boundary")
			noErr(t, tx.SetUserPermissionsBoundary(a.ID, "attached-user", adminPolicy.ARN), "boundary")
			noErr(t, tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "attached-user"}, attachment), "attach")
			noErr(t, tx.TagResource(ref, []store.Tag{{Key: "Team", Value: "a"}, {Key: "team", Value: "b"}}), "tag")
			_, err := tx.CreatePolicyVersion(a.ID, q.ARN, "{2}", f.now, false)
			return err
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetPolicy(a.ID, q.ARN)
			noErr(t, err, "GetPolicy")
			if got.AttachmentCount != 1 || got.PermissionsBoundaryUsageCount != 2 {
				t.Fatalf("usage counts = %d attached, %d boundaries", got.AttachmentCount, got.PermissionsBoundaryUsageCount)
			}
			n, err := tx.CountPermissionsBoundaryUses(a.ID, adminPolicy.ARN)
			noErr(t, err, "CountPermissionsBoundaryUses")
			if n != 1 {
				t.Fatalf("AWS managed policy used as %d boundaries", n)
			}
			d, err := tx.PolicyDependencies(a.ID, q.ARN)
			noErr(t, err, "PolicyDependencies")
			if d.Attachments != 1 || d.NonDefaultVersions != 1 || d.BoundaryUses != 2 || !d.Blocking() {
				t.Fatalf("PolicyDependencies = %+v", d)
			}
			tags, err := tx.ListTags(ref, store.ListOptions{})
			noErr(t, err, "ListTags")
			// Policy tag keys are case sensitive.
			wantNames(t, "policy tags", names(tags.Items, tagString), []string{"Team=a", "team=b"})
			return nil
		})
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeletePolicy(a.ID, q.ARN) }), store.ErrConflict, store.KindPolicy)
		f.mustUpdate(func(tx store.Tx) error {
			return tx.DetachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "attached-user"}, q.ARN)
		})
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeletePolicy(a.ID, q.ARN) }), store.ErrConflict, store.KindPolicy)
		f.mustUpdate(func(tx store.Tx) error { return tx.DeletePolicyVersion(a.ID, q.ARN, "v2") })
		// Boundary uses do not block deletion.
		f.mustUpdate(func(tx store.Tx) error { return tx.DeletePolicy(a.ID, q.ARN) })
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetPolicy(a.ID, q.ARN)
			wantErr(t, err, store.ErrNotFound, store.KindPolicy)
			_, err = tx.ListTags(ref, store.ListOptions{})
			wantErr(t, err, store.ErrNotFound, store.KindPolicy)
			return nil
		})
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeletePolicy(a.ID, q.ARN) }), store.ErrNotFound, store.KindPolicy)
	})

	t.Run("List", func(t *testing.T) {
		g := newFixture(t, open)
		b := g.account()
		var all []store.Policy
		for i := range 12 {
			path := []string{"/", "/team/", "/team/sub/"}[i%3]
			all = append(all, g.policy(b.ID, path, fmt.Sprintf("Policy%02d", 11-i)))
		}
		g.user(b.ID, "u", "/")
		g.role(b.ID, "r", "/")
		g.mustUpdate(func(tx store.Tx) error {
			// Policy11 attached, Policy10 a boundary, Policy09 both.
			for _, i := range []int{0, 2} {
				if err := tx.AttachPolicy(b.ID, store.Entity{Kind: store.KindUser, Name: "u"}, store.AttachedPolicy{ARN: all[i].ARN, Name: all[i].Name, Path: all[i].Path}); err != nil {
					return err
				}
			}
			noErr(t, tx.SetUserPermissionsBoundary(b.ID, "u", all[1].ARN), "boundary")
			return tx.SetRolePermissionsBoundary(b.ID, "r", all[2].ARN)
		})
		cases := []struct {
			name   string
			prefix string
			use    store.PolicyUse
			want   []string
		}{
			{"all by name", "", store.AnyUse, []string{"Policy00", "Policy01", "Policy02", "Policy03", "Policy04", "Policy05", "Policy06", "Policy07", "Policy08", "Policy09", "Policy10", "Policy11"}},
			{"by path", "/team/", store.AnyUse, []string{"Policy01", "Policy04", "Policy07", "Policy10", "Policy00", "Policy03", "Policy06", "Policy09"}},
			{"attached", "", store.AttachedAsPermissions, []string{"Policy09", "Policy11"}},
			{"boundaries", "", store.UsedAsBoundary, []string{"Policy09", "Policy10"}},
			{"attached or boundaries", "", store.AttachedOrBoundary, []string{"Policy09", "Policy10", "Policy11"}},
			{"attached under a path", "/team/", store.AttachedOrBoundary, []string{"Policy10", "Policy09"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, max := range []int{1, 5, 100} {
					got := allPages(t, max, func(marker string) (p store.Page[store.Policy], err error) {
						err = g.view(func(tx store.Tx) error {
							p, err = tx.ListPolicies(b.ID, store.PolicyListOptions{PathPrefix: c.prefix, Use: c.use, Marker: marker, MaxItems: max})
							return err
						})
						return p, err
					})
					wantNames(t, "policies", names(got, func(p store.Policy) string { return p.Name }), c.want)
				}
			})
		}
		wantErr(t, g.view(func(tx store.Tx) error {
			_, err := tx.ListPolicies(b.ID, store.PolicyListOptions{Use: 99})
			return err
		}), store.ErrInvalidArgument, "")
	})
}
