package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// Bench runs the store benchmarks against a backend:
//
//   - GetAccessKey: the SigV4 hot path, one View with one key lookup by
//     id, serially and from parallel goroutines.
//   - CreateUser: one durable Update creating one user (the
//     transaction the CreateUser API call makes).
//   - ListUsersPage: a page of 100 users, first and middle of the list,
//     by name and by path prefix, in accounts of 100 and 100,000 users;
//     the page time should not grow with the account.
func Bench(b *testing.B, open Opener) {
	b.Run("GetAccessKey", func(b *testing.B) { benchGetAccessKey(b, open) })
	b.Run("CreateUser", func(b *testing.B) { benchCreateUser(b, open) })
	b.Run("ListUsersPage", func(b *testing.B) { benchListUsers(b, open) })
}

func benchGetAccessKey(b *testing.B, open Opener) {
	f := newFixture(b, open)
	a := f.account()
	const users = 500
	var ids []string
	f.mustUpdate(func(tx store.Tx) error {
		for i := range users {
			u := store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: seqName("u", i), Path: "/", Created: f.now}
			if err := tx.CreateUser(u); err != nil {
				return err
			}
			for range 2 {
				k := newKey(a.ID, u.Name, f.now)
				if err := tx.CreateAccessKey(k); err != nil {
					return err
				}
				ids = append(ids, k.ID)
			}
		}
		return nil
	})
	ctx := context.Background()
	get := func(id string) error {
		return f.s.View(ctx, func(tx store.Tx) error {
			k, err := tx.GetAccessKey(id)
			if err == nil && k.ID != id {
				err = fmt.Errorf("got key %s for %s", k.ID, id)
			}
			return err
		})
	}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if err := get(ids[i%len(ids)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := int(time.Now().UnixNano())
			for pb.Next() {
				i++
				if err := get(ids[(i&0x7fffffff)%len(ids)]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func benchCreateUser(b *testing.B, open Opener) {
	f := newFixture(b, open)
	a := f.account()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		u := store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: seqName("bench-user-", i), Path: "/", Created: time.Now()}
		if err := f.s.Update(ctx, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// populate creates n users in one account, in batches, with every tenth
// under /eng/.
func populate(b *testing.B, f *fixture, account string, n int) {
	const batch = 5000
	for start := 0; start < n; start += batch {
		f.mustUpdate(func(tx store.Tx) error {
			for i := start; i < min(start+batch, n); i++ {
				path := "/"
				if i%10 == 0 {
					path = "/eng/"
				}
				u := store.User{Account: account, ID: awsid.Unique(awsid.User), Name: fmt.Sprintf("user-%07d", i), Path: path, Created: f.now}
				if err := tx.CreateUser(u); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

func benchListUsers(b *testing.B, open Opener) {
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			f := newFixture(b, open)
			a := f.account()
			populate(b, f, a.ID, n)
			// A marker from the middle of each list, found by walking.
			middle := func(prefix string, total int) string {
				marker := ""
				for seen := 0; seen < total/2; {
					var p store.Page[store.User]
					f.mustView(func(tx store.Tx) (err error) {
						p, err = tx.ListUsers(a.ID, store.PathListOptions{PathPrefix: prefix, Marker: marker, MaxItems: 100})
						return err
					})
					if !p.Truncated() {
						break
					}
					seen += len(p.Items)
					marker = p.Marker
				}
				return marker
			}
			cases := []struct {
				name string
				opts store.PathListOptions
			}{
				{"first", store.PathListOptions{MaxItems: 100}},
				{"middle", store.PathListOptions{MaxItems: 100, Marker: middle("", n)}},
				{"prefix-first", store.PathListOptions{PathPrefix: "/eng/", MaxItems: 100}},
				{"prefix-middle", store.PathListOptions{PathPrefix: "/eng/", MaxItems: 100, Marker: middle("/eng/", n/10)}},
			}
			ctx := context.Background()
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						err := f.s.View(ctx, func(tx store.Tx) error {
							p, err := tx.ListUsers(a.ID, c.opts)
							if err == nil && len(p.Items) == 0 {
								err = fmt.Errorf("empty page")
							}
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
