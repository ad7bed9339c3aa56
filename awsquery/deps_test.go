package awsquery_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps awsquery importable by anyone: its
// dependencies (not its tests') are the standard library alone.
func TestStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/iamd/iamd/awsquery").CombinedOutput()
	if err != nil {
		t.Skipf("go list unavailable: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != "github.com/iamd/iamd/awsquery" {
			t.Errorf("awsquery depends on %s, which is not in the standard library", dep)
		}
	}
}
