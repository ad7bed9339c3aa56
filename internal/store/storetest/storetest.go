// Package storetest is the conformance suite of the store contract: every
// backend (SQLite, PostgreSQL) runs Run and Bench, as Vault's backends run
// physical.ExerciseBackend, so that the services can rely on one behaviour
// whatever the database.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// Opener returns a new, empty store for one test or benchmark and arranges
// (with tb.Cleanup) for it to be closed.
type Opener func(tb testing.TB) store.Store

// Run runs the conformance suite against the backend open returns. Each
// subtest gets its own store, so they run in parallel.
func Run(t *testing.T, open Opener) {
	groups := []struct {
		name string
		run  func(t *testing.T, open Opener)
	}{
		{"Accounts", testAccounts},
		{"Users", testUsers},
		{"Groups", testGroups},
		{"Roles", testRoles},
		{"ManagedPolicies", testManagedPolicies},
		{"InstanceProfiles", testInstanceProfiles},
		{"AccessKeys", testAccessKeys},
		{"LoginProfiles", testLoginProfiles},
		{"MFADevices", testMFADevices},
		{"IdentityProviders", testIdentityProviders},
		{"ServerCertificates", testServerCertificates},
		{"UserCredentials", testUserCredentials},
		{"Everything", testEverything},
		{"AccountSettings", testAccountSettings},
		{"Tags", testTags},
		{"PolicyAttachments", testPolicyAttachments},
		{"InlinePolicies", testInlinePolicies},
		{"Sessions", testSessions},
		{"Sealed", testSealed},
		{"Transactions", testTransactions},
		{"Concurrency", testConcurrency},
		{"Pagination", testPagination},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			g.run(t, open)
		})
	}
}

// fixture is one store with helpers that fail the test on error.
type fixture struct {
	tb  testing.TB
	s   store.Store
	now time.Time
	seq int
}

func newFixture(tb testing.TB, open Opener) *fixture {
	tb.Helper()
	// A time with nanoseconds and a non-UTC zone: the store must give back
	// the same instant.
	now := time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.FixedZone("X", 3600))
	return &fixture{tb: tb, s: open(tb), now: now}
}

func (f *fixture) update(fn func(store.Tx) error) error {
	return f.s.Update(context.Background(), fn)
}

func (f *fixture) view(fn func(store.Tx) error) error {
	return f.s.View(context.Background(), fn)
}

func (f *fixture) mustUpdate(fn func(store.Tx) error) {
	f.tb.Helper()
	if err := f.update(fn); err != nil {
		f.tb.Fatalf("Update: %v", err)
	}
}

func (f *fixture) mustView(fn func(store.Tx) error) {
	f.tb.Helper()
	if err := f.view(fn); err != nil {
		f.tb.Fatalf("View: %v", err)
	}
}

// tick returns a distinct time after now.
func (f *fixture) tick() time.Time {
	f.seq++
	return f.now.Add(time.Duration(f.seq) * time.Second)
}

func (f *fixture) account() store.Account {
	f.tb.Helper()
	a := store.Account{ID: awsid.AccountID(), RootEmail: "root@example.com", RootPasswordHash: []byte("hash"), Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateAccount(a) })
	return a
}

func (f *fixture) user(account, name, path string) store.User {
	f.tb.Helper()
	u := store.User{Account: account, ID: awsid.Unique(awsid.User), Name: name, Path: path, Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateUser(u) })
	return u
}

func (f *fixture) group(account, name, path string) store.Group {
	f.tb.Helper()
	g := store.Group{Account: account, ID: awsid.Unique(awsid.Group), Name: name, Path: path, Created: f.tick()}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateGroup(g) })
	return g
}

func (f *fixture) accessKey(account, user string) store.AccessKey {
	f.tb.Helper()
	k := newKey(account, user, f.tick())
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateAccessKey(k) })
	return k
}

func newKey(account, user string, created time.Time) store.AccessKey {
	id := awsid.AccessKeyID(awsid.LongTermAccessKey)
	return store.AccessKey{
		ID: id, Account: account, UserName: user,
		Secret: []byte("sealed:" + id), Status: store.AccessKeyActive, Created: created,
	}
}

// wantErr checks that err wraps sentinel and, when kind is set, that the
// *store.Error names that kind.
func wantErr(tb testing.TB, err, sentinel error, kind store.Kind) {
	tb.Helper()
	if !errors.Is(err, sentinel) {
		tb.Fatalf("error = %v, want %v", err, sentinel)
	}
	if kind == "" {
		return
	}
	var se *store.Error
	if !errors.As(err, &se) {
		tb.Fatalf("error %v is not a *store.Error", err)
	}
	if se.Kind != kind {
		tb.Fatalf("error %v is about %q, want %q", err, se.Kind, kind)
	}
}

func noErr(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// sameTime compares instants (the zone may differ).
func sameTime(tb testing.TB, what string, got, want time.Time) {
	tb.Helper()
	if !got.Equal(want) {
		tb.Fatalf("%s = %v, want %v", what, got, want)
	}
}

func names[T any](items []T, name func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = name(v)
	}
	return out
}

func userName(u store.User) string   { return u.Name }
func groupName(g store.Group) string { return g.Name }

func eq(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func wantNames(tb testing.TB, what string, got, want []string) {
	tb.Helper()
	if !eq(got, want) {
		tb.Fatalf("%s = %q, want %q", what, got, want)
	}
}

// allPages walks a list to its end with the page size, checking that
// every page but the last is full and that the walk ends.
func allPages[T any](tb testing.TB, max int, list func(marker string) (store.Page[T], error)) []T {
	tb.Helper()
	var out []T
	marker := ""
	for i := 0; ; i++ {
		if i > 100000 {
			tb.Fatal("list does not end")
		}
		p, err := list(marker)
		if err != nil {
			tb.Fatalf("page %d: %v", i, err)
		}
		out = append(out, p.Items...)
		if !p.Truncated() {
			if len(p.Items) > max {
				tb.Fatalf("page %d has %d items, more than %d", i, len(p.Items), max)
			}
			return out
		}
		if len(p.Items) != max {
			tb.Fatalf("page %d is truncated with %d items, want %d", i, len(p.Items), max)
		}
		marker = p.Marker
	}
}

func seqName(prefix string, i int) string { return fmt.Sprintf("%s%05d", prefix, i) }

func sortStrings(s []string) { slices.Sort(s) }

// adminPolicy is an AWS managed policy to attach.
var adminPolicy = store.AttachedPolicy{
	ARN:  "arn:aws:iam::aws:policy/AdministratorAccess",
	Name: "AdministratorAccess",
	Path: "/",
}
