package policy_test

import (
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
)

const (
	acct  = "111122223333"
	other = "444455556666"
)

var (
	alice    = policy.Principal{Type: policy.User, ARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct}
	bobOther = policy.Principal{Type: policy.User, ARN: "arn:aws:iam::" + other + ":user/Bob", Account: other}
	ann      = policy.Principal{Type: policy.User, ARN: "arn:aws:iam::" + other + ":user/Ann", Account: other}
	session  = policy.Principal{Type: policy.AssumedRole, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/s1",
		RoleARN: "arn:aws:iam::" + acct + ":role/app", Account: acct}
	otherSession = policy.Principal{Type: policy.AssumedRole, ARN: "arn:aws:sts::" + other + ":assumed-role/cross-account-read-only-role/cross-account-audit-app",
		RoleARN: "arn:aws:iam::" + other + ":role/cross-account-read-only-role", Account: other}
	fed = policy.Principal{Type: policy.FederatedUser, ARN: "arn:aws:sts::" + acct + ":federated-user/alice",
		ParentARN: "arn:aws:iam::" + acct + ":user/alice", Account: acct}
	root      = policy.Principal{Type: policy.Root, ARN: "arn:aws:iam::" + acct + ":root", Account: acct}
	otherRoot = policy.Principal{Type: policy.Root, ARN: "arn:aws:iam::" + other + ":root", Account: other}
	anon      = policy.Principal{Type: policy.Anonymous}
	ec2Svc    = policy.Principal{Type: policy.Service, Service: "ec2.amazonaws.com"}
	google    = policy.Principal{Type: policy.WebIdentity, Provider: "accounts.google.com"}
)

func mustParse(t testing.TB, kind policy.Kind, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v\n%s", kind, err, doc)
	}
	return p
}

// allowDoc is an identity-based policy allowing actions on resources.
func allowDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"` + resource + `"}}`
}

func denyDoc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"` + action + `","Resource":"` + resource + `"}}`
}

// grantDoc is a resource-based policy allowing principal (JSON) an action.
func grantDoc(principal, action, resource string) string {
	return `{"Version":"2012-10-17","Statement":{"Sid":"Grant","Effect":"Allow","Principal":` + principal + `,"Action":"` + action + `","Resource":"` + resource + `"}}`
}

// docs are the documents of one case by PolicySet slot.
type docs struct {
	identity []string
	resource string
	kind     policy.Kind // of resource; Resource if zero
	boundary string
	session  []string
	scp      [][]string
	rcp      [][]string
}

func (d docs) set(t testing.TB) policy.PolicySet {
	var s policy.PolicySet
	for _, x := range d.identity {
		s.Identity = append(s.Identity, mustParse(t, policy.Identity, x))
	}
	if d.resource != "" {
		k := d.kind
		if k == (policy.Kind{}) {
			k = policy.Resource
		}
		s.Resource = mustParse(t, k, d.resource)
	}
	if d.boundary != "" {
		s.Boundary = mustParse(t, policy.Boundary, d.boundary)
	}
	for _, x := range d.session {
		s.Session = append(s.Session, mustParse(t, policy.Session, x))
	}
	for _, lvl := range d.scp {
		var l []*policy.Policy
		for _, x := range lvl {
			l = append(l, mustParse(t, policy.SCP, x))
		}
		s.SCP = append(s.SCP, l)
	}
	for _, lvl := range d.rcp {
		var l []*policy.Policy
		for _, x := range lvl {
			l = append(l, mustParse(t, policy.RCP, x))
		}
		s.RCP = append(s.RCP, l)
	}
	return s
}

type evalCase struct {
	name     string
	page     string // the AWS documentation page the case comes from
	docs     docs
	req      policy.Request
	want     policy.Effect
	reason   policy.Kind // for implicit and explicit denies: the first reason's kind
	reasonSt int         // the first reason's statement index (-1: none allowed)
}

const (
	pageLogic    = "reference_policies_evaluation-logic (Policy evaluation logic)"
	pageCross    = "reference_policies_evaluation-logic-cross-account (Cross-account policy evaluation logic)"
	pageBoundary = "access_policies_boundaries (Permissions boundaries for IAM entities)"
	pageSession  = "access_policies (Session policies)"
	pageSCP      = "orgs_manage_policies_scps_evaluation (SCP evaluation)"
	pageRCP      = "orgs_manage_policies_rcps_evaluation (RCP evaluation)"
	pageNotPr    = "reference_policies_elements_notprincipal"
	pagePrinc    = "reference_policies_elements_principal"
	pageNotAct   = "reference_policies_elements_notaction"
	pageNotRes   = "reference_policies_elements_notresource"
	pageTrust    = "id_roles_compare-resource-policies (role trust policies)"
	pageKMS      = "kms key-policies (Key policies in AWS KMS)"
	pageAction   = "reference_policies_elements_action"
	pageVars     = "reference_policies_variables"
)

// Carlos's policies from "Example identity-based and resource-based policy
// evaluation".
const carlosIdentity = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowS3ListRead","Effect":"Allow","Action":["s3:GetBucketLocation","s3:GetAccountPublicAccessBlock","s3:ListAccessPoints","s3:ListAllMyBuckets"],"Resource":"arn:aws:s3:::*"},
 {"Sid":"AllowS3Self","Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::carlossalazar/*","arn:aws:s3:::carlossalazar"]},
 {"Sid":"DenyS3Logs","Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::*log*"}]}`

const carlosBucket = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/carlossalazar"},"Action":"s3:*","Resource":["arn:aws:s3:::carlossalazar/*","arn:aws:s3:::carlossalazar"]}]}`

// The AllowGetList / DenyReports policy of "The difference between explicit
// and implicit denies".
const getListDenyReports = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowGetList","Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"*"},
 {"Sid":"DenyReports","Effect":"Deny","Action":"iam:*Report","Resource":"*"}]}`

const notPrincipalBob = `{"Version":"2012-10-17","Statement":[
 {"Sid":"AllowBob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/Bob"},"Action":"s3:*","Resource":["arn:aws:s3:::BUCKETNAME","arn:aws:s3:::BUCKETNAME/*"]},
 {"Sid":"DenyAllButBob","Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:iam::444455556666:user/Bob","arn:aws:iam::444455556666:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::BUCKETNAME","arn:aws:s3:::BUCKETNAME/*"]}]}`

const notPrincipalSession = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"s3:*","Resource":["arn:aws:s3:::Bucket_AccountAudit","arn:aws:s3:::Bucket_AccountAudit/*"]},
 {"Effect":"Deny","NotPrincipal":{"AWS":["arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app","arn:aws:iam::444455556666:role/cross-account-read-only-role","arn:aws:iam::444455556666:root"]},"Action":"s3:*","Resource":["arn:aws:s3:::Bucket_AccountAudit","arn:aws:s3:::Bucket_AccountAudit/*"]}]}`

func req(p policy.Principal, action, resource string) policy.Request {
	return policy.Request{Principal: p, Action: action, Resource: resource}
}

func reqIn(p policy.Principal, action, resource, resourceAccount string) policy.Request {
	r := req(p, action, resource)
	r.ResourceAccount = resourceAcct(resourceAccount)
	return r
}

func resourceAcct(s string) string { return s }

func withKind(r policy.Request, k policy.ResourceKind) policy.Request {
	r.ResourceKind = k
	return r
}

var evalCases = []evalCase{
	// Policy evaluation logic: defaults, explicit and implicit denies.
	{name: "no policies deny by default", page: pageLogic, req: req(alice, "s3:GetObject", "arn:aws:s3:::b/k"),
		want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "identity allow", page: pageLogic, docs: docs{identity: []string{allowDoc("s3:GetObject", "arn:aws:s3:::b/*")}},
		req: req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "identity policies are ORed", page: pageLogic,
		docs: docs{identity: []string{allowDoc("s3:PutObject", "*"), allowDoc("s3:GetObject", "*")}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "explicit deny wins over allow", page: pageLogic,
		docs: docs{identity: []string{allowDoc("s3:*", "*"), denyDoc("s3:DeleteObject", "*")}},
		req:  req(alice, "s3:DeleteObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Identity, reasonSt: 0},
	{name: "carlos writes to logs bucket", page: pageLogic, docs: docs{identity: []string{carlosIdentity}, resource: carlosBucket},
		req:  req(policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/carlossalazar", Account: acct}, "s3:PutObject", "arn:aws:s3:::carlossalazar-logs/f"),
		want: policy.ExplicitDeny, reason: policy.Identity, reasonSt: 2},
	{name: "carlos writes to own bucket", page: pageLogic, docs: docs{identity: []string{carlosIdentity}, resource: carlosBucket},
		req:  req(policy.Principal{Type: policy.User, ARN: "arn:aws:iam::111122223333:user/carlossalazar", Account: acct}, "s3:PutObject", "arn:aws:s3:::carlossalazar/f"),
		want: policy.Allow, reason: policy.Identity, reasonSt: 1},
	{name: "get/list allowed", page: pageLogic, docs: docs{identity: []string{getListDenyReports}},
		req: req(alice, "iam:GetUser", "*"), want: policy.Allow, reason: policy.Identity},
	{name: "create policy implicitly denied", page: pageLogic, docs: docs{identity: []string{getListDenyReports}},
		req: req(alice, "iam:CreatePolicy", "*"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "report explicitly denied", page: pageLogic, docs: docs{identity: []string{getListDenyReports}},
		req: req(alice, "iam:GetOrganizationsAccessReport", "*"), want: policy.ExplicitDeny, reason: policy.Identity, reasonSt: 1},

	// Same account: resource-based policies by principal type.
	{name: "resource policy alone grants user", page: pageLogic,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "arn:aws:s3:::b/*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "resource deny for user", page: pageLogic,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"}}`},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 0},
	{name: "resource deny to account denies its users", page: pagePrinc,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}}`},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 0},
	{name: "account principal only delegates", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, "s3:GetObject", "arn:aws:s3:::b/*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "account principal with identity allow", page: pagePrinc,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}, resource: grantDoc(`{"AWS":"111122223333"}`, "s3:GetObject", "arn:aws:s3:::b/*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "user grant not limited by boundary", page: pageBoundary,
		docs: docs{boundary: allowDoc("ec2:*", "*"), resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "identity allow limited by boundary", page: pageBoundary,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, boundary: allowDoc("ec2:*", "*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Boundary, reasonSt: -1},
	{name: "identity and boundary allow", page: pageBoundary,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, boundary: allowDoc("s3:Get*", "*")},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "boundary explicit deny", page: pageBoundary,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, boundary: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Boundary, reasonSt: 1},
	{name: "role grant limited by boundary", page: pageLogic,
		docs: docs{boundary: allowDoc("ec2:*", "*"), resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:role/app"}`, "s3:GetObject", "*")},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Boundary, reasonSt: -1},
	{name: "role grant without identity policy", page: pageLogic,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:role/app"}`, "s3:GetObject", "*")},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "session grant not limited by boundary", page: pageLogic,
		docs: docs{boundary: allowDoc("ec2:*", "*"), resource: grantDoc(`{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"}`, "s3:GetObject", "*")},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "session policy limits identity", page: pageSession,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, session: []string{allowDoc("s3:ListBucket", "*")}},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Session, reasonSt: -1},
	{name: "session policies are ORed", page: pageSession,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, session: []string{allowDoc("s3:ListBucket", "*"), allowDoc("s3:GetObject", "*")}},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "session policy explicit deny", page: pageSession,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, session: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"}]}`}},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Session, reasonSt: 1},
	{name: "session policy alone grants nothing", page: pageSession,
		docs: docs{session: []string{allowDoc("s3:*", "*")}},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "role ARN grant limited by session policy", page: pageSession,
		docs: docs{session: []string{allowDoc("s3:ListBucket", "*")}, resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:role/app"}`, "s3:GetObject", "*")},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Session, reasonSt: -1},
	{name: "session ARN grant not limited by session policy", page: pageSession,
		docs: docs{session: []string{allowDoc("s3:ListBucket", "*")}, resource: grantDoc(`{"AWS":"arn:aws:sts::111122223333:assumed-role/app/s1"}`, "s3:GetObject", "*")},
		req:  req(session, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "federated user without session policy", page: pageLogic,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Session, reasonSt: -1},
	{name: "federated user with session policy", page: pageSession,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, session: []string{allowDoc("s3:GetObject", "*")}},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "federated user ARN grant", page: pageLogic,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:sts::111122223333:federated-user/alice"}`, "s3:GetObject", "*")},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "parent user grant needs session policy", page: pageLogic,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Session, reasonSt: -1},
	{name: "parent user grant with session policy", page: pageLogic,
		docs: docs{session: []string{allowDoc("s3:*", "*")}, resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "parent user grant limited by boundary", page: pageLogic,
		docs: docs{session: []string{allowDoc("s3:*", "*")}, boundary: allowDoc("ec2:*", "*"), resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  req(fed, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Boundary, reasonSt: -1},

	// Cross-account.
	{name: "cross-account identity only", page: pageCross,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "cross-account resource only", page: pageCross,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "cross-account both", page: pageCross,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}, resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.Allow, reason: policy.Resource},
	{name: "cross-account account grant", page: pageCross,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}, resource: grantDoc(`{"AWS":"111122223333"}`, "s3:GetObject", "*")},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.Allow, reason: policy.Resource},
	{name: "cross-account boundary applies", page: pageCross,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}, boundary: allowDoc("ec2:*", "*"), resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*")},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.ImplicitDeny, reason: policy.Boundary, reasonSt: -1},
	{name: "cross-account other account's grant", page: pageCross,
		docs: docs{identity: []string{allowDoc("s3:GetObject", "*")}, resource: grantDoc(`{"AWS":"999988887777"}`, "s3:GetObject", "*")},
		req:  reqIn(alice, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},

	// SCPs and RCPs.
	{name: "scp allows", page: pageSCP,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, scp: [][]string{{allowDoc("*", "*")}, {allowDoc("s3:*", "*")}}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "scp level without allow", page: pageSCP,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, scp: [][]string{{allowDoc("*", "*")}, {allowDoc("ec2:*", "*")}}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.SCP, reasonSt: -1},
	{name: "scp explicit deny", page: pageSCP,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, scp: [][]string{{allowDoc("*", "*"), denyDoc("s3:DeleteObject", "*")}}},
		req:  req(alice, "s3:DeleteObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.SCP, reasonSt: 0},
	{name: "scp limits resource-based grants", page: pageLogic,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "s3:GetObject", "*"), scp: [][]string{{allowDoc("ec2:*", "*")}}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.SCP, reasonSt: -1},
	{name: "scp limits root", page: pageSCP,
		docs: docs{scp: [][]string{{allowDoc("ec2:*", "*")}}},
		req:  req(root, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.SCP, reasonSt: -1},
	{name: "scp does not apply to service principals", page: pageSCP,
		docs: docs{resource: grantDoc(`{"Service":"ec2.amazonaws.com"}`, "s3:GetObject", "*"), scp: [][]string{{denyDoc("*", "*")}}},
		req:  req(ec2Svc, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "rcp denies anonymous", page: pageRCP,
		docs: docs{resource: grantDoc(`"*"`, "s3:GetObject", "*"), rcp: [][]string{{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`}}},
		req:  req(anon, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.RCP, reasonSt: 1},
	{name: "rcp level without allow", page: pageRCP,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, rcp: [][]string{{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`}, {`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}}`}}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.RCP, reasonSt: -1},

	// Root, anonymous and service principals.
	{name: "root has full access", page: pageLogic, req: req(root, "iam:CreateUser", "arn:aws:iam::111122223333:user/x"), want: policy.Allow},
	{name: "root denied by bucket policy", page: pageLogic,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:DeleteBucket","Resource":"*"}}`},
		req:  req(root, "s3:DeleteBucket", "arn:aws:s3:::b"), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 0},
	{name: "root cross-account needs resource policy", page: pageCross,
		req: reqIn(root, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "root cross-account with account grant", page: pageCross,
		docs: docs{resource: grantDoc(`{"AWS":"111122223333"}`, "s3:GetObject", "*")},
		req:  reqIn(root, "s3:GetObject", "arn:aws:s3:::b/k", other), want: policy.Allow, reason: policy.Resource},
	{name: "anonymous with public grant", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"AWS":"*"}`, "s3:GetObject", "arn:aws:s3:::b/*")},
		req:  req(anon, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "anonymous not matched by account", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"AWS":"111122223333"}`, "s3:GetObject", "*")},
		req:  req(anon, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "anonymous ignores identity policies", page: pageLogic,
		docs: docs{identity: []string{allowDoc("*", "*")}},
		req:  req(anon, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "service principal", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"Service":["cloudtrail.amazonaws.com","EC2.amazonaws.com"]}`, "s3:PutObject", "*")},
		req:  req(ec2Svc, "s3:PutObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Resource},
	{name: "other service principal", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"Service":"cloudtrail.amazonaws.com"}`, "s3:PutObject", "*")},
		req:  req(ec2Svc, "s3:PutObject", "arn:aws:s3:::b/k"), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "canonical user", page: pagePrinc,
		docs: docs{resource: grantDoc(`{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`, "s3:GetObject", "*")},
		req: req(policy.Principal{Type: policy.User, ARN: "arn:aws:iam::444455556666:user/c", Account: other,
			CanonicalUser: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "s3:GetObject", "arn:aws:s3:::b/k"),
		want: policy.Allow, reason: policy.Resource},

	// NotPrincipal.
	{name: "notprincipal exempts Bob", page: pageNotPr, docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: notPrincipalBob},
		req: reqIn(bobOther, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/k", acct), want: policy.Allow, reason: policy.Resource},
	{name: "notprincipal denies others of the account", page: pageNotPr, docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: notPrincipalBob},
		req: reqIn(ann, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/k", acct), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 1},
	{name: "notprincipal without the account denies Bob", page: pageNotPr,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::444455556666:user/Bob"},"Action":"s3:*","Resource":"*"}}`},
		req:  reqIn(bobOther, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/k", acct), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 0},
	{name: "notprincipal exempts a named session", page: pageNotPr, docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: notPrincipalSession},
		req: reqIn(otherSession, "s3:GetObject", "arn:aws:s3:::Bucket_AccountAudit/k", acct), want: policy.Allow, reason: policy.Resource},
	{name: "notprincipal denies another session of the role", page: pageNotPr, docs: docs{identity: []string{allowDoc("s3:*", "*")}, resource: notPrincipalSession},
		req: reqIn(policy.Principal{Type: policy.AssumedRole, ARN: "arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/other",
			RoleARN: "arn:aws:iam::444455556666:role/cross-account-read-only-role", Account: other}, "s3:GetObject", "arn:aws:s3:::Bucket_AccountAudit/k", acct),
		want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 1},
	{name: "notprincipal deny hits principals with a boundary", page: pageNotPr,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}, boundary: allowDoc("*", "*"), resource: notPrincipalBob},
		req:  reqIn(bobOther, "s3:GetObject", "arn:aws:s3:::BUCKETNAME/k", acct), want: policy.ExplicitDeny, reason: policy.Resource, reasonSt: 1},

	// NotAction and NotResource.
	{name: "notaction allow", page: pageNotAct,
		docs: docs{identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "notaction excludes", page: pageNotAct,
		docs: docs{identity: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}`}},
		req:  req(alice, "iam:CreateUser", "*"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "notaction deny without MFA", page: pageNotAct,
		docs: docs{identity: []string{allowDoc("*", "*"), `{"Version":"2012-10-17","Statement":{"Sid":"DenyAllUsersNotUsingMFA","Effect":"Deny","NotAction":"iam:*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}`}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.ExplicitDeny, reason: policy.Identity, reasonSt: 0},
	{name: "notresource deny", page: pageNotRes,
		docs: docs{identity: []string{allowDoc("s3:*", "*"), `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::HRBucket/Other"), want: policy.ExplicitDeny, reason: policy.Identity, reasonSt: 0},
	{name: "notresource exempts", page: pageNotRes,
		docs: docs{identity: []string{allowDoc("s3:*", "*"), `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::HRBucket/Payroll","arn:aws:s3:::HRBucket/Payroll/*"]}}`}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::HRBucket/Payroll/x"), want: policy.Allow, reason: policy.Identity},

	// Role trust policies.
	{name: "trust names user in same account", page: pageTrust,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.Allow, reason: policy.Resource},
	{name: "trust names account: identity must allow", page: pageTrust,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "trust names account with identity allow", page: pageTrust,
		docs: docs{identity: []string{allowDoc("sts:AssumeRole", "arn:aws:iam::111122223333:role/app")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.Allow, reason: policy.Resource},
	{name: "identity allow without trust", page: pageTrust,
		docs: docs{identity: []string{allowDoc("sts:AssumeRole", "*")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(alice, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "trust cross-account", page: pageTrust,
		docs: docs{identity: []string{allowDoc("sts:AssumeRole", "*")}, resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(reqIn(bobOther, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app", acct), policy.RoleTrustPolicy), want: policy.Allow, reason: policy.Resource},
	{name: "trust service", page: pageTrust,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(ec2Svc, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.Allow, reason: policy.Resource},
	{name: "trust web identity", page: pageTrust,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"accounts.google.com:aud":"app"}}}}`, kind: policy.Trust},
		req: func() policy.Request {
			r := withKind(req(google, "sts:AssumeRoleWithWebIdentity", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy)
			r.Context.Set("accounts.google.com:aud", "app")
			return r
		}(), want: policy.Allow, reason: policy.Resource},
	{name: "root cannot assume a role", page: pageTrust,
		docs: docs{resource: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}}`, kind: policy.Trust},
		req:  withKind(req(root, "sts:AssumeRole", "arn:aws:iam::111122223333:role/app"), policy.RoleTrustPolicy), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},

	// KMS key policies.
	{name: "key policy enables IAM policies", page: pageKMS,
		docs: docs{identity: []string{allowDoc("kms:Decrypt", "*")}, resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, "kms:*", "*")},
		req:  withKind(req(alice, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.Allow, reason: policy.Identity},
	{name: "key policy naming account without IAM allow", page: pageKMS,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, "kms:*", "*")},
		req:  withKind(req(alice, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "IAM allow without key policy grant", page: pageKMS,
		docs: docs{identity: []string{allowDoc("kms:*", "*")}, resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/bob"}`, "kms:*", "*")},
		req:  withKind(req(alice, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "key policy grants user directly", page: pageKMS,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "kms:Decrypt", "*")},
		req:  withKind(req(alice, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.Allow, reason: policy.Resource},
	{name: "root needs key policy", page: pageKMS,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:user/alice"}`, "kms:Decrypt", "*")},
		req:  withKind(req(root, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.ImplicitDeny, reason: policy.Resource, reasonSt: -1},
	{name: "root with account key policy", page: pageKMS,
		docs: docs{resource: grantDoc(`{"AWS":"arn:aws:iam::111122223333:root"}`, "kms:*", "*")},
		req:  withKind(req(root, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/k"), policy.KMSKeyPolicy), want: policy.Allow, reason: policy.Resource},

	// Action matching.
	{name: "actions ignore case", page: pageAction,
		docs: docs{identity: []string{allowDoc("S3:getobject", "*")}},
		req:  req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), want: policy.Allow, reason: policy.Identity},
	{name: "action wildcard in the middle", page: pageAction,
		docs: docs{identity: []string{allowDoc("iam:*AccessKey*", "*")}},
		req:  req(alice, "iam:UpdateAccessKey", "*"), want: policy.Allow, reason: policy.Identity},
	{name: "action question mark", page: pageAction,
		docs: docs{identity: []string{allowDoc("s3:?etObject", "*")}},
		req:  req(alice, "s3:GetObject", "*"), want: policy.Allow, reason: policy.Identity},
	{name: "action other service", page: pageAction,
		docs: docs{identity: []string{allowDoc("s3:*", "*")}},
		req:  req(alice, "s3express:CreateSession", "*"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
	{name: "resource star does not match an ARN pattern", page: pageAction,
		docs: docs{identity: []string{allowDoc("iam:ListUsers", "arn:aws:iam::111122223333:user/*")}},
		req:  req(alice, "iam:ListUsers", "*"), want: policy.ImplicitDeny, reason: policy.Identity, reasonSt: -1},
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	for _, c := range evalCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := policy.Evaluate(c.req, c.docs.set(t))
			if d.Effect != c.want {
				t.Fatalf("[%s] effect %v (reasons %+v), want %v", c.page, d.Effect, d.Reasons, c.want)
			}
			if c.reason == (policy.Kind{}) {
				return
			}
			if len(d.Reasons) == 0 {
				t.Fatalf("[%s] no reasons", c.page)
			}
			r := d.Reasons[0]
			if c.want == policy.Allow {
				for _, x := range d.Reasons {
					if x.Kind == c.reason && x.Effect == policy.Allow && x.Statement >= 0 {
						return
					}
				}
				t.Fatalf("[%s] reasons %+v lack an allowing %v statement", c.page, d.Reasons, c.reason)
			}
			if r.Kind != c.reason {
				t.Fatalf("[%s] reason %+v (%s), want kind %v", c.page, r, r, c.reason)
			}
			if c.want != policy.Allow && r.Statement != c.reasonSt {
				t.Fatalf("[%s] reason statement %d, want %d", c.page, r.Statement, c.reasonSt)
			}
		})
	}
}

// TestReasons checks what a Decision explains: Sids, policy indexes, SCP
// levels and the wording the server uses.
func TestReasons(t *testing.T) {
	t.Parallel()
	set := docs{
		identity: []string{allowDoc("ec2:*", "*"), `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"D","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}`},
		scp:      [][]string{{allowDoc("*", "*")}, {allowDoc("*", "*")}, {allowDoc("ec2:*", "*"), allowDoc("s3:Get*", "*")}},
	}.set(t)
	d := policy.Evaluate(req(alice, "s3:GetObject", "arn:aws:s3:::b/k"), set)
	if d.Effect != policy.Allow || len(d.Reasons) != 1 || d.Reasons[0] != (policy.Reason{Kind: policy.Identity, Policy: 1, Statement: 0, Sid: "A", Effect: policy.Allow}) {
		t.Fatalf("allow reasons %+v", d)
	}
	d = policy.Evaluate(req(alice, "s3:DeleteObject", "arn:aws:s3:::b/k"), set)
	if d.Effect != policy.ExplicitDeny || d.Reasons[0] != (policy.Reason{Kind: policy.Identity, Policy: 1, Statement: 1, Sid: "D", Effect: policy.ExplicitDeny}) {
		t.Fatalf("deny reasons %+v", d)
	}
	if got := d.Reasons[0].String(); got != "explicit deny in an identity-based policy" {
		t.Fatalf("deny wording %q", got)
	}
	d = policy.Evaluate(req(alice, "s3:PutObject", "arn:aws:s3:::b/k"), set)
	want := policy.Reason{Kind: policy.SCP, Level: 2, Policy: -1, Statement: -1}
	if d.Effect != policy.ImplicitDeny || d.Reasons[0] != want {
		t.Fatalf("scp reasons %+v", d)
	}
	if got := d.Reasons[0].String(); got != "no service control policy allows" {
		t.Fatalf("implicit wording %q", got)
	}
	if policy.ImplicitDeny.String() != "implicit_deny" || policy.Allow.String() != "allow" || policy.ExplicitDeny.String() != "explicit_deny" {
		t.Fatal("effect names")
	}
	if !(policy.Decision{Effect: policy.Allow}).Allowed() || (policy.Decision{}).Allowed() {
		t.Fatal("Allowed")
	}
}

// TestActionMatchingIsLinear is issue 3's regression test: a backtracking
// wildcard matcher needs 2^n steps for this pattern; the test would time
// out with one.
func TestActionMatchingIsLinear(t *testing.T) {
	t.Parallel()
	p := mustParse(t, policy.Identity, allowDoc("s3:*a*a*a*a*a*a*a*b", "*"))
	aaa := strings.Repeat("a", 60)
	set := policy.PolicySet{Identity: []*policy.Policy{p}}
	if d := policy.Evaluate(req(alice, "s3:"+aaa, "*"), set); d.Effect != policy.ImplicitDeny {
		t.Fatalf("matched: %v", d)
	}
	if d := policy.Evaluate(req(alice, "s3:"+aaa+"b", "*"), set); d.Effect != policy.Allow {
		t.Fatalf("did not match: %v", d)
	}
	star := mustParse(t, policy.Identity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*a*a*a*a*a*a*a*b"}}`)
	if d := policy.Evaluate(req(alice, "s3:GetObject", "arn:aws:s3:::"+aaa), policy.PolicySet{Identity: []*policy.Policy{star}}); d.Effect != policy.ImplicitDeny {
		t.Fatalf("resource matched: %v", d)
	}
}

// TestResourceMatching covers the Resource element's matching ("IAM JSON
// policy elements: Resource": wildcards in each ARN part, "*" in the
// resource part crossing "/" and ":").
func TestResourceMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, value string
		want           bool
	}{
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket2/a", false},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket2/a", true},
		{"arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x", true},
		{"arn:aws:logs:us-east-1:111122223333:log-group:app:*", "arn:aws:logs:us-east-1:111122223333:log-group:app2:log-stream:x", false},
		{"arn:aws:logs:*:111122223333:log-group:*", "arn:aws:logs:eu-west-1:111122223333:log-group:x", true},
		{"arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/path/bob", true},
		{"arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:role/bob", false},
		{"arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::111122223333:user/alice", true},
		{"arn:aws:iam::*:user/${aws:username}", "arn:aws:iam::111122223333:user/alicex", false},
		{"arn:aws:dynamodb:*:*:table/MyTable", "arn:aws:dynamodb:us-east-2:111122223333:table/MyTable", true},
		{"arn:aws:dynamodb:*:*:table/MyTable", "arn:aws:dynamodb:us-east-2:111122223333:table/MyTable/index/x", false},
		{"arn:aws:s3:::b", "*", false},
		{"*", "*", true},
		{"arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true},
		{"arn:aws:ec2:us-east-?:*:instance/*", "arn:aws:ec2:us-east-10:111122223333:instance/i-1", false},
	}
	for _, c := range cases {
		p := mustParse(t, policy.Identity, allowDoc("s3:*", c.pattern))
		r := req(alice, "s3:GetObject", c.value)
		r.Context.Set("aws:username", "alice")
		got := policy.Evaluate(r, policy.PolicySet{Identity: []*policy.Policy{p}}).Effect == policy.Allow
		if got != c.want {
			t.Errorf("[%s] %s vs %s = %v, want %v", "reference_policies_elements_resource", c.pattern, c.value, got, c.want)
		}
	}
}

// TestConcurrentUse: compiled policies are shared by concurrent
// evaluations and parses (run with -race).
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	r, set := benchSet(t)
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				if policy.Evaluate(r, set).Effect != policy.Allow {
					done <- false
					return
				}
				if _, err := policy.Parse([]byte(carlosIdentity), policy.Identity); err != nil {
					done <- false
					return
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("concurrent evaluation or parse failed")
		}
	}
}
