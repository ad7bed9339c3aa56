package e2e_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// enfWorld is a strict-mode server, its admin client and account id.
type enfWorld struct {
	in    *instance
	admin *iam.Client
	acct  string
}

func enfStart(t *testing.T, args ...string) *enfWorld {
	t.Helper()
	in := start(t, "", args...)
	admin := in.adminCreds(t)
	id, err := in.STS(admin).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	return &enfWorld{in: in, admin: in.IAM(admin), acct: aws.ToString(id.Account)}
}

// user creates a user with an access key and returns its credentials.
func (w *enfWorld) user(t *testing.T, name string, tags ...iamtypes.Tag) creds {
	t.Helper()
	if _, err := w.admin.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String(name), Tags: tags}); err != nil {
		t.Fatal(err)
	}
	k, err := w.admin.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
}

// policy creates a customer managed policy and returns its ARN.
func (w *enfWorld) policy(t *testing.T, name, doc string) string {
	t.Helper()
	out, err := w.admin.CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Policy.Arn)
}

// enfCheck returns a function that fails the test when a call's error is
// not nil, so that a call's results can be passed to it as they are.
func enfCheck(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// enfNoErr fails the test on an error.
func enfNoErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// enfLog waits (a few seconds at most) for the server's log to hold every
// string, since the log is read from the process as it writes it.
func enfLog(in *instance, want ...string) (string, bool) {
	deadline := time.Now().Add(5 * time.Second)
	for {
		log := in.Log()
		all := true
		for _, w := range want {
			all = all && strings.Contains(log, w)
		}
		if all || time.Now().After(deadline) {
			return log, all
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// enfExec runs the iamd binary and returns its output.
func enfExec(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out, err := exec.Command(iamdBinary(t), args...).CombinedOutput()
	return string(out), err
}

// denied asserts an AccessDenied (HTTP 403) with exactly this message.
func denied(t *testing.T, err error, message string) {
	t.Helper()
	ae := apiErr(t, err, "AccessDenied", "")
	if ae.ErrorMessage() != message {
		t.Fatalf("AccessDenied message\n got %s\nwant %s", ae.ErrorMessage(), message)
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
		t.Fatalf("AccessDenied status is not 403: %v", err)
	}
}

func enfAllow(actions, resource string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%s,"Resource":%q}]}`, actions, resource)
}

func enfDeny(actions, resource string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Block","Effect":"Deny","Action":%s,"Resource":%q}]}`, actions, resource)
}

// TestEnforcementNoPolicy: a user without any policy is denied everything
// but GetCallerIdentity, each time with AWS's message naming the action,
// the resource and the reason; validation still comes first.
func TestEnforcementNoPolicy(t *testing.T) {
	t.Parallel()
	w := enfStart(t)
	nobody := w.user(t, "nobody")
	c, s := w.in.IAM(nobody), w.in.STS(nobody)
	id, err := s.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+w.acct+":user/nobody" {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	me := "User: arn:aws:iam::" + w.acct + ":user/nobody is not authorized to perform: "
	for _, tc := range []struct {
		name string
		call func() error
		msg  string
	}{
		{"ListUsers", func() error { _, err := c.ListUsers(ctx(t), &iam.ListUsersInput{}); return err },
			"iam:ListUsers on resource: arn:aws:iam::" + w.acct + ":user/ because no identity-based policy allows the iam:ListUsers action"},
		{"ListRoles with a path prefix", func() error {
			_, err := c.ListRoles(ctx(t), &iam.ListRolesInput{PathPrefix: aws.String("/ops/")})
			return err
		}, "iam:ListRoles on resource: arn:aws:iam::" + w.acct + ":role/ops/ because no identity-based policy allows the iam:ListRoles action"},
		{"ListPolicies", func() error { _, err := c.ListPolicies(ctx(t), &iam.ListPoliciesInput{}); return err },
			"iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action"},
		{"GetUser of itself", func() error { _, err := c.GetUser(ctx(t), &iam.GetUserInput{}); return err },
			"iam:GetUser on resource: user nobody because no identity-based policy allows the iam:GetUser action"},
		{"GetUser of admin", func() error {
			_, err := c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("admin")})
			return err
		},
			"iam:GetUser on resource: user admin because no identity-based policy allows the iam:GetUser action"},
		{"ListAccessKeys of itself", func() error { _, err := c.ListAccessKeys(ctx(t), &iam.ListAccessKeysInput{}); return err },
			"iam:ListAccessKeys on resource: user nullnobody because no identity-based policy allows the iam:ListAccessKeys action"},
		{"CreateUser", func() error {
			_, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("x")})
			return err
		},
			"iam:CreateUser on resource: arn:aws:iam::" + w.acct + ":user/x because no identity-based policy allows the iam:CreateUser action"},
		{"CreateUser with a path", func() error {
			_, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("x"), Path: aws.String("/eng/")})
			return err
		}, "iam:CreateUser on resource: arn:aws:iam::" + w.acct + ":user/eng/x because no identity-based policy allows the iam:CreateUser action"},
		{"AttachUserPolicy", func() error {
			_, err := c.AttachUserPolicy(ctx(t), &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
			return err
		}, "iam:AttachUserPolicy on resource: user nobody because no identity-based policy allows the iam:AttachUserPolicy action"},
		{"GetPolicy", func() error {
			_, err := c.GetPolicy(ctx(t), &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "iam:GetPolicy on resource: policy arn:aws:iam::aws:policy/ReadOnlyAccess because no identity-based policy allows the iam:GetPolicy action"},
		{"CreatePolicy", func() error {
			_, err := c.CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(enfAllow(`"*"`, "*"))})
			return err
		}, "iam:CreatePolicy on resource: policy p because no identity-based policy allows the iam:CreatePolicy action"},
		{"GetRole of a role that does not exist", func() error {
			_, err := c.GetRole(ctx(t), &iam.GetRoleInput{RoleName: aws.String("ghost")})
			return err
		},
			"iam:GetRole on resource: role ghost because no identity-based policy allows the iam:GetRole action"},
		{"GetAccountSummary", func() error { _, err := c.GetAccountSummary(ctx(t), &iam.GetAccountSummaryInput{}); return err },
			"iam:GetAccountSummary on resource: * because no identity-based policy allows the iam:GetAccountSummary action"},
		{"GetAccessKeyInfo", func() error {
			_, err := s.GetAccessKeyInfo(ctx(t), &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(nobody.ID)})
			return err
		}, "sts:GetAccessKeyInfo because no identity-based policy allows the sts:GetAccessKeyInfo action"},
	} {
		t.Run(tc.name, func(t *testing.T) { denied(t, tc.call(), me+tc.msg) })
	}
	t.Run("validation comes before authorization", func(t *testing.T) {
		_, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("bad name!")})
		apiErr(t, err, "ValidationError", "userName")
	})
	t.Run("denials are logged without secrets", func(t *testing.T) {
		log, found := enfLog(w.in, `msg="authorization denied"`, "principal=arn:aws:iam::"+w.acct+":user/nobody",
			"action=iam:CreateUser", `reason="no identity-based policy allows"`, "resource=arn:aws:iam::"+w.acct+":user/eng/x")
		if !found {
			t.Fatalf("no denial log line with principal, action, resource and reason:\n%s", log)
		}
		if strings.Contains(log, nobody.Secret) {
			t.Fatal("the server log holds a secret access key")
		}
	})
}

// TestEnforcementPolicies: a group's policy allows, an explicit deny wins
// (naming its managed policy), a permissions boundary limits, and every
// change takes effect on the very next request.
func TestEnforcementPolicies(t *testing.T) {
	t.Parallel()
	ok := enfCheck(t)
	w := enfStart(t)
	dev := w.user(t, "dev")
	c := w.in.IAM(dev)
	me := "User: arn:aws:iam::" + w.acct + ":user/dev is not authorized to perform: "
	listUsers := func() error { _, err := c.ListUsers(ctx(t), &iam.ListUsersInput{}); return err }
	getAdmin := func() error {
		_, err := c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("admin")})
		return err
	}
	noList := me + "iam:ListUsers on resource: arn:aws:iam::" + w.acct + ":user/ because no identity-based policy allows the iam:ListUsers action"

	// A group's inline policy allows; leaving the group takes it away.
	ok(w.admin.CreateGroup(ctx(t), &iam.CreateGroupInput{GroupName: aws.String("readers")}))
	ok(w.admin.PutGroupPolicy(ctx(t), &iam.PutGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(enfAllow(`["iam:ListUsers","iam:GetUser"]`, "*"))}))
	denied(t, listUsers(), noList)
	ok(w.admin.AddUserToGroup(ctx(t), &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dev")}))
	if err := listUsers(); err != nil {
		t.Fatalf("group policy does not allow: %v", err)
	}
	// An explicit deny in a managed policy wins, and is named.
	deny := w.policy(t, "NoAdmin", enfDeny(`"iam:GetUser"`, "arn:aws:iam::*:user/admin"))
	enfNoErr(t, getAdmin())
	ok(w.admin.AttachUserPolicy(ctx(t), &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String(deny)}))
	denied(t, getAdmin(), me+"iam:GetUser on resource: user admin with an explicit deny in an identity-based policy: "+deny)
	// A new default version changes it at once.
	ok(w.admin.CreatePolicyVersion(ctx(t), &iam.CreatePolicyVersionInput{PolicyArn: aws.String(deny), SetAsDefault: true,
		PolicyDocument: aws.String(enfDeny(`"iam:DeleteUser"`, "*"))}))
	enfNoErr(t, getAdmin())
	ok(w.admin.SetDefaultPolicyVersion(ctx(t), &iam.SetDefaultPolicyVersionInput{PolicyArn: aws.String(deny), VersionId: aws.String("v1")}))
	denied(t, getAdmin(), me+"iam:GetUser on resource: user admin with an explicit deny in an identity-based policy: "+deny)
	ok(w.admin.DetachUserPolicy(ctx(t), &iam.DetachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String(deny)}))
	enfNoErr(t, getAdmin())
	// An inline deny has no ARN to name.
	ok(w.admin.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("inline-deny"),
		PolicyDocument: aws.String(enfDeny(`"iam:ListUsers"`, "*"))}))
	denied(t, listUsers(), me+"iam:ListUsers on resource: arn:aws:iam::"+w.acct+":user/ with an explicit deny in an identity-based policy")
	ok(w.admin.DeleteUserPolicy(ctx(t), &iam.DeleteUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("inline-deny")}))
	enfNoErr(t, listUsers())
	// A permissions boundary limits what the group grants.
	boundary := w.policy(t, "OnlyGetUser", enfAllow(`"iam:GetUser"`, "*"))
	ok(w.admin.PutUserPermissionsBoundary(ctx(t), &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(boundary)}))
	denied(t, listUsers(), me+"iam:ListUsers on resource: arn:aws:iam::"+w.acct+":user/ because no permissions boundary allows the iam:ListUsers action")
	enfNoErr(t, getAdmin())
	boundaryDeny := w.policy(t, "BoundaryDeny", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`)
	ok(w.admin.PutUserPermissionsBoundary(ctx(t), &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"), PermissionsBoundary: aws.String(boundaryDeny)}))
	denied(t, getAdmin(), me+"iam:GetUser on resource: user admin with an explicit deny in a permissions boundary: "+boundaryDeny)
	ok(w.admin.DeleteUserPermissionsBoundary(ctx(t), &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("dev")}))
	enfNoErr(t, listUsers())
	// Leaving the group takes its policy away.
	ok(w.admin.RemoveUserFromGroup(ctx(t), &iam.RemoveUserFromGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dev")}))
	denied(t, listUsers(), noList)
	// An attached AWS managed policy grants; deleting a group policy and
	// deactivating a key take effect on the next request too.
	ok(w.admin.AttachUserPolicy(ctx(t), &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	enfNoErr(t, listUsers())
	ok(w.admin.AddUserToGroup(ctx(t), &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("dev")}))
	ok(w.admin.DetachUserPolicy(ctx(t), &iam.DetachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	enfNoErr(t, listUsers())
	ok(w.admin.DeleteGroupPolicy(ctx(t), &iam.DeleteGroupPolicyInput{GroupName: aws.String("readers"), PolicyName: aws.String("read")}))
	denied(t, listUsers(), noList)
	ok(w.admin.UpdateAccessKey(ctx(t), &iam.UpdateAccessKeyInput{UserName: aws.String("dev"), AccessKeyId: aws.String(dev.ID), Status: iamtypes.StatusTypeInactive}))
	_, err := w.in.STS(dev).GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	apiErr(t, err, "InvalidClientTokenId", "")
}

// TestEnforcementConditions: aws:SourceIp (from the connection, or from
// X-Forwarded-For only through a trusted proxy), aws:RequestTag,
// aws:ResourceTag and aws:MultiFactorAuthPresent decide.
func TestEnforcementConditions(t *testing.T) {
	t.Parallel()
	w := enfStart(t, "--trusted-proxy", "127.0.0.1/32")
	ok := enfCheck(t)
	u := w.user(t, "cond", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("blue")})
	w.user(t, "blue-user", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("blue")})
	w.user(t, "red-user", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("red")})
	ok(w.admin.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("cond"), PolicyName: aws.String("conditions"), PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
		{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
		{"Effect":"Allow","Action":["iam:CreateUser","iam:TagUser"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"${aws:PrincipalTag/team}"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
		{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Effect":"Allow","Action":"iam:ListPolicies","Resource":"*"},
		{"Sid":"RequireMFA","Effect":"Deny","Action":"iam:ListPolicies","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}
	]}`)}))
	c := w.in.IAM(u)
	me := "User: arn:aws:iam::" + w.acct + ":user/cond is not authorized to perform: "
	fromOffice := iam.WithAPIOptions(smithyhttp.AddHeaderValue("X-Forwarded-For", "203.0.113.7"))

	t.Run("source ip", func(t *testing.T) {
		ok := enfCheck(t)
		_, err := c.ListUsers(ctx(t), &iam.ListUsersInput{})
		denied(t, err, me+"iam:ListUsers on resource: arn:aws:iam::"+w.acct+":user/ because no identity-based policy allows the iam:ListUsers action")
		ok(c.ListUsers(ctx(t), &iam.ListUsersInput{}, fromOffice))
		ok(c.ListGroups(ctx(t), &iam.ListGroupsInput{}))
		_, err = c.ListGroups(ctx(t), &iam.ListGroupsInput{}, fromOffice)
		apiErr(t, err, "AccessDenied", "iam:ListGroups")
	})
	t.Run("request tags", func(t *testing.T) {
		ok := enfCheck(t)
		blue := []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
		ok(c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("made-blue"), Tags: blue}))
		_, err := c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("made-red"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
		denied(t, err, me+"iam:CreateUser on resource: arn:aws:iam::"+w.acct+":user/made-red because no identity-based policy allows the iam:CreateUser action")
		_, err = c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("made-plain")})
		apiErr(t, err, "AccessDenied", "iam:CreateUser")
		_, err = c.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("made-extra"), Tags: append(blue, iamtypes.Tag{Key: aws.String("cost"), Value: aws.String("1")})})
		apiErr(t, err, "AccessDenied", "iam:CreateUser")
	})
	t.Run("resource tags", func(t *testing.T) {
		ok := enfCheck(t)
		ok(c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("blue-user")}))
		_, err := c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("red-user")})
		denied(t, err, me+"iam:GetUser on resource: user red-user because no identity-based policy allows the iam:GetUser action")
		// Retagging the target decides the very next request.
		ok(w.admin.TagUser(ctx(t), &iam.TagUserInput{UserName: aws.String("red-user"), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
		ok(c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("red-user")}))
		ok(w.admin.UntagUser(ctx(t), &iam.UntagUserInput{UserName: aws.String("red-user"), TagKeys: []string{"team"}}))
		_, err = c.GetUser(ctx(t), &iam.GetUserInput{UserName: aws.String("red-user")})
		apiErr(t, err, "AccessDenied", "iam:GetUser")
	})
	t.Run("MFA", func(t *testing.T) {
		_, err := c.ListRoles(ctx(t), &iam.ListRolesInput{})
		denied(t, err, me+"iam:ListRoles on resource: arn:aws:iam::"+w.acct+":role/ because no identity-based policy allows the iam:ListRoles action")
		_, err = c.ListPolicies(ctx(t), &iam.ListPoliciesInput{})
		denied(t, err, me+"iam:ListPolicies on resource: policy path / with an explicit deny in an identity-based policy")
	})
	t.Run("X-Forwarded-For from an untrusted peer is ignored", func(t *testing.T) {
		ok := enfCheck(t)
		other := enfStart(t)
		v := other.user(t, "v")
		ok(other.admin.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("v"), PolicyName: aws.String("ip"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`)}))
		_, err := other.in.IAM(v).ListUsers(ctx(t), &iam.ListUsersInput{}, fromOffice)
		apiErr(t, err, "AccessDenied", "iam:ListUsers")
	})
}

// TestEnforcementModes: report mode serves a denied request and logs it;
// off mode decides nothing.
func TestEnforcementModes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode    string
		logLine string
	}{
		{"report", `msg="authorization would deny (report mode: served)"`},
		{"off", ""},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			t.Parallel()
			w := enfStart(t, "--enforcement", tc.mode)
			c := w.in.IAM(w.user(t, "nobody"))
			if _, err := c.ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
				t.Fatalf("%s mode refused: %v", tc.mode, err)
			}
			log := w.in.Log()
			if !strings.Contains(log, "enforcement="+tc.mode) {
				t.Errorf("start-up line does not name the mode:\n%s", log)
			}
			if tc.logLine != "" {
				if log, found := enfLog(w.in, tc.logLine, "action=iam:ListUsers"); !found {
					t.Errorf("no would-deny line:\n%s", log)
				}
			}
			if tc.logLine == "" && strings.Contains(log, "authorization") {
				t.Errorf("off mode logged a decision:\n%s", log)
			}
		})
	}
	t.Run("unknown mode", func(t *testing.T) {
		t.Parallel()
		if out, err := enfExec(t, "serve", "--enforcement", "audit"); err == nil || !strings.Contains(out, "enforce, report or off") {
			t.Fatalf("--enforcement audit: %v\n%s", err, out)
		}
	})
}

// TestEnforcementEmulator: emulator mode serves everything while its
// no-auth budget lasts, then authenticates and authorizes, as moto does.
func TestEnforcementEmulator(t *testing.T) {
	t.Parallel()
	ok := enfCheck(t)
	in := start(t, "", "--emulator")
	moto := in.IAM(creds{ID: "AKIAIOSFODNN7EXAMPLE", Secret: "anything"})
	mk := func(name string) creds {
		ok(moto.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String(name)}))
		k, err := moto.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)}
	}
	admin, plain := mk("admin"), mk("plain")
	ok(moto.AttachUserPolicy(ctx(t), &iam.AttachUserPolicyInput{UserName: aws.String("admin"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}))
	// Within the budget a known key without policies is served too.
	ok(in.IAM(plain).ListUsers(ctx(t), &iam.ListUsersInput{}))
	resp, err := http.Post(in.URL+"/moto-api/reset-auth", "text/plain", bytes.NewReader([]byte("0")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_, err = in.IAM(plain).ListUsers(ctx(t), &iam.ListUsersInput{})
	denied(t, err, "User: arn:aws:iam::123456789012:user/plain is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action")
	ok(in.IAM(admin).ListUsers(ctx(t), &iam.ListUsersInput{}))
	_, err = moto.ListUsers(ctx(t), &iam.ListUsersInput{})
	apiErr(t, err, "InvalidClientTokenId", "")
}
