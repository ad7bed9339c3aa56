package server

import (
	"testing"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
)

// TestKeyCacheFollowsGenerations: a cached key is served while its
// account's generation is unchanged and refused once the account (or
// everything) changed, so that a deactivated or deleted key is never
// served from the cache.
func TestKeyCacheFollowsGenerations(t *testing.T) {
	az := authz.New(nil, authz.Options{})
	c := newKeyCache()
	k := store.AccessKey{ID: "AKIAEXAMPLE000000001", Account: "111122223333"}
	cases := []struct {
		name   string
		change func()
	}{
		{"this account changed", func() { az.Changed("111122223333") }},
		{"every account changed", az.ChangedAll},
	}
	for _, tc := range cases {
		c.put(k, []byte("secret"), az.Generation(k.Account))
		if _, s, ok := c.get(k.ID, az); !ok || string(s) != "secret" {
			t.Fatalf("%s: fresh entry not served", tc.name)
		}
		az.Changed("444455556666") // another account's change leaves it alone
		if _, _, ok := c.get(k.ID, az); !ok {
			t.Fatalf("%s: entry dropped by another account's change", tc.name)
		}
		tc.change()
		if _, _, ok := c.get(k.ID, az); ok {
			t.Fatalf("%s: stale entry served", tc.name)
		}
	}
	if _, _, ok := c.get("AKIAUNKNOWN000000000", az); ok {
		t.Fatal("unknown key served")
	}
}
