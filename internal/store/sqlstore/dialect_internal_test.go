package sqlstore

import (
	"reflect"
	"testing"
)

func TestRebind(t *testing.T) {
	cases := []struct {
		name  string
		style Placeholder
		in    string
		want  string
	}{
		{"question is kept", Question, "SELECT a FROM t WHERE b = ? AND c = ?", "SELECT a FROM t WHERE b = ? AND c = ?"},
		{"dollar numbers in order", Dollar, "SELECT a FROM t WHERE b = ? AND (c, d) > (?, ?)", "SELECT a FROM t WHERE b = $1 AND (c, d) > ($2, $3)"},
		{"literals are left alone", Dollar, "SELECT '?' FROM t WHERE k IN ('a?', 'b') AND x = ?", "SELECT '?' FROM t WHERE k IN ('a?', 'b') AND x = $1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := (Dialect{Placeholder: c.style}).rebind(c.in); got != c.want {
				t.Fatalf("rebind = %q, want %q", got, c.want)
			}
		})
	}
}

func TestSplitStatements(t *testing.T) {
	in := "-- comment\nCREATE TABLE a (\n\tx INT\n);\n\nCREATE INDEX i ON a (x);\n-- trailing\nSELECT 1"
	want := []string{"CREATE TABLE a (\n\tx INT\n)", "CREATE INDEX i ON a (x)", "SELECT 1"}
	if got := splitStatements(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("splitStatements = %q, want %q", got, want)
	}
}

// TestMigrationsAreNumberedInOrder checks that migrations start at 1 and
// have increasing versions. Gaps are allowed: work in parallel reserves
// version ranges (sessions are 20 while the IAM families fill 9 and
// below), and migrate applies whatever is missing in version order.
func TestMigrationsAreNumberedInOrder(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].version != 1 {
		t.Fatal("the first migration must have version 1")
	}
	for i, m := range ms {
		if i > 0 && m.version <= ms[i-1].version {
			t.Fatalf("migration %d has version %d after %d: versions must increase", i, m.version, ms[i-1].version)
		}
		if len(m.stmts) == 0 {
			t.Fatalf("migration %d is empty", m.version)
		}
	}
}
