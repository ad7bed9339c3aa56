package storetest

import (
	"fmt"
	"testing"

	"github.com/iamd/iamd/internal/store"
)

func policyARN(p store.AttachedPolicy) string { return p.ARN }

func managed(account, path, name string) store.AttachedPolicy {
	return store.AttachedPolicy{ARN: fmt.Sprintf("arn:aws:iam::%s:policy%s%s", account, path, name), Name: name, Path: path}
}

func testPolicyAttachments(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	u := f.user(a.ID, "alice", "/")
	g := f.group(a.ID, "Administrators", "/")
	f.user(other.ID, "alice", "/")
	userE := store.Entity{Kind: store.KindUser, Name: "ALICE"}
	groupE := store.Entity{Kind: store.KindGroup, Name: "administrators"}
	readOnly := store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "ReadOnlyAccess", Path: "/"}
	jobs := store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/job-function/Billing", Name: "Billing", Path: "/job-function/"}
	local := managed(a.ID, "/team/", "Deploy")

	f.mustUpdate(func(tx store.Tx) error {
		for _, p := range []store.AttachedPolicy{adminPolicy, readOnly, jobs, local, adminPolicy} {
			if err := tx.AttachPolicy(a.ID, userE, p); err != nil {
				return err
			}
		}
		noErr(t, tx.AttachPolicy(a.ID, groupE, adminPolicy), "AttachPolicy group")
		return tx.AttachPolicy(other.ID, store.Entity{Kind: store.KindUser, Name: "alice"}, adminPolicy)
	})

	t.Run("List", func(t *testing.T) {
		cases := []struct {
			name   string
			prefix string
			want   []store.AttachedPolicy
		}{
			{"all", "", []store.AttachedPolicy{adminPolicy, readOnly, jobs, local}},
			{"root path", "/", []store.AttachedPolicy{adminPolicy, readOnly, jobs, local}},
			{"path prefix", "/job-", []store.AttachedPolicy{jobs}},
			{"exact path", "/team/", []store.AttachedPolicy{local}},
			{"no match", "/none/", nil},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				want := names(c.want, policyARN)
				sortStrings(want)
				for _, max := range []int{1, 2, 100} {
					got := allPages(t, max, func(marker string) (p store.Page[store.AttachedPolicy], err error) {
						err = f.view(func(tx store.Tx) error {
							p, err = tx.ListAttachedPolicies(a.ID, userE, store.PathListOptions{PathPrefix: c.prefix, Marker: marker, MaxItems: max})
							return err
						})
						return p, err
					})
					wantNames(t, "attached", names(got, policyARN), want)
					for _, p := range got {
						if p.Name == "" || p.Path == "" {
							t.Fatalf("attachment %+v lacks name or path", p)
						}
					}
				}
			})
		}
	})

	t.Run("Counts", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			n, err := tx.CountAttachedPolicies(a.ID, userE)
			noErr(t, err, "CountAttachedPolicies")
			if n != 4 {
				t.Fatalf("CountAttachedPolicies = %d, want 4 (attaching twice is one attachment)", n)
			}
			n, err = tx.CountPolicyAttachments(a.ID, adminPolicy.ARN)
			noErr(t, err, "CountPolicyAttachments")
			if n != 2 {
				t.Fatalf("CountPolicyAttachments = %d, want 2 (per account)", n)
			}
			return nil
		})
	})

	t.Run("EntitiesForPolicy", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListEntitiesForPolicy(a.ID, adminPolicy.ARN, "", store.ListOptions{})
			noErr(t, err, "ListEntitiesForPolicy")
			got := names(p.Items, func(e store.PolicyEntity) string { return string(e.Kind) + ":" + e.Name + ":" + e.ID })
			wantNames(t, "entities", got, []string{"group:Administrators:" + g.ID, "user:alice:" + u.ID})
			p, err = tx.ListEntitiesForPolicy(a.ID, adminPolicy.ARN, store.KindUser, store.ListOptions{})
			noErr(t, err, "ListEntitiesForPolicy users")
			if len(p.Items) != 1 || p.Items[0].Name != "alice" {
				t.Fatalf("users of the policy = %+v", p.Items)
			}
			return nil
		})
		got := allPages(t, 1, func(marker string) (p store.Page[store.PolicyEntity], err error) {
			err = f.view(func(tx store.Tx) error {
				p, err = tx.ListEntitiesForPolicy(a.ID, adminPolicy.ARN, "", store.ListOptions{Marker: marker, MaxItems: 1})
				return err
			})
			return p, err
		})
		if len(got) != 2 {
			t.Fatalf("paged entities = %+v", got)
		}
	})

	t.Run("Detach", func(t *testing.T) {
		f.mustUpdate(func(tx store.Tx) error { return tx.DetachPolicy(a.ID, userE, readOnly.ARN) })
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DetachPolicy(a.ID, userE, readOnly.ARN) }), store.ErrNotFound, store.KindAttachment)
		f.mustView(func(tx store.Tx) error {
			n, err := tx.CountAttachedPolicies(a.ID, userE)
			noErr(t, err, "CountAttachedPolicies")
			if n != 3 {
				t.Fatalf("CountAttachedPolicies = %d after detach", n)
			}
			return nil
		})
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"attach to missing user", func(tx store.Tx) error {
				return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "nobody"}, adminPolicy)
			}, store.ErrNotFound, store.KindUser},
			{"attach to missing group", func(tx store.Tx) error {
				return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: "nobody"}, adminPolicy)
			}, store.ErrNotFound, store.KindGroup},
			{"attach to an access key", func(tx store.Tx) error {
				return tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindAccessKey, Name: "x"}, adminPolicy)
			}, store.ErrInvalidArgument, ""},
			{"attach without name", func(tx store.Tx) error {
				return tx.AttachPolicy(a.ID, userE, store.AttachedPolicy{ARN: "arn:aws:iam::aws:policy/X", Path: "/"})
			}, store.ErrInvalidArgument, ""},
			{"detach from missing user", func(tx store.Tx) error {
				return tx.DetachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "nobody"}, adminPolicy.ARN)
			}, store.ErrNotFound, store.KindUser},
			{"list for missing user", func(tx store.Tx) error {
				_, err := tx.ListAttachedPolicies(a.ID, store.Entity{Kind: store.KindUser, Name: "nobody"}, store.PathListOptions{})
				return err
			}, store.ErrNotFound, store.KindUser},
			{"count for missing group", func(tx store.Tx) error {
				_, err := tx.CountAttachedPolicies(a.ID, store.Entity{Kind: store.KindGroup, Name: "nobody"})
				return err
			}, store.ErrNotFound, store.KindGroup},
			{"entities of an unknown kind", func(tx store.Tx) error {
				_, err := tx.ListEntitiesForPolicy(a.ID, adminPolicy.ARN, store.KindTag, store.ListOptions{})
				return err
			}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
	})
}

func testInlinePolicies(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	f.user(a.ID, "alice", "/")
	f.group(a.ID, "devs", "/")
	for _, e := range []store.Entity{{Kind: store.KindUser, Name: "Alice"}, {Kind: store.KindGroup, Name: "DEVS"}} {
		t.Run(string(e.Kind), func(t *testing.T) {
			f.mustUpdate(func(tx store.Tx) error {
				noErr(t, tx.PutInlinePolicy(a.ID, e, store.InlinePolicy{Name: "S3Read", Document: `{"Version":"2012-10-17"}`}), "PutInlinePolicy")
				noErr(t, tx.PutInlinePolicy(a.ID, e, store.InlinePolicy{Name: "Admin", Document: `{"a":1}`}), "PutInlinePolicy")
				// Replacing by a name differing in case replaces the
				// document and the spelling.
				return tx.PutInlinePolicy(a.ID, e, store.InlinePolicy{Name: "s3read", Document: `{"Version":"2012-10-17","Statement":[]}`})
			})
			f.mustView(func(tx store.Tx) error {
				p, err := tx.GetInlinePolicy(a.ID, e, "S3READ")
				noErr(t, err, "GetInlinePolicy")
				if p.Name != "s3read" || p.Document != `{"Version":"2012-10-17","Statement":[]}` {
					t.Fatalf("GetInlinePolicy = %+v", p)
				}
				n, err := tx.CountInlinePolicies(a.ID, e)
				noErr(t, err, "CountInlinePolicies")
				if n != 2 {
					t.Fatalf("CountInlinePolicies = %d", n)
				}
				_, err = tx.GetInlinePolicy(a.ID, e, "nothing")
				wantErr(t, err, store.ErrNotFound, store.KindInlinePolicy)
				return nil
			})
			for _, max := range []int{1, 2, 3} {
				got := allPages(t, max, func(marker string) (p store.Page[store.InlinePolicy], err error) {
					err = f.view(func(tx store.Tx) error {
						p, err = tx.ListInlinePolicies(a.ID, e, store.ListOptions{Marker: marker, MaxItems: max})
						return err
					})
					return p, err
				})
				wantNames(t, "inline policies", names(got, func(p store.InlinePolicy) string { return p.Name }), []string{"Admin", "s3read"})
			}
			f.mustUpdate(func(tx store.Tx) error { return tx.DeleteInlinePolicy(a.ID, e, "ADMIN") })
			wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteInlinePolicy(a.ID, e, "admin") }), store.ErrNotFound, store.KindInlinePolicy)
		})
	}
	t.Run("Errors", func(t *testing.T) {
		missing := store.Entity{Kind: store.KindUser, Name: "nobody"}
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"put on missing user", func(tx store.Tx) error {
				return tx.PutInlinePolicy(a.ID, missing, store.InlinePolicy{Name: "p", Document: "{}"})
			}, store.ErrNotFound, store.KindUser},
			{"get on missing user", func(tx store.Tx) error {
				_, err := tx.GetInlinePolicy(a.ID, missing, "p")
				return err
			}, store.ErrNotFound, store.KindUser},
			{"list on missing group", func(tx store.Tx) error {
				_, err := tx.ListInlinePolicies(a.ID, store.Entity{Kind: store.KindGroup, Name: "nobody"}, store.ListOptions{})
				return err
			}, store.ErrNotFound, store.KindGroup},
			{"put without name", func(tx store.Tx) error {
				return tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "alice"}, store.InlinePolicy{Document: "{}"})
			}, store.ErrInvalidArgument, ""},
			{"document with NUL", func(tx store.Tx) error {
				return tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindUser, Name: "alice"}, store.InlinePolicy{Name: "p", Document: "{\x00}"})
			}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
	})
}
