package policycli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/policycli"
)

// awsdocsDir is the AWS documentation corpus, relative to this package.
var awsdocsDir = filepath.Join("..", "..", "policy", "testdata", "awsdocs")

// awsdocsEvalCase is one line of eval.jsonl: an `iamd policy eval` input and the
// decision AWS's documentation gives for it.
type awsdocsEvalCase struct {
	Name  string          `json:"name"`
	Page  string          `json:"page"`
	Input json.RawMessage `json:"input"`
	Want  string          `json:"want"`
	Note  string          `json:"note"`
}

// awsdocsValidateCase is one line of validate.jsonl: a document, the policy kind it
// is validated as, and the MalformedPolicyDocument message AWS returns for
// it (nil when AWS accepts it).
type awsdocsValidateCase struct {
	Name      string  `json:"name"`
	Page      string  `json:"page"`
	Kind      string  `json:"kind"`
	Doc       string  `json:"doc"`
	WantError *string `json:"want_error"`
	Note      string  `json:"note"`
}

// readAWSDocs decodes every line of a corpus file, failing on duplicate names
// so that a report names exactly one case.
func readAWSDocs[T any](t *testing.T, name string, key func(T) string) []T {
	t.Helper()
	f, err := os.Open(filepath.Join(awsdocsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []T
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var c T
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s:%d: %v", name, line, err)
		}
		k := key(c)
		if k == "" || seen[k] {
			t.Fatalf("%s:%d: case name %q is empty or not unique", name, line, k)
		}
		seen[k] = true
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no cases", name)
	}
	return out
}

// awsdocsSource names a case's source for a failure message.
func awsdocsSource(page, note string) string {
	if note == "" {
		return "page: " + page
	}
	return "page: " + page + "\nnote: " + note
}

// TestAWSDocsEval runs every documented evaluation case through
// `iamd policy eval --batch` in one batch, as outside checks do, and reports
// each decision that differs from AWS's, by name and page.
func TestAWSDocsEval(t *testing.T) {
	cases := readAWSDocs(t, "eval.jsonl", func(c awsdocsEvalCase) string { return c.Name })
	var in bytes.Buffer
	for _, c := range cases {
		if err := json.Compact(&in, c.Input); err != nil {
			t.Fatalf("%s: input: %v", c.Name, err)
		}
		in.WriteByte('\n')
	}
	var stdout, stderr bytes.Buffer
	code := policycli.Main([]string{"eval", "--batch"}, &in, &stdout, &stderr)
	if code != 0 {
		t.Logf("eval --batch exited %d; stderr: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("eval --batch wrote %d lines for %d inputs; stderr: %s", len(lines), len(cases), stderr.String())
	}
	for i, c := range cases {
		line := lines[i]
		if c.Page == "" || (c.Want != "allow" && c.Want != "explicit_deny" && c.Want != "implicit_deny") {
			t.Fatalf("corpus case %s: no page, or want %q is not a decision", c.Name, c.Want)
		}
		t.Run(c.Name, func(t *testing.T) {
			var got struct {
				Decision string          `json:"decision"`
				Matched  json.RawMessage `json:"matched"`
				Error    string          `json:"error"`
			}
			if err := json.Unmarshal([]byte(line), &got); err != nil {
				t.Fatalf("output line %d is not JSON (%v): %s", i+1, err, line)
			}
			if got.Error != "" {
				t.Fatalf("error %q, want decision %s\n%s", got.Error, c.Want, awsdocsSource(c.Page, c.Note))
			}
			if got.Decision != c.Want {
				t.Errorf("decision %s, want %s (matched %s)\n%s", got.Decision, c.Want, got.Matched, awsdocsSource(c.Page, c.Note))
			}
		})
	}
}

// TestAWSDocsValidate runs every documented validation case through
// `iamd policy validate --kind KIND FILE`: an accepted document must exit 0,
// a rejected one exit 1 and print AWS's message.
func TestAWSDocsValidate(t *testing.T) {
	cases := readAWSDocs(t, "validate.jsonl", func(c awsdocsValidateCase) string { return c.Name })
	dir := t.TempDir()
	for i, c := range cases {
		if c.Page == "" || c.Kind == "" {
			t.Fatalf("corpus case %s: no page or no kind", c.Name)
		}
		t.Run(c.Name, func(t *testing.T) {
			file := filepath.Join(dir, strings.NewReplacer("/", "_").Replace(c.Name)+".json")
			if err := os.WriteFile(file, []byte(c.Doc), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			code := policycli.Main([]string{"validate", "--kind", c.Kind, file}, strings.NewReader(""), &stdout, &stderr)
			printed := strings.TrimSpace(stdout.String() + "\n" + stderr.String())
			switch {
			case c.WantError == nil && code != 0:
				t.Errorf("case %d: %s document rejected (exit %d): %s\n%s", i+1, c.Kind, code, printed, awsdocsSource(c.Page, c.Note))
			case c.WantError != nil && code != 1:
				t.Errorf("case %d: %s document: exit %d, want 1 with %q\noutput: %s\n%s", i+1, c.Kind, code, *c.WantError, printed, awsdocsSource(c.Page, c.Note))
			case c.WantError != nil && !strings.Contains(printed, *c.WantError):
				t.Errorf("case %d: %s document: printed %q, want AWS's message %q\n%s", i+1, c.Kind, printed, *c.WantError, awsdocsSource(c.Page, c.Note))
			}
		})
	}
}

// TestAWSDocsEvalBatchGoesOn checks the batch contract outside checks rely
// on: a line that cannot be evaluated yields one {"error": ...} line, in
// order, and the lines after it are still answered.
func TestAWSDocsEvalBatchGoesOn(t *testing.T) {
	cases := readAWSDocs(t, "eval.jsonl", func(c awsdocsEvalCase) string { return c.Name })
	first, last := cases[0], cases[len(cases)-1]
	var in bytes.Buffer
	for _, line := range [][]byte{first.Input, []byte("this is not JSON"), []byte(`{"policies": {"identity": [{"Statement": "x"}]}, "request": {"principal": {"type": "user", "arn": "arn:aws:iam::111122223333:user/a", "account": "111122223333"}, "action": "s3:GetObject", "resource": "*"}}`), last.Input} {
		if err := json.Compact(&in, line); err != nil {
			in.Write(line)
		}
		in.WriteByte('\n')
	}
	var stdout, stderr bytes.Buffer
	policycli.Main([]string{"eval", "--batch"}, &in, &stdout, &stderr)
	lines := strings.Split(strings.TrimRight(stdout.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d output lines for 4 inputs: %q", len(lines), stdout.String())
	}
	want := []string{first.Want, "error", "error", last.Want}
	for i, line := range lines {
		var got struct {
			Decision string `json:"decision"`
			Error    string `json:"error"`
		}
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d is not JSON: %s", i+1, line)
		}
		switch {
		case want[i] == "error" && got.Error == "":
			t.Errorf("line %d: %s, want an error", i+1, line)
		case want[i] != "error" && got.Decision != want[i]:
			t.Errorf("line %d: %s, want decision %s", i+1, line, want[i])
		}
	}
}
