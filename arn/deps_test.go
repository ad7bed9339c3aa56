package arn_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps arn importable by outside services without
// dragging in dependencies: every package it depends on must be in the
// standard library.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "github.com/iamd/iamd/arn").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/iamd/iamd/arn" {
			t.Errorf("arn depends on non-standard package %s", p)
		}
	}
}
