package policycmp

import (
	"fmt"
	"testing"

	"github.com/iamd/iamd/policy"
)

// iamdSetup parses the document once, as iamd does when it loads a policy,
// and builds the request.
func iamdSetup(tb testing.TB, n int, target string) (policy.PolicySet, policy.Request) {
	tb.Helper()
	p, err := policy.Parse(iamDocument(n), policy.Identity)
	if err != nil {
		tb.Fatal(err)
	}
	req := policy.Request{
		Principal: policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/alice", Account: "111122223333"},
		Action:    "s3:GetObject",
		Resource:  target,
	}
	return policy.PolicySet{Identity: []*policy.Policy{p}}, req
}

// TestIAMDDecides checks iamd's decisions on the benchmark's inputs: allowed
// by the last statement for the last bucket, denied for any other bucket.
func TestIAMDDecides(t *testing.T) {
	for _, n := range Sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			set, req := iamdSetup(t, n, objectARN(n))
			d := policy.Evaluate(req, set)
			if d.Effect != policy.Allow {
				t.Fatalf("%v, want Allow", d.Effect)
			}
			if len(d.Reasons) == 0 || d.Reasons[0].Statement != n-1 {
				t.Errorf("reasons %v, want the last statement (%d)", d.Reasons, n-1)
			}
			set, req = iamdSetup(t, n, "arn:aws:s3:::other-bucket/"+objectKey)
			if d := policy.Evaluate(req, set); d.Effect != policy.ImplicitDeny {
				t.Errorf("other bucket: %v, want ImplicitDeny", d.Effect)
			}
		})
	}
}
