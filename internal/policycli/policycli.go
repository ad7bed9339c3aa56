// Package policycli implements `iamd policy validate` and `iamd policy
// eval`, the command-line front end of the policy engine. Its interface
// (arguments, JSON input and output, exit codes) is stable: outside tools
// drive it. docs/policy-eval.md describes it.
package policycli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/iamd/iamd/policy"
)

const usage = `usage:
  iamd policy validate [--kind KIND] [--size LIMIT] [--all] [FILE]
  iamd policy eval [--batch] [FILE]

validate reads a policy document from FILE or standard input. If it is
invalid it prints AWS's error message (MalformedPolicyDocument, or
LimitExceeded for a size quota) and exits 1; a valid document exits 0.
  --kind   identity (default; an inline policy), managed, boundary, session,
           resource, trust, scp or rcp
  --size   the size quota to check, whitespace not counted: auto (default:
           10240 for identity, the largest inline quota; 6144 for managed
           and boundary; 2048 for trust; none for the other kinds), none,
           user (2048), group (5120), role (10240), managed (6144),
           trust (2048)
  --all    print every finding, one per line, as "PATH: MESSAGE"

eval reads one JSON request from FILE or standard input and prints
{"decision": "allow|explicit_deny|implicit_deny", "matched": [...]}.
With --batch it reads JSON Lines on standard input and writes one line per
input line, in order, flushed as it goes; a line that cannot be evaluated
gets {"error": "..."} and the batch goes on. The format is in
docs/policy-eval.md; beyond it, eval also accepts the principal type
"web-identity" with "provider" (AssumeRoleWithWebIdentity and
AssumeRoleWithSAML callers, matched by "Federated" principals), a
principal's "canonicalUser", policy documents given as JSON strings, and an
SCP or RCP level given as an array of documents. Each "matched" entry names
a statement (kind, policy, statement, sid, effect; level for SCPs and RCPs)
or, for implicit_deny, the policy type that allowed nothing (kind, reason).
`

// Main runs `iamd policy` with args (what follows "policy" on the command
// line) and returns the exit code: 0 success, 1 an invalid document or a
// request that could not be evaluated, 2 a usage error.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return validate(args[1:], stdin, stdout, stderr)
	case "eval":
		return eval(args[1:], stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "iamd policy: unknown command %q\n%s", args[0], usage)
	return 2
}

// readInput reads FILE (the single positional argument) or stdin.
func readInput(fs *flag.FlagSet, stdin io.Reader) ([]byte, error) {
	switch fs.NArg() {
	case 0:
		return io.ReadAll(stdin)
	case 1:
		if fs.Arg(0) == "-" {
			return io.ReadAll(stdin)
		}
		return os.ReadFile(fs.Arg(0))
	}
	return nil, errors.New("expected at most one FILE")
}

func validate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	kindName := fs.String("kind", "identity", "")
	sizeName := fs.String("size", "auto", "")
	all := fs.Bool("all", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "iamd policy validate: %v\n%s", err, usage)
		return 2
	}
	kind, ok := policy.ParseKind(*kindName)
	if !ok {
		fmt.Fprintf(stderr, "iamd policy validate: unknown kind %q\n%s", *kindName, usage)
		return 2
	}
	limit, hasLimit, ok := sizeLimit(*sizeName, kind)
	if !ok {
		fmt.Fprintf(stderr, "iamd policy validate: unknown size limit %q\n%s", *sizeName, usage)
		return 2
	}
	doc, err := readInput(fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "iamd policy validate: %v\n", err)
		return 2
	}
	findings := policy.Validate(doc, kind)
	if len(findings) > 0 {
		if *all {
			for _, f := range findings {
				fmt.Fprintf(stdout, "%s: %s\n", f.Path, f.Message)
			}
		} else {
			fmt.Fprintln(stdout, findings[0].Message)
		}
		return 1
	}
	if hasLimit {
		if err := policy.CheckSize(limit, "policy", doc); err != nil {
			fmt.Fprintln(stdout, err.Error())
			return 1
		}
	}
	return 0
}

// sizeLimit maps --size to a quota.
func sizeLimit(name string, kind policy.Kind) (policy.SizeLimit, bool, bool) {
	switch name {
	case "none":
		return policy.SizeLimit{}, false, true
	case "user":
		return policy.UserInlineLimit, true, true
	case "group":
		return policy.GroupInlineLimit, true, true
	case "role":
		return policy.RoleInlineLimit, true, true
	case "managed":
		return policy.ManagedLimit, true, true
	case "trust":
		return policy.TrustPolicyLimit, true, true
	case "auto":
		switch kind {
		case policy.Identity:
			return policy.RoleInlineLimit, true, true
		case policy.Managed, policy.Boundary:
			return policy.ManagedLimit, true, true
		case policy.Trust:
			return policy.TrustPolicyLimit, true, true
		}
		return policy.SizeLimit{}, false, true
	}
	return policy.SizeLimit{}, false, false
}

func eval(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	batch := fs.Bool("batch", false, "")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "iamd policy eval: %v\n%s", err, usage)
		return 2
	}
	if *batch {
		if fs.NArg() > 0 {
			fmt.Fprintf(stderr, "iamd policy eval: --batch reads standard input\n%s", usage)
			return 2
		}
		return evalBatch(stdin, stdout, stderr)
	}
	data, err := readInput(fs, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "iamd policy eval: %v\n", err)
		return 2
	}
	out, ok := EvalLine(data)
	stdout.Write(append(out, '\n'))
	if !ok {
		return 1
	}
	return 0
}

// maxLine bounds one JSON Lines record (a request with all its policies).
const maxLine = 64 << 20

func evalBatch(stdin io.Reader, stdout, stderr io.Writer) int {
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	w := bufio.NewWriter(stdout)
	for sc.Scan() {
		out, _ := EvalLine(sc.Bytes())
		w.Write(out)
		w.WriteByte('\n')
		if err := w.Flush(); err != nil {
			fmt.Fprintf(stderr, "iamd policy eval: %v\n", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil {
		// A line longer than maxLine: answer it, then stop.
		fmt.Fprintf(w, "{\"error\":%s}\n", strconv.Quote(err.Error()))
		w.Flush()
		fmt.Fprintf(stderr, "iamd policy eval: %v\n", err)
		return 1
	}
	return 0
}

// EvalLine evaluates one `iamd policy eval` input object and returns the
// output object (without a newline) and whether it is a decision rather
// than an error.
func EvalLine(data []byte) ([]byte, bool) {
	req, set, err := ParseEvalInput(data)
	if err != nil {
		out, _ := json.Marshal(errorOutput{Error: err.Error()})
		return out, false
	}
	d := policy.Evaluate(req, set)
	out, _ := json.Marshal(decisionOutput(d))
	return out, true
}

type errorOutput struct {
	Error string `json:"error"`
}

type output struct {
	Decision string    `json:"decision"`
	Matched  []matched `json:"matched"`
}

// matched is one entry of "matched": a statement (policy and statement
// indexes, Sid, effect) or, for an implicit deny, the policy type that
// allowed nothing (reason).
type matched struct {
	Kind      string `json:"kind"`
	Level     *int   `json:"level,omitempty"`
	Policy    *int   `json:"policy,omitempty"`
	Statement *int   `json:"statement,omitempty"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func decisionOutput(d policy.Decision) output {
	o := output{Decision: d.Effect.String(), Matched: []matched{}}
	for _, r := range d.Reasons {
		m := matched{Kind: r.Kind.String()}
		if r.Kind == policy.SCP || r.Kind == policy.RCP {
			level := r.Level
			m.Level = &level
		}
		if r.Statement < 0 {
			m.Reason = r.String()
		} else {
			p, s := r.Policy, r.Statement
			m.Policy, m.Statement = &p, &s
			m.Sid = r.Sid
			m.Effect = r.Effect.String()
		}
		o.Matched = append(o.Matched, m)
	}
	return o
}

// EvalInput is the JSON object `iamd policy eval` reads.
type EvalInput struct {
	Policies struct {
		Identity []json.RawMessage `json:"identity"`
		Resource []json.RawMessage `json:"resource"`
		Boundary []json.RawMessage `json:"boundary"`
		Session  []json.RawMessage `json:"session"`
		SCP      []json.RawMessage `json:"scp"`
		RCP      []json.RawMessage `json:"rcp"`
	} `json:"policies"`
	Request struct {
		Principal struct {
			Type          string `json:"type"`
			ARN           string `json:"arn"`
			Account       string `json:"account"`
			RoleARN       string `json:"roleArn"`
			ParentARN     string `json:"parentArn"`
			Service       string `json:"service"`
			Provider      string `json:"provider"`
			CanonicalUser string `json:"canonicalUser"`
		} `json:"principal"`
		Action          string                     `json:"action"`
		Resource        string                     `json:"resource"`
		ResourceAccount string                     `json:"resourceAccount"`
		ResourceKind    string                     `json:"resourceKind"`
		Context         map[string]json.RawMessage `json:"context"`
	} `json:"request"`
}

// ParseEvalInput translates an `iamd policy eval` input object into a
// Request and a PolicySet: the one place where that JSON format meets the
// engine, shared by the CLI, its tests and the server. Fields it does not
// know are ignored; a policy that does not parse, a value of the wrong
// type or an unknown principal type is an error.
func ParseEvalInput(data []byte) (policy.Request, policy.PolicySet, error) {
	var in EvalInput
	var req policy.Request
	var set policy.PolicySet
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&in); err != nil {
		return req, set, fmt.Errorf("invalid input: %v", err)
	}
	if dec.More() {
		return req, set, errors.New("invalid input: more than one JSON value")
	}
	r := &in.Request
	pt, ok := policy.ParsePrincipalType(r.Principal.Type)
	if !ok && r.Principal.Type != "" {
		return req, set, fmt.Errorf("unknown principal type %q", r.Principal.Type)
	}
	rk, ok := policy.ParseResourceKind(r.ResourceKind)
	if !ok {
		return req, set, fmt.Errorf("unknown resourceKind %q", r.ResourceKind)
	}
	req = policy.Request{
		Principal: policy.Principal{
			Type: pt, ARN: r.Principal.ARN, Account: r.Principal.Account, RoleARN: r.Principal.RoleARN,
			ParentARN: r.Principal.ParentARN, Service: r.Principal.Service, Provider: r.Principal.Provider,
			CanonicalUser: r.Principal.CanonicalUser,
		},
		Action:          r.Action,
		Resource:        r.Resource,
		ResourceAccount: r.ResourceAccount,
		ResourceKind:    rk,
	}
	if req.Resource == "" {
		req.Resource = "*"
	}
	if req.ResourceAccount == "" {
		req.ResourceAccount = req.Principal.Account
	}
	for k, raw := range r.Context {
		if err := setContext(&req.Context, k, raw); err != nil {
			return req, set, err
		}
	}

	var err error
	if set.Identity, err = parseAll(in.Policies.Identity, policy.Identity, "identity"); err != nil {
		return req, set, err
	}
	if set.Session, err = parseAll(in.Policies.Session, policy.Session, "session"); err != nil {
		return req, set, err
	}
	resourceKind := policy.Resource
	if rk == policy.RoleTrustPolicy {
		resourceKind = policy.Trust
	}
	if set.Resource, err = parseOne(in.Policies.Resource, resourceKind, "resource"); err != nil {
		return req, set, err
	}
	if set.Boundary, err = parseOne(in.Policies.Boundary, policy.Boundary, "boundary"); err != nil {
		return req, set, err
	}
	if set.SCP, err = parseLevels(in.Policies.SCP, policy.SCP, "scp"); err != nil {
		return req, set, err
	}
	if set.RCP, err = parseLevels(in.Policies.RCP, policy.RCP, "rcp"); err != nil {
		return req, set, err
	}
	return req, set, nil
}

// setContext adds one context value: a string, or an array of strings
// (numbers and booleans are taken as their JSON text).
func setContext(ctx *policy.Context, key string, raw json.RawMessage) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("context %q: %v", key, err)
	}
	scalar := func(x any) (string, bool) {
		switch x := x.(type) {
		case string:
			return x, true
		case bool:
			return strconv.FormatBool(x), true
		case float64:
			return string(bytes.TrimSpace(raw)), true
		}
		return "", false
	}
	switch x := v.(type) {
	case []any:
		vals := make([]string, 0, len(x))
		var elems []json.RawMessage
		json.Unmarshal(raw, &elems)
		for i, e := range x {
			switch e := e.(type) {
			case string:
				vals = append(vals, e)
			case bool:
				vals = append(vals, strconv.FormatBool(e))
			case float64:
				vals = append(vals, string(bytes.TrimSpace(elems[i])))
			default:
				return fmt.Errorf("context %q: values must be strings", key)
			}
		}
		ctx.SetMulti(key, vals)
	default:
		s, ok := scalar(v)
		if !ok {
			return fmt.Errorf("context %q: value must be a string or an array of strings", key)
		}
		ctx.Set(key, s)
	}
	return nil
}

// document returns a policy given as a JSON object, or as a string
// holding the document's text.
func document(raw json.RawMessage) []byte {
	t := bytes.TrimSpace(raw)
	if len(t) > 0 && t[0] == '"' {
		var s string
		if json.Unmarshal(t, &s) == nil {
			return []byte(s)
		}
	}
	return t
}

func parseAll(raws []json.RawMessage, kind policy.Kind, slot string) ([]*policy.Policy, error) {
	var out []*policy.Policy
	for i, raw := range raws {
		p, err := policy.Parse(document(raw), kind)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %v", slot, i, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parseOne(raws []json.RawMessage, kind policy.Kind, slot string) (*policy.Policy, error) {
	switch len(raws) {
	case 0:
		return nil, nil
	case 1:
		p, err := policy.Parse(document(raws[0]), kind)
		if err != nil {
			return nil, fmt.Errorf("%s[0]: %v", slot, err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("%s: at most one document", slot)
}

// parseLevels reads SCP or RCP levels: one document per level, or an
// array of documents for a level with several.
func parseLevels(raws []json.RawMessage, kind policy.Kind, slot string) ([][]*policy.Policy, error) {
	var out [][]*policy.Policy
	for i, raw := range raws {
		t := bytes.TrimSpace(raw)
		var level []*policy.Policy
		if len(t) > 0 && t[0] == '[' {
			var docs []json.RawMessage
			if err := json.Unmarshal(t, &docs); err != nil {
				return nil, fmt.Errorf("%s[%d]: %v", slot, i, err)
			}
			for j, d := range docs {
				p, err := policy.Parse(document(d), kind)
				if err != nil {
					return nil, fmt.Errorf("%s[%d][%d]: %v", slot, i, j, err)
				}
				level = append(level, p)
			}
		} else {
			p, err := policy.Parse(document(t), kind)
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %v", slot, i, err)
			}
			level = []*policy.Policy{p}
		}
		out = append(out, level)
	}
	return out, nil
}
