package managed_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// stringOrList decodes an element that AWS writes as a string or an array.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var one string
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*s = many
	return nil
}

// statement is the part of a statement the sample request is built from.
type statement struct {
	Effect    string
	Action    stringOrList
	Resource  stringOrList
	Condition map[string]json.RawMessage
}

// firstStatements decodes a managed policy's statements (one object or an
// array of them).
func firstStatements(t *testing.T, p managed.Policy) []statement {
	t.Helper()
	var doc struct{ Statement json.RawMessage }
	if err := json.Unmarshal(p.Document, &doc); err != nil {
		t.Fatalf("%s: %v", p.Name, err)
	}
	var list []statement
	if len(doc.Statement) > 0 && doc.Statement[0] == '{' {
		var one statement
		if err := json.Unmarshal(doc.Statement, &one); err != nil {
			t.Fatalf("%s: statement: %v", p.Name, err)
		}
		return []statement{one}
	}
	if err := json.Unmarshal(doc.Statement, &list); err != nil {
		t.Fatalf("%s: statements: %v", p.Name, err)
	}
	return list
}

// concrete turns a pattern into a value it matches: each wildcard becomes
// one letter ("s3:Get*" -> "s3:GetX", "arn:aws:s3:::*" -> "arn:aws:s3:::X").
func concrete(pattern string) string {
	return strings.NewReplacer("*", "X", "?", "X").Replace(pattern)
}

// TestEveryPolicyParsesAsManaged checks that all 1,452 AWS managed policies
// are valid managed identity policies for the engine, although 67 of them
// are over the 6,144-character quota that binds customer managed policies
// only: the size quota is checked apart from Parse, for documents customers
// submit, and AWS's own documents are not subject to it.
func TestEveryPolicyParsesAsManaged(t *testing.T) {
	all := managed.All()
	if len(all) != 1452 {
		t.Fatalf("%d managed policies, want 1452", len(all))
	}
	oversize := 0
	for _, p := range all {
		if _, err := policy.Parse(p.Document, policy.Managed); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
		if policy.CheckSize(policy.ManagedLimit, "", p.Document) != nil {
			oversize++
		}
	}
	if oversize != 67 {
		t.Errorf("%d policies over the 6,144-character managed quota, want 67 (see PROVENANCE.md)", oversize)
	}
}

// TestEveryPolicyEvaluates evaluates each managed policy against a request
// built from its first statement: the first action and resource with their
// wildcards filled in. Where that statement is an unconditional Allow and
// the policy has no Deny, the decision must be Allow; every other decision
// must at least be one of the three.
func TestEveryPolicyEvaluates(t *testing.T) {
	asserted := 0
	for _, mp := range managed.All() {
		p, err := policy.Parse(mp.Document, policy.Managed)
		if err != nil {
			continue // reported by TestEveryPolicyParsesAsManaged
		}
		stmts := firstStatements(t, mp)
		first := stmts[0]
		action, resource := "s3:GetObject", "arn:aws:s3:::example-bucket/key"
		if len(first.Action) > 0 {
			action = concrete(first.Action[0])
		}
		if len(first.Resource) > 0 && first.Resource[0] != "*" && !strings.Contains(first.Resource[0], "${") {
			resource = concrete(first.Resource[0])
		}
		d := policy.Evaluate(policy.Request{
			Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
			Action:    action,
			Resource:  resource,
		}, policy.PolicySet{Identity: []*policy.Policy{p}})
		switch d.Effect {
		case policy.Allow, policy.ExplicitDeny, policy.ImplicitDeny:
		default:
			t.Errorf("%s: decision %v", mp.Name, d.Effect)
			continue
		}
		hasDeny := false
		for _, s := range stmts {
			hasDeny = hasDeny || s.Effect == "Deny"
		}
		unconditionalAllow := first.Effect == "Allow" && len(first.Action) > 0 && len(first.Resource) > 0 &&
			len(first.Condition) == 0 && !strings.Contains(first.Resource[0], "${")
		if unconditionalAllow && !hasDeny {
			asserted++
			if d.Effect != policy.Allow {
				t.Errorf("%s: %s on %s: %v, want Allow by its first statement (reasons %v)", mp.Name, action, resource, d.Effect, d.Reasons)
			}
		}
	}
	if asserted < 500 {
		t.Errorf("only %d policies had an unconditional first Allow to check", asserted)
	}
	t.Logf("%d policies allowed by their first statement as expected", asserted)
}
