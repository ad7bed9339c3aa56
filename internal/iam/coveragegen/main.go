// Command coveragegen writes the README's table of IAM operations: for each
// operation of the embedded model, whether iamd implements it, answers it
// as AWS answers an account outside an organization (the table in
// internal/iam/organizations.go), or does not route it yet. The table is
// generated from the operation table itself, so that it cannot drift from
// the code; a test fails while README.md holds a stale copy.
//
// Run it from the repository root:
//
//	go run ./internal/iam/coveragegen
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/iamapi"
)

// The markers that delimit the generated table in README.md.
const (
	startMarker = "<!-- coverage:start -->"
	endMarker   = "<!-- coverage:end -->"
)

func main() {
	readme := flag.String("readme", "README.md", "the README to update in place")
	flag.Parse()
	if err := run(*readme); err != nil {
		fmt.Fprintln(os.Stderr, "coveragegen:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out, err := splice(b, table())
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if bytes.Equal(out, b) {
		return nil
	}
	return os.WriteFile(path, out, 0o644)
}

// table renders the coverage table in Markdown.
func table() string {
	routed := iam.New(nil, nil).Operations()
	orgs := map[string]iam.OrganizationsAnswer{}
	for _, a := range iam.OrganizationsOnly() {
		orgs[a.Operation] = a
	}
	var rows strings.Builder
	var implemented, standalone, missing int
	for _, op := range iamapi.OperationNames {
		var answer string
		a, isOrg := orgs[op]
		switch {
		case routed[op] == nil:
			answer = "**not implemented yet**"
			missing++
		case isOrg && a.Code != "":
			answer = fmt.Sprintf("as for an account outside an organization: `%s` (%d) %s", a.Code, a.Status, cell(a.Message))
			standalone++
		case isOrg:
			answer = "as for an account outside an organization: " + cell(a.Message)
			standalone++
		default:
			answer = "implemented"
			implemented++
		}
		fmt.Fprintf(&rows, "| `%s` | %s |\n", op, answer)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "IAM API coverage, generated from the code by `go run ./internal/iam/coveragegen`: "+
		"%d operations in the model; %d implemented, %d answered as AWS answers a standalone account "+
		"(Organizations-only and partner or preview operations, documented in `internal/iam/organizations.go`), "+
		"%d not implemented yet.\n\n", len(iamapi.OperationNames), implemented, standalone, missing)
	b.WriteString("| Operation | iamd |\n|---|---|\n")
	b.WriteString(rows.String())
	return b.String()
}

// cell makes a message safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "%s", "…")
	return strings.ReplaceAll(s, "\n", " ")
}

// splice replaces what lies between the markers with the table.
func splice(readme []byte, table string) ([]byte, error) {
	s := string(readme)
	i := strings.Index(s, startMarker)
	j := strings.Index(s, endMarker)
	if i < 0 || j < i {
		return nil, errors.New("no " + startMarker + " ... " + endMarker + " section")
	}
	var b strings.Builder
	b.WriteString(s[:i+len(startMarker)])
	b.WriteString("\n")
	b.WriteString(table)
	b.WriteString(s[j:])
	return []byte(b.String()), nil
}
