package e2e_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// secondAccount stops in, creates another account in its data directory
// with `iamd account create`, restarts the server on the same data and
// returns it with the new account's admin credentials.
func secondAccount(t *testing.T, in *instance) (*instance, creds) {
	t.Helper()
	in.stop(t)
	out, err := exec.Command(iamdBinary(t), "account", "create", "--data", in.DataDir).CombinedOutput()
	if err != nil {
		t.Fatalf("iamd account create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`account ([0-9]{12}) created`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("iamd account create printed no account id:\n%s", out)
	}
	b, err := os.ReadFile(filepath.Join(in.DataDir, "admin-credentials-"+string(m[1])))
	if err != nil {
		t.Fatal(err)
	}
	var c creds
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, "=")
		switch strings.TrimSpace(k) {
		case "aws_access_key_id":
			c.ID = strings.TrimSpace(v)
		case "aws_secret_access_key":
			c.Secret = strings.TrimSpace(v)
		}
	}
	if c.ID == "" || c.Secret == "" {
		t.Fatalf("no key in the second account's credentials file")
	}
	return start(t, in.DataDir), c
}

func aliases(t *testing.T, c *iam.Client) []string {
	t.Helper()
	out, err := c.ListAccountAliases(ctx(t), &iam.ListAccountAliasesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToBool(&out.IsTruncated) {
		t.Errorf("ListAccountAliases is truncated")
	}
	return out.AccountAliases
}

// TestAccountAliases walks CreateAccountAlias, DeleteAccountAlias and
// ListAccountAliases through the naming rule, replacement of the one alias
// an account has, global uniqueness across accounts and deletion of an
// alias the account does not hold.
func TestAccountAliases(t *testing.T) {
	t.Parallel()
	first := start(t, "")
	admin := first.adminCreds(t)
	in, other := secondAccount(t, first)
	c, c2 := in.IAM(admin), in.IAM(other)
	cx := ctx(t)

	if got := aliases(t, c); len(got) != 0 {
		t.Fatalf("a new account has aliases %v", got)
	}
	if _, err := c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")}); err != nil {
		t.Fatal(err)
	}
	if got := aliases(t, c); !slices.Equal(got, []string{"acme-prod"}) {
		t.Errorf("aliases %v, want [acme-prod]", got)
	}

	t.Run("naming rule", func(t *testing.T) {
		for _, bad := range []string{"Acme", "-acme", "acme-", "ac--me", "ac", "acme_prod", strings.Repeat("a", 64)} {
			_, err := c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
			apiErr(t, err, "ValidationError", "")
		}
		if got := aliases(t, c); !slices.Equal(got, []string{"acme-prod"}) {
			t.Errorf("a refused alias changed the aliases: %v", got)
		}
	})
	t.Run("the account's own alias again", func(t *testing.T) {
		_, err := c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		apiErr(t, err, "EntityAlreadyExists", "The account alias acme-prod already exists.")
	})
	t.Run("unique across accounts", func(t *testing.T) {
		_, err := c2.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		apiErr(t, err, "EntityAlreadyExists", "The account alias acme-prod already exists.")
		if got := aliases(t, c2); len(got) != 0 {
			t.Errorf("the refused account has aliases %v", got)
		}
	})
	t.Run("a second alias replaces the first", func(t *testing.T) {
		if _, err := c.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-2")}); err != nil {
			t.Fatal(err)
		}
		if got := aliases(t, c); !slices.Equal(got, []string{"acme-2"}) {
			t.Errorf("aliases %v, want [acme-2]", got)
		}
		// The replaced alias is free again.
		if _, err := c2.CreateAccountAlias(cx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("acme-prod")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		_, err := c.DeleteAccountAlias(cx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-prod")})
		apiErr(t, err, "NoSuchEntity", "The account alias acme-prod cannot be found.")
		if _, err := c.DeleteAccountAlias(cx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-2")}); err != nil {
			t.Fatal(err)
		}
		if got := aliases(t, c); len(got) != 0 {
			t.Errorf("aliases after delete %v", got)
		}
		_, err = c.DeleteAccountAlias(cx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("acme-2")})
		apiErr(t, err, "NoSuchEntity", "The account alias acme-2 cannot be found.")
		if got := aliases(t, c2); !slices.Equal(got, []string{"acme-prod"}) {
			t.Errorf("the other account's aliases %v", got)
		}
	})
}

// summaryKeys are the keys of AWS's SummaryMap (GetAccountSummary API
// reference, "Valid Keys"), with the default quota for quota keys and -1
// for the counts, which the test computes.
var summaryKeys = map[string]int32{
	"Users": -1, "UsersQuota": 5000, "Groups": -1, "GroupsQuota": 300,
	"ServerCertificates": -1, "ServerCertificatesQuota": 20,
	"UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240,
	"AssumeRolePolicySizeQuota": 2048, "PolicySizeQuota": 6144,
	"GroupsPerUserQuota": 10, "SigningCertificatesPerUserQuota": 2, "AccessKeysPerUserQuota": 2,
	"MFADevices": -1, "MFADevicesInUse": -1, "AccountMFAEnabled": -1, "AccountAccessKeysPresent": -1,
	"AccountPasswordPresent": -1, "AccountSigningCertificatesPresent": -1,
	"AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
	"Policies": -1, "PoliciesQuota": 1500, "PolicyVersionsInUse": -1, "PolicyVersionsInUseQuota": 10000,
	"VersionsPerPolicyQuota": 5, "GlobalEndpointTokenVersion": 1,
	"InstanceProfiles": -1, "InstanceProfilesQuota": 1000, "Providers": -1, "Roles": -1, "RolesQuota": 1000,
}

func summary(t *testing.T, c *iam.Client) map[string]int32 {
	t.Helper()
	out, err := c.GetAccountSummary(ctx(t), &iam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range summaryKeys {
		got, ok := out.SummaryMap[k]
		if !ok {
			t.Errorf("SummaryMap lacks %s", k)
		} else if want >= 0 && got != want {
			t.Errorf("SummaryMap[%s] = %d, want %d", k, got, want)
		}
	}
	for k := range out.SummaryMap {
		if _, ok := summaryKeys[k]; !ok {
			t.Errorf("SummaryMap has a key AWS does not define: %s", k)
		}
	}
	return out.SummaryMap
}

// TestAccountSummary checks every SummaryMap key AWS returns, the default
// quotas, and that the counts follow the entities created in the account.
func TestAccountSummary(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)

	// A new account: root with a password and no keys, and the admin user
	// in the Administrators group.
	before := summary(t, c)
	for k, want := range map[string]int32{
		"Users": 1, "Groups": 1, "Roles": 0, "Policies": 0, "PolicyVersionsInUse": 0, "InstanceProfiles": 0,
		"MFADevices": 0, "MFADevicesInUse": 0, "Providers": 0, "ServerCertificates": 0,
		"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0, "AccountSigningCertificatesPresent": 0, "AccountPasswordPresent": 1,
	} {
		if before[k] != want {
			t.Errorf("new account: %s = %d, want %d", k, before[k], want)
		}
	}

	createUsers(t, c, "u1", "u2")
	if _, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("g1")}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("r1"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	p, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("p1"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: p.Policy.Arn, PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateInstanceProfile(cx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateOpenIDConnectProvider(cx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.example.com"),
		ThumbprintList: []string{strings.Repeat("a", 40)}}); err != nil {
		t.Fatal(err)
	}
	createDevice(t, c, "spare")
	if err := enable(t, c, "u1", createDevice(t, c, "u1-phone")); err != nil {
		t.Fatal(err)
	}

	after := summary(t, c)
	for k, delta := range map[string]int32{
		"Users": 2, "Groups": 1, "Roles": 1, "Policies": 1, "PolicyVersionsInUse": 2, "InstanceProfiles": 1,
		"MFADevices": 2, "MFADevicesInUse": 1, "Providers": 1, "AccountMFAEnabled": 0,
	} {
		if after[k]-before[k] != delta {
			t.Errorf("%s went from %d to %d, want +%d", k, before[k], after[k], delta)
		}
	}
}
