package policy_test

import (
	"fmt"

	"github.com/iamd/iamd/policy"
)

func ExampleParse() {
	_, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Resource":"*"}}`), policy.Identity)
	fmt.Println(err)
	// Output: Policy statement must contain actions.
}

func ExampleValidate() {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Principal":"*"},
	  {"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`
	for _, f := range policy.Validate([]byte(doc), policy.Identity) {
		fmt.Printf("%s: %s\n", f.Path, f.Message)
	}
	// Output:
	// Statement[0].Principal: Policy document should not specify a principal.
	// Statement[1].Action: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.
}

func ExampleEvaluate() {
	identity, _ := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::mybucket/${aws:username}/*"}}`), policy.Identity)
	var ctx policy.Context
	ctx.Set("aws:username", "alice")
	d := policy.Evaluate(policy.Request{
		Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::mybucket/alice/notes.txt",
		Context:   ctx,
	}, policy.PolicySet{Identity: []*policy.Policy{identity}})
	fmt.Println(d.Effect, d.Reasons[0].Kind, d.Reasons[0].Statement)
	// Output: allow identity 0
}

func ExampleCheckSize() {
	doc := []byte(`{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}`)
	fmt.Println(policy.Size(doc), policy.CheckSize(policy.ManagedLimit, "", doc))
	// Output: 83 <nil>
}
