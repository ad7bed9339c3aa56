package policycli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/policycli"
)

// corpusDir holds the AWS documentation corpus (policy/testdata/awsdocs).
const corpusDir = "../../policy/testdata/awsdocs/"

type corpusEval struct {
	Name  string          `json:"name"`
	Page  string          `json:"page"`
	Input json.RawMessage `json:"input"`
	Want  string          `json:"want"`
}

type corpusValidate struct {
	Name      string  `json:"name"`
	Page      string  `json:"page"`
	Kind      string  `json:"kind"`
	Doc       string  `json:"doc"`
	WantError *string `json:"want_error"`
}

func readLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(corpusDir + name)
	if err != nil {
		t.Fatalf("corpus: %v", err)
	}
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	return lines
}

// TestCorpusEval runs every eval case of the corpus through
// `iamd policy eval --batch` in one batch.
func TestCorpusEval(t *testing.T) {
	var cases []corpusEval
	var in bytes.Buffer
	for _, l := range readLines(t, "eval.jsonl") {
		var c corpusEval
		if err := json.Unmarshal(l, &c); err != nil {
			t.Fatalf("corpus line: %v", err)
		}
		cases = append(cases, c)
		in.Write(c.Input)
		in.WriteByte('\n')
	}
	var out, errOut bytes.Buffer
	if code := policycli.Main([]string{"eval", "--batch"}, &in, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	results := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(results) != len(cases) {
		t.Fatalf("%d answers for %d cases", len(results), len(cases))
	}
	for i, c := range cases {
		var got struct {
			Decision string `json:"decision"`
			Error    string `json:"error"`
		}
		json.Unmarshal([]byte(results[i]), &got)
		if got.Decision != c.Want {
			t.Errorf("%s (%s): got %s, want %s", c.Name, c.Page, results[i], c.Want)
		}
	}
}

// TestCorpusValidate runs every validation case through
// `iamd policy validate --kind KIND`.
func TestCorpusValidate(t *testing.T) {
	for _, l := range readLines(t, "validate.jsonl") {
		var c corpusValidate
		if err := json.Unmarshal(l, &c); err != nil {
			t.Fatalf("corpus line: %v", err)
		}
		var out, errOut bytes.Buffer
		code := policycli.Main([]string{"validate", "--kind", c.Kind}, strings.NewReader(c.Doc), &out, &errOut)
		got := strings.TrimSuffix(out.String(), "\n")
		switch {
		case c.WantError == nil && code != 0:
			t.Errorf("%s (%s): rejected with %q (exit %d)", c.Name, c.Page, got, code)
		case c.WantError != nil && (code != 1 || got != *c.WantError):
			t.Errorf("%s (%s): exit %d %q, want %q", c.Name, c.Page, code, got, *c.WantError)
		}
	}
}
