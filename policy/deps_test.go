package policy_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps policy importable by outside services: its
// dependencies are the standard library and iamd's own arn package.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/iamd/iamd/policy").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/iamd/iamd/policy" && p != "github.com/iamd/iamd/arn" {
			t.Errorf("policy depends on non-standard package %s", p)
		}
	}
}
