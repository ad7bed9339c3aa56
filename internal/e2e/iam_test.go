package e2e_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// apiErr asserts err is an AWS API error with the code and, when given, a
// message containing msg; it returns the error for further checks.
func apiErr(t *testing.T, err error, code, msg string) smithy.APIError {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want AWS error %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want error code %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	if msg != "" && !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("%s message %q does not contain %q", code, ae.ErrorMessage(), msg)
	}
	return ae
}

// TestFirstStart checks the strict-mode first start: a random account, root
// without keys, an admin user whose key file is 0600 and works.
func TestFirstStart(t *testing.T) {
	t.Parallel()
	in := start(t, "")
	if !strings.Contains(in.Log(), "Root user password (shown once") {
		t.Errorf("first start did not print the root password banner:\n%s", in.Log())
	}
	fi, err := os.Stat(filepath.Join(in.DataDir, "admin-credentials"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("admin-credentials mode %v, want 0600", fi.Mode().Perm())
	}
	admin := in.adminCreds(t)
	id, err := in.STS(admin).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	acct := aws.ToString(id.Account)
	if !regexp.MustCompile(`^[0-9]{12}$`).MatchString(acct) || acct == "123456789012" {
		t.Errorf("account %q is not a random 12-digit id", acct)
	}
	if want := "arn:aws:iam::" + acct + ":user/admin"; aws.ToString(id.Arn) != want {
		t.Errorf("caller ARN %q, want %q", aws.ToString(id.Arn), want)
	}
	if !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("UserId %q does not start with AIDA", aws.ToString(id.UserId))
	}
	c := in.IAM(admin)
	groups, err := c.ListGroupsForUser(ctx(t), &iam.ListGroupsForUserInput{UserName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.Groups) != 1 || aws.ToString(groups.Groups[0].GroupName) != "Administrators" {
		t.Errorf("admin's groups = %+v, want [Administrators]", groups.Groups)
	}
	// A restart keeps the account and does not create another.
	in.stop(t)
	again := start(t, in.DataDir)
	if strings.Contains(again.Log(), "Root user password") {
		t.Error("second start printed a new root password")
	}
	id2, err := again.STS(admin).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id2.Account) != acct {
		t.Errorf("account changed across restart: %s → %s", acct, aws.ToString(id2.Account))
	}
	// The secret never reaches the log.
	if strings.Contains(again.Log()+in.Log(), admin.Secret) {
		t.Error("the admin secret access key appears in the server log")
	}
}

// TestUsersGroupsKeys walks the issue-4 IAM slice through its happy and
// error paths with aws-sdk-go-v2.
func TestUsersGroupsKeys(t *testing.T) {
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

	before := time.Now().Add(-2 * time.Second)
	cu, err := c.CreateUser(cx, &iam.CreateUserInput{
		UserName: aws.String("alice"),
		Path:     aws.String("/eng/"),
		Tags:     []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	u := cu.User
	if aws.ToString(u.Arn) != "arn:aws:iam::"+acct+":user/eng/alice" {
		t.Errorf("ARN %q", aws.ToString(u.Arn))
	}
	if !regexp.MustCompile(`^AIDA[A-Z2-7]{17}$`).MatchString(aws.ToString(u.UserId)) {
		t.Errorf("UserId %q", aws.ToString(u.UserId))
	}
	if u.CreateDate == nil || u.CreateDate.Before(before) || u.CreateDate.After(time.Now().Add(2*time.Second)) {
		t.Errorf("CreateDate %v not now", u.CreateDate)
	}
	if len(u.Tags) != 1 || aws.ToString(u.Tags[0].Key) != "team" {
		t.Errorf("tags %+v", u.Tags)
	}

	t.Run("duplicate user, any case", func(t *testing.T) {
		_, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("ALICE")})
		apiErr(t, err, "EntityAlreadyExists", "User with name ALICE already exists.")
	})
	t.Run("missing user", func(t *testing.T) {
		_, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "The user with name nobody cannot be found.")
	})
	t.Run("validation", func(t *testing.T) {
		_, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("x", 65))})
		apiErr(t, err, "ValidationError", "Member must have length less than or equal to 64")
		_, err = c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("bad name!")})
		apiErr(t, err, "ValidationError", "Member must satisfy regular expression pattern")
		_, err = c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String("p"), Path: aws.String("nopath")})
		apiErr(t, err, "ValidationError", "")
	})
	t.Run("get is case-insensitive and keeps the case", func(t *testing.T) {
		g, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("ALICE")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.User.UserName) != "alice" || aws.ToString(g.User.UserId) != aws.ToString(u.UserId) {
			t.Errorf("GetUser ALICE = %+v", g.User)
		}
	})
	t.Run("GetUser without a name is the caller", func(t *testing.T) {
		g, err := c.GetUser(cx, &iam.GetUserInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(g.User.UserName) != "admin" {
			t.Errorf("GetUser() = %q, want admin", aws.ToString(g.User.UserName))
		}
	})
	t.Run("tags", func(t *testing.T) {
		_, err := c.TagUser(cx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{
			{Key: aws.String("TEAM"), Value: aws.String("red")}, {Key: aws.String("cost"), Value: aws.String("42")}}})
		if err != nil {
			t.Fatal(err)
		}
		lt, err := c.ListUserTags(cx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(tagPairs(lt.Tags))
		if got != "[TEAM=red cost=42]" {
			t.Errorf("tags after TagUser = %s, want [TEAM=red cost=42] (user tag keys fold case)", got)
		}
		_, err = c.TagUser(cx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []iamtypes.Tag{
			{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}})
		apiErr(t, err, "InvalidInput", "Duplicate tag keys")
		var many []iamtypes.Tag
		for i := range 49 {
			many = append(many, iamtypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
		}
		_, err = c.TagUser(cx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: many})
		apiErr(t, err, "LimitExceeded", "")
		lt, _ = c.ListUserTags(cx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
		if len(lt.Tags) != 2 {
			t.Errorf("a refused TagUser changed the tags: %d tags", len(lt.Tags))
		}
		if _, err := c.UntagUser(cx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"cost", "absent"}}); err != nil {
			t.Fatal(err)
		}
		lt, _ = c.ListUserTags(cx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
		if fmt.Sprint(tagPairs(lt.Tags)) != "[TEAM=red]" {
			t.Errorf("tags after UntagUser = %v", tagPairs(lt.Tags))
		}
	})

	t.Run("groups", func(t *testing.T) {
		g, err := c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(g.Group.GroupId), "AGPA") || aws.ToString(g.Group.Arn) != "arn:aws:iam::"+acct+":group/devs" {
			t.Errorf("group %+v", g.Group)
		}
		_, err = c.CreateGroup(cx, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
		apiErr(t, err, "EntityAlreadyExists", "Group with name DEVS already exists.")
		_, err = c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("nobody")})
		apiErr(t, err, "NoSuchEntity", "nobody")
		_, err = c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("nogroup"), UserName: aws.String("alice")})
		apiErr(t, err, "NoSuchEntity", "nogroup")
		for range 2 { // idempotent
			if _, err := c.AddUserToGroup(cx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
				t.Fatal(err)
			}
		}
		gg, err := c.GetGroup(cx, &iam.GetGroupInput{GroupName: aws.String("devs")})
		if err != nil {
			t.Fatal(err)
		}
		if len(gg.Users) != 1 || aws.ToString(gg.Users[0].UserName) != "alice" {
			t.Errorf("GetGroup users %+v", gg.Users)
		}
		_, err = c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
		apiErr(t, err, "DeleteConflict", "must remove users from group first")
		_, err = c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
		apiErr(t, err, "DeleteConflict", "must remove users from group first")
		if _, err := c.RemoveUserFromGroup(cx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.RemoveUserFromGroup(cx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})
		apiErr(t, err, "NoSuchEntity", "")
		if _, err := c.UpdateGroup(cx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("developers"), NewPath: aws.String("/x/")}); err != nil {
			t.Fatal(err)
		}
		gg, err = c.GetGroup(cx, &iam.GetGroupInput{GroupName: aws.String("developers")})
		if err != nil || aws.ToString(gg.Group.Path) != "/x/" {
			t.Fatalf("renamed group: %+v, %v", gg, err)
		}
		if _, err := c.DeleteGroup(cx, &iam.DeleteGroupInput{GroupName: aws.String("developers")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetGroup(cx, &iam.GetGroupInput{GroupName: aws.String("developers")})
		apiErr(t, err, "NoSuchEntity", "The group with name developers cannot be found.")
	})

	t.Run("access keys", func(t *testing.T) {
		k1, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^AKIA[A-Z2-7]{16}$`).MatchString(aws.ToString(k1.AccessKey.AccessKeyId)) ||
			len(aws.ToString(k1.AccessKey.SecretAccessKey)) != 40 || k1.AccessKey.Status != iamtypes.StatusTypeActive {
			t.Fatalf("key %+v", k1.AccessKey)
		}
		if _, err := c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.CreateAccessKey(cx, &iam.CreateAccessKeyInput{UserName: aws.String("alice")})
		apiErr(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

		// The new key authenticates as alice.
		alice := creds{ID: aws.ToString(k1.AccessKey.AccessKeyId), Secret: aws.ToString(k1.AccessKey.SecretAccessKey)}
		who, err := in.STS(alice).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(who.Arn) != "arn:aws:iam::"+acct+":user/eng/alice" {
			t.Errorf("alice's key authenticates as %s", aws.ToString(who.Arn))
		}
		// GetAccessKeyInfo needs sts:GetAccessKeyInfo (unlike
		// GetCallerIdentity): alice has no policy, the admin has.
		_, err = in.STS(alice).GetAccessKeyInfo(cx, &sts.GetAccessKeyInfoInput{AccessKeyId: k1.AccessKey.AccessKeyId})
		apiErr(t, err, "AccessDenied", "is not authorized to perform: sts:GetAccessKeyInfo")
		info, err := in.STS(admin).GetAccessKeyInfo(cx, &sts.GetAccessKeyInfoInput{AccessKeyId: k1.AccessKey.AccessKeyId})
		if err != nil || aws.ToString(info.Account) != acct {
			t.Errorf("GetAccessKeyInfo = %v, %v; want %s", info, err, acct)
		}
		// Wrong secret, unknown key, inactive key.
		_, err = in.STS(creds{ID: alice.ID, Secret: strings.Repeat("x", 40)}).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "SignatureDoesNotMatch", "")
		_, err = in.STS(creds{ID: "AKIAIOSFODNN7EXAMPLE", Secret: alice.Secret}).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "InvalidClientTokenId", "The security token included in the request is invalid")
		if _, err := c.UpdateAccessKey(cx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k1.AccessKey.AccessKeyId, Status: iamtypes.StatusTypeInactive}); err != nil {
			t.Fatal(err)
		}
		_, err = in.STS(alice).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{})
		apiErr(t, err, "InvalidClientTokenId", "")

		// The use of alice's key above is recorded (batched, flushed every
		// second) with its service and region.
		deadline := time.Now().Add(5 * time.Second)
		for {
			lu, err := c.GetAccessKeyLastUsed(cx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKey.AccessKeyId})
			if err != nil {
				t.Fatal(err)
			}
			if lu.AccessKeyLastUsed.LastUsedDate != nil {
				if aws.ToString(lu.AccessKeyLastUsed.ServiceName) != "sts" || aws.ToString(lu.AccessKeyLastUsed.Region) != "us-east-1" {
					t.Errorf("last used %+v, want sts in us-east-1", lu.AccessKeyLastUsed)
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("key use not recorded within 5s")
			}
			time.Sleep(100 * time.Millisecond)
		}

		lk, err := c.ListAccessKeys(cx, &iam.ListAccessKeysInput{UserName: aws.String("alice")})
		if err != nil || len(lk.AccessKeyMetadata) != 2 {
			t.Fatalf("ListAccessKeys = %+v, %v", lk, err)
		}
		lu, err := c.GetAccessKeyLastUsed(cx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k1.AccessKey.AccessKeyId})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(lu.UserName) != "alice" || lu.AccessKeyLastUsed == nil {
			t.Errorf("GetAccessKeyLastUsed = %+v", lu)
		}
		_, err = c.UpdateAccessKey(cx, &iam.UpdateAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE"), Status: iamtypes.StatusTypeActive})
		apiErr(t, err, "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")
		_, err = c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")})
		apiErr(t, err, "DeleteConflict", "must delete access keys first")
		for _, k := range lk.AccessKeyMetadata {
			if _, err := c.DeleteAccessKey(cx, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err != nil {
			t.Fatal(err)
		}
		_, err = c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("alice")})
		apiErr(t, err, "NoSuchEntity", "")
	})
}

func tagPairs(tags []iamtypes.Tag) []string {
	var out []string
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return out
}

// TestPagination lists 250 users in pages through the SDK's paginator and
// by hand, with PathPrefix.
func TestPagination(t *testing.T) {
	t.Parallel()
	in := start(t, "", "--emulator")
	c := in.IAM(creds{ID: "testing", Secret: "testing"})
	cx := ctx(t)
	for i := range 250 {
		path := "/a/"
		if i%5 == 0 {
			path = "/b/"
		}
		if _, err := c.CreateUser(cx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("user%03d", i)), Path: aws.String(path)}); err != nil {
			t.Fatal(err)
		}
	}
	first, err := c.ListUsers(cx, &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Users) != 100 || !first.IsTruncated || first.Marker == nil {
		t.Fatalf("default page: %d users, truncated %v", len(first.Users), first.IsTruncated)
	}
	seen := map[string]bool{}
	pager := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(7)})
	pages := 0
	for pager.HasMorePages() {
		p, err := pager.NextPage(cx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, u := range p.Users {
			if seen[aws.ToString(u.UserName)] {
				t.Fatalf("user %s listed twice", aws.ToString(u.UserName))
			}
			seen[aws.ToString(u.UserName)] = true
		}
	}
	if len(seen) != 250 || pages != 36 {
		t.Errorf("paginator saw %d users in %d pages, want 250 in 36", len(seen), pages)
	}
	b, err := c.ListUsers(cx, &iam.ListUsersInput{PathPrefix: aws.String("/b/"), MaxItems: aws.Int32(1000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Users) != 50 || b.IsTruncated {
		t.Errorf("PathPrefix /b/: %d users, truncated %v; want 50", len(b.Users), b.IsTruncated)
	}
	_, err = c.ListUsers(cx, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
	apiErr(t, err, "ValidationError", "Member must have value less than or equal to 1000")
}
