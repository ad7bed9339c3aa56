package authz_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

const acct = "123456789012"

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// world is a store with one account and helpers to populate it.
type world struct {
	t  *testing.T
	st store.Store
	n  int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{t: t, st: st}
	w.do(func(tx store.Tx) error { return tx.CreateAccount(store.Account{ID: acct, Created: t0}) })
	return w
}

func (w *world) do(fn func(tx store.Tx) error) {
	w.t.Helper()
	if err := w.st.Update(context.Background(), fn); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) id(prefix string) string {
	w.n++
	return fmt.Sprintf("%s%016d", prefix, w.n)
}

// user creates a user and returns it as a caller.
func (w *world) user(name string, tags ...store.Tag) service.Principal {
	w.t.Helper()
	u := store.User{Account: acct, ID: w.id("AIDA"), Name: name, Path: "/", Created: t0}
	w.do(func(tx store.Tx) error {
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(store.ResourceRef{Account: acct, Kind: store.KindUser, ID: u.ID}, tags)
		}
		return nil
	})
	return service.Principal{Type: service.User, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":user/" + name, UserID: u.ID, Name: name, AccessKeyID: "AKIAEXAMPLE"}
}

func (w *world) group(name string, members ...string) {
	w.t.Helper()
	w.do(func(tx store.Tx) error {
		if err := tx.CreateGroup(store.Group{Account: acct, ID: w.id("AGPA"), Name: name, Path: "/", Created: t0}); err != nil {
			return err
		}
		for _, m := range members {
			if err := tx.AddUserToGroup(acct, name, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func (w *world) inline(kind store.Kind, holder, name, doc string) {
	w.t.Helper()
	w.do(func(tx store.Tx) error {
		return tx.PutInlinePolicy(acct, store.Entity{Kind: kind, Name: holder}, store.InlinePolicy{Name: name, Document: doc})
	})
}

// managed creates a customer managed policy and returns its ARN.
func (w *world) managed(name, doc string) string {
	w.t.Helper()
	arn := "arn:aws:iam::" + acct + ":policy/" + name
	w.do(func(tx store.Tx) error {
		return tx.CreatePolicy(store.Policy{Account: acct, ID: w.id("ANPA"), Name: name, Path: "/", ARN: arn, Created: t0, Updated: t0, DefaultVersion: "v1"}, doc)
	})
	return arn
}

func (w *world) attach(kind store.Kind, holder, arn string) {
	w.t.Helper()
	name := arn[strings.LastIndexByte(arn, '/')+1:]
	w.do(func(tx store.Tx) error {
		return tx.AttachPolicy(acct, store.Entity{Kind: kind, Name: holder}, store.AttachedPolicy{ARN: arn, Name: name, Path: "/"})
	})
}

func allow(action, resource string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Grant","Effect":"Allow","Action":%q,"Resource":%q}]}`, action, resource)
}

func deny(action, resource string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Block","Effect":"Deny","Action":%q,"Resource":%q}]}`, action, resource)
}

// call builds an IAM call of the principal.
func call(p service.Principal, op string, in any) authz.Call {
	svc := "iam"
	if _, ok := stsapi.Operations[op]; ok {
		if _, isIAM := iamapi.Operations[op]; !isIAM {
			svc = "sts"
		}
	}
	return authz.Call{Service: svc, Operation: op, Input: in, Call: &service.Call{
		Action: op, AccountID: p.AccountID, Partition: "aws", Region: "us-east-1", Caller: p,
		Now: t0, SourceIP: "192.0.2.10", UserAgent: "aws-sdk-go-v2/1.0",
	}}
}

func decide(t *testing.T, a *authz.Authorizer, c authz.Call) *authz.Decision {
	t.Helper()
	d, err := a.AuthorizeCall(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func getUser(name string) *iamapi.GetUserRequest { return &iamapi.GetUserRequest{UserName: &name} }

func TestDecisions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	carol := w.user("carol")
	dave := w.user("dave")
	erin := w.user("erin")
	w.group("readers", "carol", "dave", "erin")
	w.inline(store.KindGroup, "readers", "read-users", allow("iam:GetUser", "*"))
	denyARN := w.managed("NoGetDave", deny("iam:GetUser", "arn:aws:iam::"+acct+":user/dave"))
	w.attach(store.KindUser, "carol", denyARN)
	w.inline(store.KindUser, "dave", "no-self", deny("iam:GetUser", "arn:aws:iam::"+acct+":user/dave"))
	boundary := w.managed("OnlyList", allow("iam:List*", "*"))
	w.do(func(tx store.Tx) error { return tx.SetUserPermissionsBoundary(acct, "erin", boundary) })
	root := service.Principal{Type: service.Root, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}

	a := authz.New(w.st, authz.Options{})
	for _, tc := range []struct {
		name    string
		caller  service.Principal
		op      string
		in      any
		effect  policy.Effect
		message string
		policy  string
	}{
		{"no policy denies", bob, "GetUser", getUser("bob"), policy.ImplicitDeny,
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:GetUser on resource: user bob because no identity-based policy allows the iam:GetUser action", ""},
		{"create names the new ARN", bob, "CreateUser", &iamapi.CreateUserRequest{UserName: "x"}, policy.ImplicitDeny,
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no identity-based policy allows the iam:CreateUser action", ""},
		{"group policy allows", carol, "GetUser", getUser("bob"), policy.Allow, "", "inline read-users of group/readers"},
		{"managed deny wins and is named", carol, "GetUser", getUser("dave"), policy.ExplicitDeny,
			"User: arn:aws:iam::123456789012:user/carol is not authorized to perform: iam:GetUser on resource: user dave with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/NoGetDave", "managed arn:aws:iam::123456789012:policy/NoGetDave of user/carol"},
		{"inline deny has no ARN", dave, "GetUser", getUser("dave"), policy.ExplicitDeny,
			"User: arn:aws:iam::123456789012:user/dave is not authorized to perform: iam:GetUser on resource: user dave with an explicit deny in an identity-based policy", "inline no-self of user/dave"},
		{"boundary limits", erin, "GetUser", getUser("bob"), policy.ImplicitDeny,
			"User: arn:aws:iam::123456789012:user/erin is not authorized to perform: iam:GetUser on resource: user bob because no permissions boundary allows the iam:GetUser action", ""},
		{"list prefix resource", bob, "ListUsers", &iamapi.ListUsersRequest{}, policy.ImplicitDeny,
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::123456789012:user/ because no identity-based policy allows the iam:ListUsers action", ""},
		{"root has full access", root, "DeleteUser", &iamapi.DeleteUserRequest{UserName: "bob"}, policy.Allow, "", ""},
		{"GetCallerIdentity is never denied", dave, "GetCallerIdentity", &stsapi.GetCallerIdentityRequest{}, policy.Allow, "", ""},
		{"GetAccessKeyInfo needs a grant", bob, "GetAccessKeyInfo", &stsapi.GetAccessKeyInfoRequest{AccessKeyId: "AKIAEXAMPLE"}, policy.ImplicitDeny,
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: sts:GetAccessKeyInfo because no identity-based policy allows the sts:GetAccessKeyInfo action", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(t, a, call(tc.caller, tc.op, tc.in))
			if d.Effect != tc.effect {
				t.Fatalf("effect %v, want %v (reasons %+v)", d.Effect, tc.effect, d.Reasons)
			}
			if tc.message != "" && d.Message() != tc.message {
				t.Fatalf("message\n got %s\nwant %s", d.Message(), tc.message)
			}
			if tc.policy != "" {
				found := false
				for _, r := range d.Reasons {
					found = found || r.Policy.String() == tc.policy
				}
				if !found {
					t.Fatalf("reasons %+v do not name %q", d.Reasons, tc.policy)
				}
			}
		})
	}
}

// TestChangesTakeEffect shows that decisions are cached until the
// account's generation moves, and that Changed makes the next request see
// the change.
func TestChangesTakeEffect(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	a := authz.New(w.st, authz.Options{})
	c := call(bob, "GetUser", getUser("bob"))
	if d := decide(t, a, c); d.Allowed() {
		t.Fatal("allowed before any policy")
	}
	w.inline(store.KindUser, "bob", "p", allow("iam:GetUser", "*"))
	if d := decide(t, a, c); d.Allowed() {
		t.Fatal("the cache was not used: a write without Changed took effect")
	}
	a.Changed(acct)
	if d := decide(t, a, c); !d.Allowed() {
		t.Fatalf("after Changed: %s", d.Message())
	}
	// A new default version.
	arn := w.managed("V", deny("iam:GetUser", "*"))
	w.attach(store.KindUser, "bob", arn)
	a.Changed(acct)
	if d := decide(t, a, c); d.Effect != policy.ExplicitDeny {
		t.Fatalf("deny v1 attached: %v", d.Effect)
	}
	w.do(func(tx store.Tx) error {
		_, err := tx.CreatePolicyVersion(acct, arn, allow("iam:ListUsers", "*"), t0, true)
		return err
	})
	a.Changed(acct)
	if d := decide(t, a, c); !d.Allowed() {
		t.Fatalf("after a harmless default version: %s", d.Message())
	}
	// Another account's change does not disturb this one's cache, and
	// ChangedAll reaches every account.
	w.do(func(tx store.Tx) error {
		return tx.DeleteInlinePolicy(acct, store.Entity{Kind: store.KindUser, Name: "bob"}, "p")
	})
	a.Changed("210987654321")
	if d := decide(t, a, c); !d.Allowed() {
		t.Fatal("another account's change invalidated this account")
	}
	a.ChangedAll()
	if d := decide(t, a, c); d.Allowed() {
		t.Fatal("ChangedAll did not invalidate")
	}
}

// TestUncachedGathering: with the gathering cache off, every request reads
// the store, so a write takes effect without Changed.
func TestUncachedGathering(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	a := authz.New(w.st, authz.Options{CacheEntries: -1})
	c := call(bob, "GetUser", getUser("bob"))
	if decide(t, a, c).Allowed() {
		t.Fatal("allowed before any policy")
	}
	w.inline(store.KindUser, "bob", "p", allow("iam:GetUser", "*"))
	if !decide(t, a, c).Allowed() {
		t.Fatal("uncached authorizer did not see the write")
	}
}

func TestContextConditions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob", store.Tag{Key: "team", Value: "blue"})
	w.user("target", store.Tag{Key: "Team", Value: "blue"})
	w.user("other", store.Tag{Key: "team", Value: "red"})
	w.inline(store.KindUser, "bob", "conditions", `{"Version":"2012-10-17","Statement":[
		{"Sid":"FromOffice","Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
		{"Sid":"FromElsewhere","Effect":"Allow","Action":"iam:ListGroups","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"198.51.100.0/24"}}},
		{"Sid":"SameTeam","Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}},
		{"Sid":"TaggedCreate","Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Sid":"Self","Effect":"Allow","Action":"iam:ListAccessKeys","Resource":"arn:aws:iam::*:user/${aws:username}"},
		{"Sid":"NeedsMFA","Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}},
		{"Sid":"DenyWithoutMFA","Effect":"Deny","Action":"iam:ListPolicies","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}},
		{"Sid":"Policies","Effect":"Allow","Action":"iam:ListPolicies","Resource":"*"},
		{"Sid":"AttachOnlyReadOnly","Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/ReadOnlyAccess"}}}
	]}`)
	a := authz.New(w.st, authz.Options{})
	blue := []iamapi.Tag{{Key: "team", Value: "blue"}}
	for _, tc := range []struct {
		name string
		op   string
		in   any
		want bool
	}{
		{"source ip inside", "ListUsers", &iamapi.ListUsersRequest{}, true},
		{"source ip outside", "ListGroups", &iamapi.ListGroupsRequest{}, false},
		{"resource tag matches principal tag (key case folded on users)", "GetUser", getUser("target"), true},
		{"resource tag differs", "GetUser", getUser("other"), false},
		{"request tag", "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: blue}, true},
		{"request tag wrong value", "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: []iamapi.Tag{{Key: "team", Value: "red"}}}, false},
		{"request without tags", "CreateUser", &iamapi.CreateUserRequest{UserName: "n"}, false},
		{"extra tag key", "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: append(blue, iamapi.Tag{Key: "x", Value: "y"})}, false},
		{"own user by variable", "ListAccessKeys", &iamapi.ListAccessKeysRequest{}, true},
		{"another user by variable", "ListAccessKeys", &iamapi.ListAccessKeysRequest{UserName: ptr("other")}, false},
		{"MFA required, long-term key", "ListRoles", &iamapi.ListRolesRequest{}, false},
		{"deny without MFA, long-term key", "ListPolicies", &iamapi.ListPoliciesRequest{}, false},
		{"policy ARN condition", "AttachUserPolicy", &iamapi.AttachUserPolicyRequest{UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}, true},
		{"policy ARN condition refuses another", "AttachUserPolicy", &iamapi.AttachUserPolicyRequest{UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(t, a, call(bob, tc.op, tc.in))
			if d.Allowed() != tc.want {
				t.Fatalf("allowed = %v, want %v: %s", d.Allowed(), tc.want, d.Message())
			}
		})
	}
	t.Run("the self message names user null<name>", func(t *testing.T) {
		other := w.user("nobody")
		d := decide(t, a, call(other, "ListAccessKeys", &iamapi.ListAccessKeysRequest{}))
		want := "User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: iam:ListAccessKeys on resource: user nullnobody because no identity-based policy allows the iam:ListAccessKeys action"
		if d.Message() != want {
			t.Fatalf("message\n got %s\nwant %s", d.Message(), want)
		}
	})
	t.Run("context", func(t *testing.T) {
		d := decide(t, a, call(bob, "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: blue}))
		for key, want := range map[string]string{
			"aws:username": "bob", "aws:userid": bob.UserID, "aws:PrincipalArn": bob.ARN, "aws:PrincipalAccount": acct,
			"aws:PrincipalType": "User", "aws:PrincipalTag/team": "blue", "aws:SourceIp": "192.0.2.10",
			"aws:UserAgent": "aws-sdk-go-v2/1.0", "aws:SecureTransport": "false", "aws:CurrentTime": "2026-03-01T12:00:00Z",
			"aws:EpochTime": fmt.Sprint(t0.Unix()), "aws:RequestedRegion": "us-east-1", "aws:RequestTag/team": "blue",
		} {
			v, ok := d.Context.Lookup(key)
			if !ok || v.Len() != 1 || v.At(0) != want {
				t.Errorf("%s = %v (present %v), want %q", key, v, ok, want)
			}
		}
		if v, ok := d.Context.Lookup("aws:TagKeys"); !ok || !v.Multi() || v.Len() != 1 {
			t.Errorf("aws:TagKeys = %v", v)
		}
		for _, absent := range []string{"aws:MultiFactorAuthPresent", "aws:MultiFactorAuthAge", "aws:TokenIssueTime"} {
			if _, ok := d.Context.Lookup(absent); ok {
				t.Errorf("%s present for a long-term key", absent)
			}
		}
	})
}

func TestPermissionsBoundaryKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	w.user("bounded")
	b := w.managed("B", allow("*", "*"))
	w.do(func(tx store.Tx) error { return tx.SetUserPermissionsBoundary(acct, "bounded", b) })
	w.inline(store.KindUser, "bob", "p", fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:CreateUser","iam:PutUserPolicy"],"Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":%q}}}]}`, b))
	a := authz.New(w.st, authz.Options{})
	for _, tc := range []struct {
		name string
		op   string
		in   any
		want bool
	}{
		{"create with the boundary", "CreateUser", &iamapi.CreateUserRequest{UserName: "n", PermissionsBoundary: &b}, true},
		{"create without", "CreateUser", &iamapi.CreateUserRequest{UserName: "n"}, false},
		{"put policy on a bounded user", "PutUserPolicy", &iamapi.PutUserPolicyRequest{UserName: "bounded", PolicyName: "x", PolicyDocument: "{}"}, true},
		{"put policy on an unbounded user", "PutUserPolicy", &iamapi.PutUserPolicyRequest{UserName: "bob", PolicyName: "x", PolicyDocument: "{}"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := decide(t, a, call(bob, tc.op, tc.in)); d.Allowed() != tc.want {
				t.Fatalf("allowed = %v, want %v: %s", d.Allowed(), tc.want, d.Message())
			}
		})
	}
}

func TestAccessKeyOwner(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	w.user("alice")
	w.do(func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: "AKIAALICEEXAMPLE0001", Account: acct, UserName: "alice", Secret: []byte("s"), Status: store.AccessKeyActive, Created: t0})
	})
	a := authz.New(w.st, authz.Options{})
	d := decide(t, a, call(bob, "GetAccessKeyLastUsed", &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: "AKIAALICEEXAMPLE0001"}))
	if d.Resource.ARN != "arn:aws:iam::123456789012:user/alice" {
		t.Fatalf("GetAccessKeyLastUsed resource = %q, want the key owner's ARN", d.Resource.ARN)
	}
}

func TestUserPathInResource(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob")
	w.do(func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acct, ID: "AIDAPATHED0000000001", Name: "deep", Path: "/a/b/", Created: t0})
	})
	w.inline(store.KindUser, "bob", "p", allow("iam:GetUser", "arn:aws:iam::123456789012:user/a/*"))
	a := authz.New(w.st, authz.Options{})
	d := decide(t, a, call(bob, "GetUser", getUser("DEEP")))
	if !d.Allowed() || d.Resource.ARN != "arn:aws:iam::123456789012:user/a/b/deep" {
		t.Fatalf("resource %q allowed %v", d.Resource.ARN, d.Allowed())
	}
	// A user that does not exist is authorized on the default path.
	d = decide(t, a, call(bob, "GetUser", getUser("ghost")))
	if d.Allowed() || d.Resource.ARN != "arn:aws:iam::123456789012:user/ghost" {
		t.Fatalf("ghost: resource %q allowed %v", d.Resource.ARN, d.Allowed())
	}
}

func TestMessageForms(t *testing.T) {
	t.Parallel()
	p := service.Principal{ARN: "arn:aws:iam::123456789012:user/bob"}
	res := authz.Resource{ARN: "arn:aws:iam::123456789012:policy/p", Display: "policy arn:aws:iam::123456789012:policy/p"}
	for _, tc := range []struct {
		name string
		d    authz.Decision
		want string
	}{
		{"boundary deny names the boundary", authz.Decision{Effect: policy.ExplicitDeny, Principal: p, Action: "iam:CreatePolicyVersion", Resource: res,
			Reasons: []authz.Reason{{Reason: policy.Reason{Kind: policy.Boundary, Statement: 0, Effect: policy.ExplicitDeny}, Policy: authz.PolicyRef{Type: "boundary", ARN: "arn:aws:iam::123456789012:policy/DeveloperBoundary"}}}},
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:CreatePolicyVersion on resource: policy arn:aws:iam::123456789012:policy/p with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/DeveloperBoundary"},
		{"session deny", authz.Decision{Effect: policy.ExplicitDeny, Principal: p, Action: "iam:GetUser", Resource: authz.Resource{ARN: "*"},
			Reasons: []authz.Reason{{Reason: policy.Reason{Kind: policy.Session, Statement: 1, Effect: policy.ExplicitDeny}, Policy: authz.PolicyRef{Type: "session"}}}},
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:GetUser on resource: * with an explicit deny in a session policy"},
		{"no session policy allows", authz.Decision{Effect: policy.ImplicitDeny, Principal: p, Action: "iam:GetUser", Resource: authz.Resource{ARN: "*"},
			Reasons: []authz.Reason{{Reason: policy.Reason{Kind: policy.Session, Policy: -1, Statement: -1}}}},
			"User: arn:aws:iam::123456789012:user/bob is not authorized to perform: iam:GetUser on resource: * because no session policy allows the iam:GetUser action"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.Message(); got != tc.want {
				t.Fatalf("\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"enforce", "report", "off"} {
		m, err := authz.ParseMode(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := authz.ParseMode("audit"); err == nil {
		t.Error("ParseMode accepted an unknown mode")
	}
}

func ptr(s string) *string { return &s }

func TestSessions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob", store.Tag{Key: "team", Value: "blue"})
	w.inline(store.KindUser, "bob", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers"],"Resource":"*"},
		{"Effect":"Allow","Action":"iam:ListRoles","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}`)
	roleID := "AROAEXAMPLEROLE00001"
	w.do(func(tx store.Tx) error {
		if err := tx.CreateRole(store.Role{Account: acct, ID: roleID, Name: "app", Path: "/svc/", Created: t0, AssumeRolePolicy: "{}", MaxSessionDuration: 3600}); err != nil {
			return err
		}
		return tx.TagResource(store.ResourceRef{Account: acct, Kind: store.KindRole, ID: roleID}, []store.Tag{{Key: "team", Value: "red"}, {Key: "tier", Value: "1"}})
	})
	w.inline(store.KindRole, "app", "rp", allow("iam:*", "*"))
	sessions := 0
	roleSession := func(sess service.Session) service.Principal {
		sessions++
		sess.RoleARN, sess.RoleID, sess.RoleName, sess.SessionName = "arn:aws:iam::"+acct+":role/svc/app", roleID, "app", "s1"
		sess.Issued = t0.Add(-time.Minute)
		return service.Principal{Type: service.AssumedRole, AccountID: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/s1",
			UserID: roleID + ":s1", Name: "app", AccessKeyID: fmt.Sprintf("ASIA%016d", sessions), Session: &sess}
	}
	fed := service.Principal{Type: service.FederatedUser, AccountID: acct, ARN: "arn:aws:sts::" + acct + ":federated-user/f", UserID: acct + ":f", Name: "f",
		AccessKeyID: "ASIAFEDERATED0000001", Session: &service.Session{ParentARN: bob.ARN, ParentUserID: bob.UserID, ParentName: "bob", Issued: t0}}
	mfaBob := bob
	mfaBob.AccessKeyID = "ASIAMFABOB0000000001"
	mfaBob.Session = &service.Session{ParentARN: bob.ARN, ParentUserID: bob.UserID, ParentName: "bob", Issued: t0, MFAAuthenticated: true, MFAAuthTime: t0.Add(-90 * time.Second)}
	a := authz.New(w.st, authz.Options{})
	for _, tc := range []struct {
		name   string
		caller service.Principal
		op     string
		in     any
		effect policy.Effect
		msg    string
	}{
		{"role session has the role's permissions", roleSession(service.Session{}), "DeleteUser", &iamapi.DeleteUserRequest{UserName: "bob"}, policy.Allow, ""},
		{"a session policy limits", roleSession(service.Session{Policy: allow("iam:Get*", "*")}), "DeleteUser", &iamapi.DeleteUserRequest{UserName: "bob"}, policy.ImplicitDeny,
			"User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:DeleteUser on resource: user bob because no session policy allows the iam:DeleteUser action"},
		{"within the session policy", roleSession(service.Session{Policy: allow("iam:Get*", "*")}), "GetUser", getUser("bob"), policy.Allow, ""},
		{"a session policy denies", roleSession(service.Session{Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:GetUser","Resource":"*"}]}`}), "GetUser", getUser("bob"), policy.ExplicitDeny,
			"User: arn:aws:sts::123456789012:assumed-role/app/s1 is not authorized to perform: iam:GetUser on resource: user bob with an explicit deny in a session policy"},
		{"federated user without session policy has nothing", fed, "GetUser", getUser("bob"), policy.ImplicitDeny, ""},
		{"user session with MFA", mfaBob, "ListRoles", &iamapi.ListRolesRequest{}, policy.Allow, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := decide(t, a, call(tc.caller, tc.op, tc.in))
			if d.Effect != tc.effect {
				t.Fatalf("effect %v, want %v: %s", d.Effect, tc.effect, d.Message())
			}
			if tc.msg != "" && d.Message() != tc.msg {
				t.Fatalf("message\n got %s\nwant %s", d.Message(), tc.msg)
			}
		})
	}
	t.Run("session context", func(t *testing.T) {
		d := decide(t, a, call(roleSession(service.Session{Tags: []service.Tag{{Key: "Team", Value: "green"}}, SourceIdentity: "alice"}), "GetUser", getUser("bob")))
		for key, want := range map[string]string{
			"aws:PrincipalArn": "arn:aws:iam::123456789012:role/svc/app", "aws:PrincipalType": "AssumedRole", "aws:userid": roleID + ":s1",
			"aws:PrincipalTag/team": "green", "aws:PrincipalTag/tier": "1", "aws:MultiFactorAuthPresent": "false",
			"aws:TokenIssueTime": "2026-03-01T11:59:00Z", "aws:SourceIdentity": "alice",
		} {
			if v, ok := d.Context.Lookup(key); !ok || v.At(0) != want {
				t.Errorf("%s = %v (present %v), want %q", key, v, ok, want)
			}
		}
		if _, ok := d.Context.Lookup("aws:username"); ok {
			t.Error("aws:username set for a role session")
		}
		d = decide(t, a, call(mfaBob, "GetUser", getUser("bob")))
		if v, ok := d.Context.Lookup("aws:MultiFactorAuthAge"); !ok || v.At(0) != "90" {
			t.Errorf("aws:MultiFactorAuthAge = %v", v)
		}
	})
}

// TestContextReuse checks that a released context reused by the next
// request holds that request's keys only.
func TestContextReuse(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob", store.Tag{Key: "team", Value: "blue"})
	carol := w.user("carol")
	a := authz.New(w.st, authz.Options{})
	for i := 0; i < 3; i++ {
		d := decide(t, a, call(bob, "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: []iamapi.Tag{{Key: "team", Value: "blue"}, {Key: "TEAM", Value: "red"}}}))
		if v, ok := d.Context.Lookup("aws:RequestTag/team"); !ok || v.At(0) != "red" {
			t.Fatalf("duplicate request tag keys: %v", v)
		}
		d.Release()
		if d.Context != nil {
			t.Fatal("Release left the context")
		}
		d = decide(t, a, call(carol, "GetUser", getUser("bob")))
		for _, stale := range []string{"aws:RequestTag/team", "aws:TagKeys", "aws:PrincipalTag/team"} {
			if _, ok := d.Context.Lookup(stale); ok {
				t.Fatalf("reused context kept %s", stale)
			}
		}
		if v, _ := d.Context.Lookup("aws:username"); v.At(0) != "carol" {
			t.Fatalf("aws:username = %v", v)
		}
		d.Release()
	}
}

// TestConcurrentDecisions decides requests of several shapes from many
// goroutines while the account keeps changing (run with -race): pooled
// contexts and cache entries must never leak between requests.
func TestConcurrentDecisions(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	bob := w.user("bob", store.Tag{Key: "team", Value: "blue"})
	carol := w.user("carol")
	w.inline(store.KindUser, "bob", "p", allow("iam:*", "*"))
	a := authz.New(w.st, authz.Options{})
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; i < 200; i++ {
				var err error
				switch (g + i) % 3 {
				case 0:
					d, e := a.AuthorizeCall(context.Background(), call(bob, "CreateUser", &iamapi.CreateUserRequest{UserName: "n", Tags: []iamapi.Tag{{Key: "k", Value: "v"}}}))
					if err = e; e == nil {
						if v, ok := d.Context.Lookup("aws:RequestTag/k"); !d.Allowed() || !ok || v.At(0) != "v" {
							err = fmt.Errorf("bob CreateUser: %v %v", d.Effect, v)
						}
						d.Release()
					}
				case 1:
					d, e := a.AuthorizeCall(context.Background(), call(carol, "GetUser", getUser("bob")))
					if err = e; e == nil {
						if _, ok := d.Context.Lookup("aws:RequestTag/k"); d.Allowed() || ok {
							err = fmt.Errorf("carol GetUser: %v, stale tag %v", d.Effect, ok)
						}
						d.Release()
					}
				default:
					a.Changed(acct)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func TestSuppliedKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		op         string
		supplied   []string
		unsupplied []string
	}{
		{"iam:CreateUser", []string{"aws:RequestTag/${TagKey}", "aws:TagKeys", "iam:PermissionsBoundary"}, nil},
		{"iam:AttachRolePolicy", []string{"iam:PermissionsBoundary", "iam:PolicyARN"}, []string{"iam:RoleTemplateARN"}},
		{"iam:EnableMFADevice", nil, []string{"iam:FIDO-certification", "iam:FIDO-FIPS-140-2-certification", "iam:FIDO-FIPS-140-3-certification", "iam:RegisterSecurityKey"}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			s, u := authz.SuppliedKeys(tc.op)
			if fmt.Sprint(s) != fmt.Sprint(tc.supplied) || fmt.Sprint(u) != fmt.Sprint(tc.unsupplied) {
				t.Fatalf("SuppliedKeys = %v / %v, want %v / %v", s, u, tc.supplied, tc.unsupplied)
			}
		})
	}
}
