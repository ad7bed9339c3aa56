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
