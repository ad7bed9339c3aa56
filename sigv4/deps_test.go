package sigv4_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps sigv4 importable by any service: it may
// depend on the standard library and on iamd's arn package, which is itself
// standard-library-only (a test in arn keeps it so).
func TestStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/iamd/iamd/sigv4" && pkg != "github.com/iamd/iamd/arn" {
			t.Errorf("sigv4 depends on %s, outside the standard library", pkg)
		}
	}
}
