package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/store"
)

func TestFoldName(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"lower stays", "alice", "alice"},
		{"upper folds", "ALICE", "alice"},
		{"mixed with punctuation", "My.User+1@Corp=X,Y-Z_", "my.user+1@corp=x,y-z_"},
		{"non-ASCII is kept as is", "ÄBC", "Äbc"},
		{"empty", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := store.FoldName(c.in); got != c.want {
				t.Fatalf("FoldName(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestPathRange(t *testing.T) {
	cases := []struct {
		name, prefix, lo, hi string
		bounded              bool
	}{
		{"empty is root", "", "/", "0", true},
		{"root", "/", "/", "0", true},
		{"nested", "/eng/", "/eng/", "/eng0", true},
		{"no trailing slash", "/eng", "/eng", "/enh", true},
		{"DEL, the last character of IAM's path pattern", "/a\x7f", "/a\x7f", "/a\u0080", true},
		{"before the surrogates", "/\ud7ff", "/\ud7ff", "/\ue000", true},
		{"last code point", "/\U0010FFFF", "/\U0010FFFF", "0", true},
		{"nothing above", "\U0010FFFF", "\U0010FFFF", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lo, hi, bounded := store.PathRange(c.prefix)
			if lo != c.lo || hi != c.hi || bounded != c.bounded {
				t.Fatalf("PathRange(%q) = %q, %q, %v; want %q, %q, %v", c.prefix, lo, hi, bounded, c.lo, c.hi, c.bounded)
			}
			if bounded {
				// Every path with the prefix lies in [lo, hi).
				for _, suffix := range []string{"", "x", "\U0010FFFF\U0010FFFF", "~~~"} {
					p := lo + suffix
					if p < lo || p >= hi {
						t.Fatalf("%q is outside [%q, %q)", p, lo, hi)
					}
				}
			}
		})
	}
}

func TestErrors(t *testing.T) {
	err := store.NotFound(store.KindUser, "bob")
	if !errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrAlreadyExists) {
		t.Fatalf("NotFound does not wrap only ErrNotFound: %v", err)
	}
	var se *store.Error
	if !errors.As(err, &se) || se.Kind != store.KindUser || se.Name != "bob" {
		t.Fatalf("errors.As = %+v", se)
	}
	if !strings.Contains(err.Error(), `user "bob"`) {
		t.Fatalf("message %q does not name the user", err)
	}
}

func TestPage(t *testing.T) {
	if (store.Page[int]{Items: []int{1}}).Truncated() {
		t.Fatal("a page without a marker is truncated")
	}
	if !(store.Page[int]{Marker: "m"}).Truncated() {
		t.Fatal("a page with a marker is not truncated")
	}
	if n := (store.ListOptions{}).Limit(); n != store.DefaultMaxItems {
		t.Fatalf("default limit = %d", n)
	}
}
