package storetest

import (
	"fmt"
	"testing"

	"github.com/iamd/iamd/internal/store"
)

func tagString(tg store.Tag) string { return tg.Key + "=" + tg.Value }

func testTags(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	u := f.user(a.ID, "tagged", "/")
	ref := store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: u.ID}

	list := func(t *testing.T) []string {
		t.Helper()
		var out []string
		f.mustView(func(tx store.Tx) error {
			p, err := tx.ListTags(ref, store.ListOptions{MaxItems: 1000})
			noErr(t, err, "ListTags")
			out = names(p.Items, tagString)
			n, err := tx.CountTags(ref)
			noErr(t, err, "CountTags")
			if n != len(out) {
				t.Fatalf("CountTags = %d, ListTags has %d", n, len(out))
			}
			return nil
		})
		return out
	}

	steps := []struct {
		name string
		fn   func(tx store.Tx) error
		want []string
	}{
		{"add in order", func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "Zeta", Value: "1"}, {Key: "Alpha", Value: "2"}, {Key: "Empty", Value: ""}})
		}, []string{"Zeta=1", "Alpha=2", "Empty="}},
		{"new tags go last", func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "Mid", Value: "3"}})
		}, []string{"Zeta=1", "Alpha=2", "Empty=", "Mid=3"}},
		{"replacing keeps the position, user tag keys ignore case", func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "alpha", Value: "20"}, {Key: "New", Value: "4"}})
		}, []string{"Zeta=1", "alpha=20", "Empty=", "Mid=3", "New=4"}},
		{"untag ignores absent keys and case", func(tx store.Tx) error {
			return tx.UntagResource(ref, []string{"ZETA", "absent", "mid"})
		}, []string{"alpha=20", "Empty=", "New=4"}},
		{"unicode values", func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "Équipe", Value: "café ☕"}})
		}, []string{"alpha=20", "Empty=", "New=4", "Équipe=café ☕"}},
		{"tag again after untagging", func(tx store.Tx) error {
			return tx.TagResource(ref, []store.Tag{{Key: "Zeta", Value: "again"}})
		}, []string{"alpha=20", "Empty=", "New=4", "Équipe=café ☕", "Zeta=again"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			f.mustUpdate(s.fn)
			wantNames(t, "tags", list(t), s.want)
		})
	}

	t.Run("Pagination", func(t *testing.T) {
		v := f.user(a.ID, "many-tags", "/")
		vref := store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: v.ID}
		var tags []store.Tag
		var want []string
		for i := range 50 {
			tg := store.Tag{Key: fmt.Sprintf("k%02d", 49-i), Value: fmt.Sprint(i)}
			tags = append(tags, tg)
			want = append(want, tagString(tg))
		}
		f.mustUpdate(func(tx store.Tx) error { return tx.TagResource(vref, tags) })
		for _, max := range []int{1, 7, 49, 50, 51} {
			got := allPages(t, max, func(marker string) (p store.Page[store.Tag], err error) {
				err = f.view(func(tx store.Tx) error {
					p, err = tx.ListTags(vref, store.ListOptions{Marker: marker, MaxItems: max})
					return err
				})
				return p, err
			})
			wantNames(t, fmt.Sprintf("tags in pages of %d", max), names(got, tagString), want)
		}
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"tag missing resource", func(tx store.Tx) error {
				return tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: "AIDANOSUCHUSER000000"}, []store.Tag{{Key: "k", Value: "v"}})
			}, store.ErrNotFound, store.KindUser},
			{"tag resource through another account", func(tx store.Tx) error {
				return tx.TagResource(store.ResourceRef{Account: other.ID, Kind: store.KindUser, ID: u.ID}, []store.Tag{{Key: "k", Value: "v"}})
			}, store.ErrNotFound, store.KindUser},
			{"untag missing resource", func(tx store.Tx) error {
				return tx.UntagResource(store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: "AIDANOSUCHUSER000000"}, []string{"k"})
			}, store.ErrNotFound, store.KindUser},
			{"list missing resource", func(tx store.Tx) error {
				_, err := tx.ListTags(store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: "AIDANOSUCHUSER000000"}, store.ListOptions{})
				return err
			}, store.ErrNotFound, store.KindUser},
			{"groups carry no tags", func(tx store.Tx) error {
				return tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindGroup, ID: "AGPAX"}, []store.Tag{{Key: "k", Value: "v"}})
			}, store.ErrInvalidArgument, ""},
			{"empty key", func(tx store.Tx) error {
				return tx.TagResource(ref, []store.Tag{{Key: "", Value: "v"}})
			}, store.ErrInvalidArgument, ""},
			{"marker of another list", func(tx store.Tx) error {
				_, err := tx.ListTags(ref, store.ListOptions{Marker: "bm90LWEtbWFya2Vy"})
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
