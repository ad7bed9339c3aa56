package policycli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/policycli"
	"github.com/iamd/iamd/policy"
)

func run(args []string, stdin string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := policycli.Main(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// Cases from docs/policy-eval.md (the CLI's contract) and the IAM pages
// the messages come from.
func TestValidate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "p.json")
	os.WriteFile(file, []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`), 0o600)
	big := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::` + strings.Repeat("b", 6200) + `"}}`
	cases := []struct {
		name     string
		args     []string
		stdin    string
		code     int
		stdout   string
		inStderr string
	}{
		{"valid from file", []string{"validate", file}, "", 0, "", ""},
		{"valid from stdin", []string{"validate"}, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, 0, "", ""},
		{"missing actions", []string{"validate"}, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`, 1, "Policy statement must contain actions.\n", ""},
		{"principal in identity", []string{"validate", "--kind", "identity"}, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, 1, "Policy document should not specify a principal.\n", ""},
		{"trust resource", []string{"validate", "--kind", "trust"}, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}}`, 1, "Has prohibited field Resource\n", ""},
		{"resource needs principal", []string{"validate", "--kind=resource"}, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, 1, "Missing required field Principal\n", ""},
		{"all findings", []string{"validate", "--all"}, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"},{"Effect":"Allow","Action":"x","Resource":"*"}]}`, 1,
			"Statement[0]: Policy statement must contain actions.\nStatement[1].Action: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.\n", ""},
		{"boundary over managed quota", []string{"validate", "--kind", "boundary"}, big, 1, "Cannot exceed quota for PolicySize: 6144\n", ""},
		{"identity within role quota", []string{"validate"}, big, 0, "", ""},
		{"user quota", []string{"validate", "--size", "user"}, big, 1, "Maximum policy size of 2048 bytes exceeded for user policy\n", ""},
		{"no quota", []string{"validate", "--kind", "managed", "--size", "none"}, big, 0, "", ""},
		{"unknown kind", []string{"validate", "--kind", "bogus"}, "{}", 2, "", "unknown kind"},
		{"unknown size", []string{"validate", "--size", "huge"}, "{}", 2, "", "unknown size"},
		{"missing file", []string{"validate", filepath.Join(dir, "nope.json")}, "", 2, "", "no such file"},
		{"two files", []string{"validate", file, file}, "", 2, "", "at most one FILE"},
		{"no command", nil, "", 2, "", "usage:"},
		{"unknown command", []string{"frobnicate"}, "", 2, "", "unknown command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := run(c.args, c.stdin)
			if code != c.code || out != c.stdout || !strings.Contains(errOut, c.inStderr) {
				t.Fatalf("exit %d stdout %q stderr %q; want %d %q %q", code, out, errOut, c.code, c.stdout, c.inStderr)
			}
		})
	}
}

const allowS3 = `{"Version":"2012-10-17","Statement":{"Sid":"S3","Effect":"Allow","Action":"s3:*","Resource":"*"}}`

func TestEvalSingle(t *testing.T) {
	t.Parallel()
	in := `{"policies":{"identity":[` + allowS3 + `]},"request":{"principal":{"type":"user","arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333","userid":"AIDA","tags":{"a":"b"}},"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","extra":1}}`
	code, out, _ := run([]string{"eval"}, in)
	if code != 0 || out != `{"decision":"allow","matched":[{"kind":"identity","policy":0,"statement":0,"sid":"S3","effect":"allow"}]}`+"\n" {
		t.Fatalf("exit %d %s", code, out)
	}
	code, out, _ = run([]string{"eval"}, `{"request":`)
	if code != 1 || !strings.HasPrefix(out, `{"error":`) {
		t.Fatalf("bad input: exit %d %s", code, out)
	}
}

func decision(t *testing.T, line string) (string, string) {
	t.Helper()
	var o struct {
		Decision string `json:"decision"`
		Error    string `json:"error"`
		Matched  []struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
		} `json:"matched"`
	}
	if err := json.Unmarshal([]byte(line), &o); err != nil {
		t.Fatalf("output %q: %v", line, err)
	}
	if o.Error != "" {
		return "error", o.Error
	}
	reason := ""
	if len(o.Matched) > 0 {
		reason = o.Matched[0].Kind + ":" + o.Matched[0].Reason
	}
	return o.Decision, reason
}

// TestEvalBatch follows docs/policy-eval.md: one answer per line, in
// order; errors answer {"error"} and the batch goes on.
func TestEvalBatch(t *testing.T) {
	t.Parallel()
	user := `"principal":{"type":"user","arn":"arn:aws:iam::111122223333:user/alice","account":"111122223333"}`
	lines := []struct {
		in, want, reason string
	}{
		{`{"policies":{"identity":[` + allowS3 + `]},"request":{` + user + `,"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}`, "allow", ""},
		{`not json`, "error", ""},
		{`{"policies":{"identity":[{"Statement":{"Effect":"Allow"}}]},"request":{` + user + `,"action":"s3:GetObject"}}`, "error", ""},
		{`{"policies":{},"request":{"principal":{"type":"wizard"},"action":"s3:GetObject"}}`, "error", ""},
		{``, "error", ""},
		// resourceAccount defaults to the principal's: a bucket policy grant suffices.
		{`{"policies":{"resource":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"*"}}]},"request":{` + user + `,"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}`, "allow", ""},
		{`{"policies":{"resource":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:GetObject","Resource":"*"}}]},"request":{` + user + `,"action":"s3:GetObject","resource":"arn:aws:s3:::b/k","resourceAccount":"444455556666"}}`, "implicit_deny", "identity:no identity-based policy allows"},
		// A federated user without a session policy has no permissions.
		{`{"policies":{"identity":[` + allowS3 + `]},"request":{"principal":{"type":"federated-user","arn":"arn:aws:sts::111122223333:federated-user/bob","parentArn":"arn:aws:iam::111122223333:user/bob","account":"111122223333"},"action":"s3:GetObject","resource":"arn:aws:s3:::b/k"}}`, "implicit_deny", "session:no session policy allows"},
		// Context: strings, arrays, empty arrays; keys without regard to case.
		{`{"policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]},"IpAddress":{"AWS:SOURCEIP":"203.0.113.0/24"},"Null":{"aws:RequestTag/x":"false"}}}}]},"request":{` + user + `,"action":"s3:PutObject","context":{"aws:TagKeys":["a"],"aws:SourceIp":"203.0.113.7","aws:RequestTag/x":""}}}`, "allow", ""},
		{`{"policies":{"identity":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:TagKeys":"false"}}}}]},"request":{` + user + `,"action":"s3:PutObject","context":{"aws:TagKeys":[]}}}`, "implicit_deny", ""},
		{`{"policies":{"identity":[` + allowS3 + `]},"request":{` + user + `,"action":"s3:GetObject","context":{"k":{"a":1}}}}`, "error", ""},
		// SCP levels, root first.
		{`{"policies":{"identity":[` + allowS3 + `],"scp":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}},{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}]},"request":{` + user + `,"action":"s3:GetObject"}}`, "implicit_deny", "scp:no service control policy allows"},
		{`{"policies":{"identity":[` + allowS3 + `],"scp":[[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}},{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}]]},"request":{` + user + `,"action":"s3:GetObject"}}`, "allow", ""},
		// Trust policy as the resource policy of a role.
		{`{"policies":{"resource":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}]},"request":{"principal":{"type":"service","service":"ec2.amazonaws.com"},"action":"sts:AssumeRole","resource":"arn:aws:iam::111122223333:role/r","resourceKind":"role-trust-policy"}}`, "allow", ""},
		{`{"policies":{},"request":{` + user + `,"action":"s3:GetObject","resourceKind":"bogus"}}`, "error", ""},
		{`{"policies":{"boundary":[` + allowS3 + `,` + allowS3 + `]},"request":{` + user + `,"action":"s3:GetObject"}}`, "error", ""},
		// Documents may be given as strings.
		{`{"policies":{"identity":[` + mustQuote(allowS3) + `]},"request":{` + user + `,"action":"s3:GetObject"}}`, "allow", ""},
	}
	var in strings.Builder
	for _, l := range lines {
		in.WriteString(l.in + "\n")
	}
	code, out, errOut := run([]string{"eval", "--batch"}, in.String())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(got) != len(lines) {
		t.Fatalf("%d lines out for %d in:\n%s", len(got), len(lines), out)
	}
	for i, l := range lines {
		d, reason := decision(t, got[i])
		if d != l.want || (l.reason != "" && reason != l.reason) {
			t.Errorf("line %d: %s, want %s %s", i, got[i], l.want, l.reason)
		}
	}
}

func mustQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// TestEvalBatchFlushes: each answer is written before the next line is
// read, so that a caller can drive the batch interactively.
func TestEvalBatchFlushes(t *testing.T) {
	t.Parallel()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int)
	go func() {
		done <- policycli.Main([]string{"eval", "--batch"}, inR, outW, io.Discard)
		outW.Close()
	}()
	reader := bufio.NewReader(outR)
	line := `{"policies":{"identity":[` + allowS3 + `]},"request":{"principal":{"type":"user","arn":"arn:aws:iam::1:user/a","account":"111122223333"},"action":"s3:GetObject"}}` + "\n"
	for i := 0; i < 3; i++ {
		if _, err := io.WriteString(inW, line); err != nil {
			t.Fatal(err)
		}
		got := make(chan string, 1)
		go func() {
			s, _ := reader.ReadString('\n')
			got <- s
		}()
		select {
		case s := <-got:
			if d, _ := decision(t, s); d != "allow" {
				t.Fatalf("answer %q", s)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no answer before the next line was sent")
		}
	}
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// TestParseEvalInput checks the translation the server shares.
func TestParseEvalInput(t *testing.T) {
	t.Parallel()
	req, set, err := policycli.ParseEvalInput([]byte(`{"policies":{"identity":[` + allowS3 + `],"session":[` + allowS3 + `],"rcp":[{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}]},
	  "request":{"principal":{"type":"assumed-role","arn":"arn:aws:sts::111122223333:assumed-role/r/s","roleArn":"arn:aws:iam::111122223333:role/r","account":"111122223333"},
	  "action":"s3:GetObject","context":{"aws:MultiFactorAuthAge":3600,"aws:SecureTransport":true,"aws:TagKeys":["a","b"]}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if req.Principal.Type != policy.AssumedRole || req.Resource != "*" || req.ResourceAccount != "111122223333" || req.Principal.RoleARN == "" {
		t.Fatalf("request %+v", req)
	}
	if len(set.Identity) != 1 || len(set.Session) != 1 || len(set.RCP) != 1 || set.Resource != nil {
		t.Fatalf("set %+v", set)
	}
	if v, ok := req.Context.Lookup("aws:multifactorauthage"); !ok || v.At(0) != "3600" {
		t.Fatalf("number context value %+v", v)
	}
	if v, ok := req.Context.Lookup("aws:securetransport"); !ok || v.At(0) != "true" {
		t.Fatalf("bool context value %+v", v)
	}
	if v, ok := req.Context.Lookup("aws:TagKeys"); !ok || !v.Multi() || v.Len() != 2 {
		t.Fatalf("multi context value %+v", v)
	}
}
