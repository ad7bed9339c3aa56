package e2e_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestSecurityTokenServicePreferences sets the STS global endpoint token
// version and reads it back through GetAccountSummary, as AWS reports it.
func TestSecurityTokenServicePreferences(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	version := func() int32 {
		t.Helper()
		s, err := c.GetAccountSummary(cx, &iam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return s.SummaryMap["GlobalEndpointTokenVersion"]
	}
	if v := version(); v != 1 {
		t.Fatalf("a new account's GlobalEndpointTokenVersion = %d, want 1", v)
	}
	for _, c2 := range []struct {
		set  iamtypes.GlobalEndpointTokenVersion
		want int32
	}{{iamtypes.GlobalEndpointTokenVersionV2Token, 2}, {iamtypes.GlobalEndpointTokenVersionV1Token, 1}} {
		if _, err := c.SetSecurityTokenServicePreferences(cx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: c2.set}); err != nil {
			t.Fatal(err)
		}
		if v := version(); v != c2.want {
			t.Fatalf("after setting %s: GlobalEndpointTokenVersion = %d, want %d", c2.set, v, c2.want)
		}
	}
	_, err := c.SetSecurityTokenServicePreferences(cx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: "v3Token"})
	apiErr(t, err, "ValidationError", "Member must satisfy enum value set")
}
