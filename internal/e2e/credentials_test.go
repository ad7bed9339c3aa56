package e2e_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// userCreds creates an access key for the user and returns it.
func userCreds(t *testing.T, c *iam.Client, user string) creds {
	t.Helper()
	k, err := c.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	return creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

func createUsers(t *testing.T, c *iam.Client, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String(n)}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLoginProfiles walks Create/Get/Update/DeleteLoginProfile through
// their happy, not-found and conflict paths, AWS's default password policy
// (no custom policy set), DeleteUser's refusal while a login profile
// remains, and checks that no password reaches the server log.
func TestLoginProfiles(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	createUsers(t, c, "bob", "alice")
	passwords := []string{"Tr0ub4dor&3", "correct-Horse-9", "weakpass", "Sh0rt!"}

	t.Run("not found", func(t *testing.T) {
		_, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
		apiErr(t, err, "NoSuchEntity", "Login Profile for User bob cannot be found.")
		_, err = c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(passwords[0])})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
		_, err = c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("alice"), PasswordResetRequired: aws.Bool(true)})
		apiErr(t, err, "NoSuchEntity", "Login Profile for User alice cannot be found.")
		_, err = c.DeleteLoginProfile(cx, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")})
		apiErr(t, err, "NoSuchEntity", "Login Profile for User alice cannot be found.")
	})
	t.Run("default password policy", func(t *testing.T) {
		for _, weak := range passwords[2:] { // two classes; seven characters
			_, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(weak)})
			apiErr(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
		}
		_, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
		apiErr(t, err, "NoSuchEntity", "")
	})

	before := time.Now().Add(-2 * time.Second)
	cp, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("BOB"), Password: aws.String(passwords[0]), PasswordResetRequired: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("CreateLoginProfile answers the profile", func(t *testing.T) {
		p := cp.LoginProfile
		if aws.ToString(p.UserName) != "bob" || !p.PasswordResetRequired || p.CreateDate == nil || p.CreateDate.Before(before) {
			t.Errorf("profile %+v", p)
		}
	})
	t.Run("a second profile", func(t *testing.T) {
		_, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(passwords[1])})
		apiErr(t, err, "EntityAlreadyExists", "Login Profile for user bob already exists.")
	})
	t.Run("GetLoginProfile", func(t *testing.T) {
		g, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.LoginProfile.UserName) != "bob" || !g.LoginProfile.PasswordResetRequired ||
			!g.LoginProfile.CreateDate.Equal(*cp.LoginProfile.CreateDate) {
			t.Errorf("GetLoginProfile = %+v, created %+v", g.LoginProfile, cp.LoginProfile)
		}
	})
	t.Run("UpdateLoginProfile", func(t *testing.T) {
		if _, err := c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), PasswordResetRequired: aws.Bool(false)}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
		if err != nil {
			t.Fatal(err)
		}
		if g.LoginProfile.PasswordResetRequired {
			t.Error("PasswordResetRequired still true")
		}
		_, err = c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(passwords[2])})
		apiErr(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
		// A password alone leaves PasswordResetRequired as it is.
		if _, err := c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String(passwords[1])}); err != nil {
			t.Fatal(err)
		}
		if g, _ := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")}); g == nil || g.LoginProfile.PasswordResetRequired {
			t.Errorf("GetLoginProfile after a password update = %+v", g)
		}
		_, err = c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("nobody"), Password: aws.String(passwords[1])})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	})
	t.Run("DeleteUser refuses a user with a login profile", func(t *testing.T) {
		_, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")})
		apiErr(t, err, "DeleteConflict", "Cannot delete entity, must delete login profile first.")
	})
	t.Run("DeleteLoginProfile", func(t *testing.T) {
		if _, err := c.DeleteLoginProfile(cx, &iam.DeleteLoginProfileInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("bob")})
		apiErr(t, err, "NoSuchEntity", "Login Profile for User bob cannot be found.")
		_, err = c.DeleteLoginProfile(cx, &iam.DeleteLoginProfileInput{UserName: aws.String("bob")})
		apiErr(t, err, "NoSuchEntity", "Login Profile for User bob cannot be found.")
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("no password in the log", func(t *testing.T) {
		log := in.Log()
		for _, pw := range passwords {
			if strings.Contains(log, pw) {
				t.Errorf("the server log contains the password %q", pw)
			}
		}
	})
}

// TestAccountPasswordPolicy walks Get/Update/DeleteAccountPasswordPolicy:
// not-found messages, the ranges of the numeric fields, replacement with
// defaults by an update that omits fields, and enforcement of the policy
// on CreateLoginProfile and UpdateLoginProfile.
func TestAccountPasswordPolicy(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	admin := in.adminCreds(t)
	c := in.IAM(admin)
	cx := ctx(t)
	id, err := in.STS(admin).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)
	createUsers(t, c, "carol")

	t.Run("no policy", func(t *testing.T) {
		_, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
		apiErr(t, err, "NoSuchEntity", "The Password Policy with domain name "+acct+" cannot be found.")
		_, err = c.DeleteAccountPasswordPolicy(cx, &iam.DeleteAccountPasswordPolicyInput{})
		apiErr(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")
	})
	t.Run("ranges", func(t *testing.T) {
		for name, in := range map[string]*iam.UpdateAccountPasswordPolicyInput{
			"minimum length 5":   {MinimumPasswordLength: aws.Int32(5)},
			"minimum length 129": {MinimumPasswordLength: aws.Int32(129)},
			"reuse 0":            {PasswordReusePrevention: aws.Int32(0)},
			"reuse 25":           {PasswordReusePrevention: aws.Int32(25)},
			"max age 0":          {MaxPasswordAge: aws.Int32(0)},
			"max age 1096":       {MaxPasswordAge: aws.Int32(1096)},
		} {
			_, err := c.UpdateAccountPasswordPolicy(cx, in)
			if err == nil {
				t.Errorf("%s accepted", name)
				continue
			}
			apiErr(t, err, "ValidationError", "failed to satisfy constraint")
		}
		_, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
		apiErr(t, err, "NoSuchEntity", "")
	})
	t.Run("update and get", func(t *testing.T) {
		_, err := c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{
			MinimumPasswordLength: aws.Int32(12), RequireSymbols: true, RequireNumbers: true,
			RequireUppercaseCharacters: true, RequireLowercaseCharacters: true, AllowUsersToChangePassword: true,
			MaxPasswordAge: aws.Int32(90), PasswordReusePrevention: aws.Int32(3), HardExpiry: aws.Bool(true),
		})
		if err != nil {
			t.Fatal(err)
		}
		g, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil {
			t.Fatal(err)
		}
		p := g.PasswordPolicy
		if aws.ToInt32(p.MinimumPasswordLength) != 12 || !p.RequireSymbols || !p.RequireNumbers || !p.RequireUppercaseCharacters ||
			!p.RequireLowercaseCharacters || !p.AllowUsersToChangePassword || !p.ExpirePasswords ||
			aws.ToInt32(p.MaxPasswordAge) != 90 || aws.ToInt32(p.PasswordReusePrevention) != 3 || !aws.ToBool(p.HardExpiry) {
			t.Errorf("policy %+v", p)
		}
	})
	t.Run("the policy is enforced", func(t *testing.T) {
		for _, weak := range []string{"Short-1a", "nosymbolsHere12", "NO-LOWER-CASE-12", "no-upper-case-12", "No-Digits-Here-"} {
			_, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String(weak)})
			apiErr(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
		}
		if _, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Long-Enough-12")}); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("Short-1a")})
		apiErr(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	})
	t.Run("an update replaces every field", func(t *testing.T) {
		if _, err := c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{RequireNumbers: true}); err != nil {
			t.Fatal(err)
		}
		g, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
		if err != nil {
			t.Fatal(err)
		}
		p := g.PasswordPolicy
		if aws.ToInt32(p.MinimumPasswordLength) != 6 || p.RequireSymbols || !p.RequireNumbers || p.RequireUppercaseCharacters ||
			p.RequireLowercaseCharacters || p.AllowUsersToChangePassword || p.ExpirePasswords || p.MaxPasswordAge != nil ||
			p.PasswordReusePrevention != nil || aws.ToBool(p.HardExpiry) {
			t.Errorf("policy after an update with defaults %+v", p)
		}
		// Six characters with a digit now pass, where the default policy
		// would refuse them.
		if _, err := c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("abcde1")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("delete", func(t *testing.T) {
		if _, err := c.DeleteAccountPasswordPolicy(cx, &iam.DeleteAccountPasswordPolicyInput{}); err != nil {
			t.Fatal(err)
		}
		_, err := c.GetAccountPasswordPolicy(cx, &iam.GetAccountPasswordPolicyInput{})
		apiErr(t, err, "NoSuchEntity", "The Password Policy with domain name "+acct+" cannot be found.")
		// Back to the default policy.
		_, err = c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("carol"), Password: aws.String("abcde1")})
		apiErr(t, err, "PasswordPolicyViolation", "")
	})
}

// TestChangePassword has a user change its own password: the old password
// must be right, the new one must satisfy the policy and, with reuse
// prevention N, be none of the last N passwords (the current one counts),
// whether the user or an administrator set them, while a password older
// than that is allowed again; a successful change clears
// PasswordResetRequired.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	c := in.IAM(in.adminCreds(t))
	cx := ctx(t)
	createUsers(t, c, "dave")
	if _, err := c.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("dave"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMUserChangePassword")}); err != nil {
		t.Fatal(err)
	}
	remember := func(n int32) func(t *testing.T) {
		return func(t *testing.T) {
			if _, err := c.UpdateAccountPasswordPolicy(cx, &iam.UpdateAccountPasswordPolicyInput{
				MinimumPasswordLength: aws.Int32(8), RequireNumbers: true, PasswordReusePrevention: aws.Int32(n), AllowUsersToChangePassword: true,
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	remember(2)(t)
	dave := in.IAM(userCreds(t, c, "dave"))

	_, err := dave.ChangePassword(cx, &iam.ChangePasswordInput{OldPassword: aws.String("whatever1"), NewPassword: aws.String("first-pass1")})
	apiErr(t, err, "NoSuchEntity", "Login Profile for User dave cannot be found.")

	if _, err := c.CreateLoginProfile(cx, &iam.CreateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String("first-pass1"), PasswordResetRequired: true}); err != nil {
		t.Fatal(err)
	}
	const reused = "Policy constraint violation with password reuse prevention during password change."
	cases := []struct {
		name, old, new string
		before         func(t *testing.T) // an administrator's action first
		code, msg      string
	}{
		{name: "wrong old password", old: "first-pass2", new: "second-pass1", code: "AccessDenied", msg: "The old password was incorrect."},
		{name: "new password against the policy", old: "first-pass1", new: "no-digits-here", code: "PasswordPolicyViolation", msg: "Password does not conform to the account password policy."},
		{name: "the same password", old: "first-pass1", new: "first-pass1", code: "PasswordPolicyViolation", msg: reused},
		{name: "change", old: "first-pass1", new: "second-pass1"},
		{name: "the new password again", old: "second-pass1", new: "second-pass1", code: "PasswordPolicyViolation", msg: reused},
		{name: "the old password no longer works", old: "first-pass1", new: "third-pass1", code: "AccessDenied", msg: "The old password was incorrect."},
		{name: "the previous password, one of the last 2", old: "second-pass1", new: "first-pass1", code: "PasswordPolicyViolation", msg: reused},
		{name: "change again", old: "second-pass1", new: "third-pass1"},
		{name: "the previous password again, one of the last 2", old: "third-pass1", new: "second-pass1", code: "PasswordPolicyViolation", msg: reused},
		{name: "the first password, beyond the last 2", old: "third-pass1", new: "first-pass1"},
		// Remembered: first (current), third, second, first.
		{name: "with 4 remembered, the password two changes back", old: "first-pass1", new: "second-pass1", before: remember(4), code: "PasswordPolicyViolation", msg: reused},
		{name: "an administrator's reset is remembered too", old: "admin-set1", new: "first-pass1", before: func(t *testing.T) {
			if _, err := c.UpdateLoginProfile(cx, &iam.UpdateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String("admin-set1")}); err != nil {
				t.Fatal(err)
			}
		}, code: "PasswordPolicyViolation", msg: reused},
		// Remembered: admin-set (current), first, third, second.
		{name: "with 4 remembered, three changes back", old: "admin-set1", new: "second-pass1", code: "PasswordPolicyViolation", msg: reused},
		{name: "a password never used", old: "admin-set1", new: "fourth-pass1"},
	}
	for _, tc := range cases {
		if tc.before != nil {
			tc.before(t)
		}
		_, err := dave.ChangePassword(cx, &iam.ChangePasswordInput{OldPassword: aws.String(tc.old), NewPassword: aws.String(tc.new)})
		if tc.code == "" {
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			continue
		}
		t.Run(tc.name, func(t *testing.T) { apiErr(t, err, tc.code, tc.msg) })
	}
	g, err := c.GetLoginProfile(cx, &iam.GetLoginProfileInput{UserName: aws.String("dave")})
	if err != nil {
		t.Fatal(err)
	}
	if g.LoginProfile.PasswordResetRequired {
		t.Error("PasswordResetRequired survived ChangePassword")
	}
	if strings.Contains(in.Log(), "pass1") {
		t.Error("a password appears in the server log")
	}
}
