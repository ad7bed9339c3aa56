package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadmeIsCurrent fails while README.md's coverage table differs from
// what the code generates, so that the table is never hand-kept.
func TestReadmeIsCurrent(t *testing.T) {
	path := filepath.Join("..", "..", "..", "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want, err := splice(b, table())
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != string(b) {
		t.Fatal("README.md's coverage table is stale: run `go run ./internal/iam/coveragegen` from the repository root")
	}
}

func TestSplice(t *testing.T) {
	cases := []struct {
		name, in, want string
		err            bool
	}{
		{"replaces the section", "a\n" + startMarker + "\nold\n" + endMarker + "\nz\n", "a\n" + startMarker + "\nT\n" + endMarker + "\nz\n", false},
		{"empty section", startMarker + endMarker, startMarker + "\nT\n" + endMarker, false},
		{"no markers", "a\n", "", true},
		{"end before start", endMarker + startMarker, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := splice([]byte(c.in), "T\n")
			if c.err {
				if err == nil {
					t.Fatalf("splice(%q) = %q, want an error", c.in, got)
				}
				return
			}
			if err != nil || string(got) != c.want {
				t.Fatalf("splice(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

func TestTableListsEveryOperation(t *testing.T) {
	tab := table()
	for _, op := range []string{"CreateUser", "ListOrganizationsFeatures", "SimulatePrincipalPolicy"} {
		if !strings.Contains(tab, "| `"+op+"` |") {
			t.Errorf("table has no row for %s", op)
		}
	}
	if !strings.Contains(tab, "`OrganizationNotFoundException` (400)") {
		t.Error("table does not show the Organizations answer")
	}
}
