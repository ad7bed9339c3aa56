package authz_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

// TestTrustPolicyAsResourcePolicy decides sts:AssumeRole the way package
// sts asks it: the role's trust policy as the role-trust-policy resource
// policy, the caller's own policies gathered by the Authorizer. A trust
// policy naming the caller allows on its own within the account; one
// naming the caller's account, for a role in another account, needs the
// caller's identity-based allow too (IAM User Guide, "Cross account
// resource access in IAM"). An MFA code the request itself carries sets
// aws:MultiFactorAuthPresent and aws:MultiFactorAuthAge.
func TestTrustPolicyAsResourcePolicy(t *testing.T) {
	t.Parallel()
	const other = "210987654321"
	w := newWorld(t)
	bob := w.user("bob")
	carol := w.user("carol")
	w.inline(store.KindUser, "carol", "assume", allow("sts:AssumeRole", "arn:aws:iam::"+other+":role/*"))
	a := authz.New(w.st, authz.Options{})
	trust := func(t *testing.T, principal, condition string) *policy.Policy {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"sts:AssumeRole"` + condition + `}]}`
		p, err := policy.Parse([]byte(doc), policy.Trust)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	const mfa = `,"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"},"NumericLessThan":{"aws:MultiFactorAuthAge":"300"}}`
	for _, tc := range []struct {
		name, roleAccount, principal, condition string
		caller                                  string
		mfaAge                                  time.Duration // 0: no MFA code in the request
		want                                    policy.Effect
	}{
		{"same account, trust names the user", acct, bob.ARN, "", "bob", 0, policy.Allow},
		{"same account, trust names another user", acct, carol.ARN, "", "bob", 0, policy.ImplicitDeny},
		{"cross account, caller's policy allows", other, "arn:aws:iam::" + acct + ":root", "", "carol", 0, policy.Allow},
		{"cross account, no identity allow", other, "arn:aws:iam::" + acct + ":root", "", "bob", 0, policy.ImplicitDeny},
		{"MFA required, none given", acct, bob.ARN, mfa, "bob", 0, policy.ImplicitDeny},
		{"MFA required, code in the request", acct, bob.ARN, mfa, "bob", time.Minute, policy.Allow},
		{"MFA required, code too old", acct, bob.ARN, mfa, "bob", 10 * time.Minute, policy.ImplicitDeny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caller := bob
			if tc.caller == "carol" {
				caller = carol
			}
			env := authz.Environment{Time: t0}
			if tc.mfaAge > 0 {
				env.MFAAuthTime = t0.Add(-tc.mfaAge)
			}
			roleARN := "arn:aws:iam::" + tc.roleAccount + ":role/Target"
			d, err := a.Authorize(context.Background(), authz.Request{
				Principal:      caller,
				Action:         "sts:AssumeRole",
				Resource:       authz.Resource{ARN: roleARN, Account: tc.roleAccount, Type: "role"},
				Environment:    env,
				Keys:           []authz.Key{{Name: "sts:RoleSessionName", Values: []string{"s"}}},
				ResourcePolicy: trust(t, tc.principal, tc.condition),
				ResourceKind:   policy.RoleTrustPolicy,
			})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Release()
			if d.Effect != tc.want {
				t.Fatalf("effect %v, want %v (%s)", d.Effect, tc.want, d.Message())
			}
			if tc.mfaAge > 0 {
				want := strconv.Itoa(int(tc.mfaAge / time.Second))
				if v, ok := d.Context.Lookup("aws:MultiFactorAuthAge"); !ok || v.Len() != 1 || v.At(0) != want {
					t.Fatalf("aws:MultiFactorAuthAge = %v, want %s", v, want)
				}
				if v, ok := d.Context.Lookup("aws:MultiFactorAuthPresent"); !ok || v.At(0) != "true" {
					t.Fatalf("aws:MultiFactorAuthPresent = %v, want true", v)
				}
			}
		})
	}
}
