package policy_test

import (
	"testing"

	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// TestManagedPoliciesValidateAndEvaluate: every AWS managed policy (the
// 1,452 of ../shared/data/aws-managed-policies.json, embedded by
// policy/managed) is a valid managed policy and evaluates.
func TestManagedPoliciesValidateAndEvaluate(t *testing.T) {
	t.Parallel()
	all := managed.All()
	if len(all) < 1400 {
		t.Fatalf("only %d managed policies", len(all))
	}
	var ctx policy.Context
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:PrincipalAccount", "111122223333")
	ctx.Set("aws:userid", "AIDAEXAMPLE")
	ctx.SetMulti("aws:TagKeys", []string{"team"})
	for _, mp := range all {
		p, err := policy.Parse(mp.Document, policy.Managed)
		if err != nil {
			t.Errorf("%s: %v (%v)", mp.Name, err, policy.Validate(mp.Document, policy.Managed))
			continue
		}
		for _, action := range []string{"s3:GetObject", "iam:CreateUser", "ec2:RunInstances", "sts:AssumeRole"} {
			d := policy.Evaluate(policy.Request{
				Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
				Action:    action,
				Resource:  "arn:aws:s3:::bucket/key",
				Context:   ctx,
			}, policy.PolicySet{Identity: []*policy.Policy{p}})
			_ = d.Effect.String()
		}
	}
	admin, _ := managed.ByName("AdministratorAccess")
	p, err := policy.Parse(admin.Document, policy.Managed)
	if err != nil {
		t.Fatal(err)
	}
	d := policy.Evaluate(policy.Request{
		Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		Action:    "iam:CreateUser", Resource: "arn:aws:iam::111122223333:user/bob",
	}, policy.PolicySet{Identity: []*policy.Policy{p}})
	if d.Effect != policy.Allow {
		t.Fatalf("AdministratorAccess: %v", d)
	}
}
