// Package shareddata locates the project's reference data — the AWS API
// models, managed policies and service actions in ../shared/data beside
// the repository — for the tests that check iamd's embedded copies still
// match them.
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Path returns ../shared/data/<elem...> relative to the module root (the
// directory holding go.mod above the test's working directory). When the
// file is not on this machine the test is skipped with the reason, since
// there is nothing to compare the embedded copy with.
func Path(t testing.TB, elem ...string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("no go.mod above the test directory, so no ../shared/data to compare with")
		}
		dir = parent
	}
	path := filepath.Join(append([]string{dir, "..", "shared", "data"}, elem...)...)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("shared reference data %s is not on this machine (%v): the embedded copy cannot be compared", path, err)
	}
	return path
}
