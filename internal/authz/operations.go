package authz

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/iamd/iamd/internal/actions"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/stsapi"
	"github.com/iamd/iamd/policy"
)

// Call is one IAM or STS request as the server decoded it.
type Call struct {
	Service   string // "iam" or "sts"
	Operation string // "CreateUser"
	// Input is the decoded, validated input (*iamapi.CreateUserRequest);
	// nil for an operation without one.
	Input any
	// Call is what the server knows of the request: caller, account,
	// partition, time, source address, user agent, region.
	Call *service.Call
	// SecureTransport reports whether the request arrived over TLS
	// (aws:SecureTransport).
	SecureTransport bool
}

// rule says how an operation is authorized.
type rule int

const (
	// ruleEntity: on the resource the input names, of a resource type
	// the Service Authorization Reference gives the action.
	ruleEntity rule = iota
	// ruleAccount: an action without resource types, authorized on "*"
	// or on the path-prefix form AWS's messages show for list actions.
	ruleAccount
	// ruleNever: never denied (GetCallerIdentity, GetSessionToken).
	ruleNever
	// ruleDeferred: authorized by the operation itself against the
	// role's trust policy (the AssumeRole operations).
	ruleDeferred
)

// plan is how one operation is authorized, worked out once from the
// reference and the operation's input type.
type plan struct {
	service, op string
	action      string // "iam:CreateUser"
	ref         actions.Action
	rule        rule
	// typ is the resource type for ruleEntity; account describes the
	// resource of a ruleAccount action.
	typ     string
	account accountResource
	// create marks an operation that creates its resource, whose ARN
	// comes from the input (name and path) rather than the store.
	create bool
	// fields are the input struct's top-level fields by name.
	fields map[string]int
	// keys compute the action's request-specific condition keys.
	keys []keyFunc
	// selfNull reproduces AWS's "user null<name>" resource in messages
	// when the user is the caller, implied by an omitted UserName.
	selfNull bool
	// credential: a condition key needs the service of the
	// service-specific credential the input names.
	credential bool
}

// accountResource is the resource of an action without resource types.
type accountResource struct {
	// kind is the resource type whose path-prefix ARN AWS reports (and
	// authorizes) the action on, "" for "*".
	kind string
	// prefix: the input's PathPrefix (default "/") follows the kind;
	// otherwise "/" does, or "/*" when star is set.
	prefix bool
	star   bool
	// display formats the message's resource from the prefix instead of
	// the ARN ("policy path %s").
	display string
}

// accountLevel lists every IAM and STS operation whose action has no
// resource type in the reference, with the resource AWS authorizes it on.
// The list actions' forms are those of AWS's AccessDenied messages people
// have pasted: "iam:ListUsers on resource: arn:aws:iam::ACCT:user/",
// "iam:ListRoles ... role/", "iam:ListGroups ... group/",
// "iam:ListInstanceProfiles ... instance-profile/", "iam:ListPolicies on
// resource: policy path /", "iam:ListVirtualMFADevices ... mfa/",
// "iam:ListOpenIDConnectProviders ... oidc-provider/*",
// "iam:ListAccountAliases on resource: *", "iam:GetAccountSummary on
// resource: *", "iam:GetAccountAuthorizationDetails on resource: *".
// ListServerCertificates follows the other path lists and
// ListSAMLProviders the OIDC list, by analogy (no message on record).
// A test checks that every operation is either here or has resource types.
var accountLevel = map[string]accountResource{
	"iam:ListUsers":                  {kind: "user", prefix: true},
	"iam:ListGroups":                 {kind: "group", prefix: true},
	"iam:ListRoles":                  {kind: "role", prefix: true},
	"iam:ListInstanceProfiles":       {kind: "instance-profile", prefix: true},
	"iam:ListServerCertificates":     {kind: "server-certificate", prefix: true},
	"iam:ListPolicies":               {kind: "policy", prefix: true, display: "policy path %s"},
	"iam:ListVirtualMFADevices":      {kind: "mfa"},
	"iam:ListOpenIDConnectProviders": {kind: "oidc-provider", star: true},
	"iam:ListSAMLProviders":          {kind: "saml-provider", star: true},

	"iam:CreateAccountAlias":                            {},
	"iam:DeleteAccountAlias":                            {},
	"iam:ListAccountAliases":                            {},
	"iam:GetAccountSummary":                             {},
	"iam:GetAccountAuthorizationDetails":                {},
	"iam:GetAccountPasswordPolicy":                      {},
	"iam:UpdateAccountPasswordPolicy":                   {},
	"iam:DeleteAccountPasswordPolicy":                   {},
	"iam:GenerateCredentialReport":                      {},
	"iam:GetCredentialReport":                           {},
	"iam:GetContextKeysForCustomPolicy":                 {},
	"iam:SimulateCustomPolicy":                          {},
	"iam:GetServiceLastAccessedDetails":                 {},
	"iam:GetServiceLastAccessedDetailsWithEntities":     {},
	"iam:GetOrganizationsAccessReport":                  {},
	"iam:ListOrganizationsFeatures":                     {},
	"iam:EnableOrganizationsRootCredentialsManagement":  {},
	"iam:DisableOrganizationsRootCredentialsManagement": {},
	"iam:EnableOrganizationsRootSessions":               {},
	"iam:DisableOrganizationsRootSessions":              {},
	"iam:EnableOutboundWebIdentityFederation":           {},
	"iam:DisableOutboundWebIdentityFederation":          {},
	"iam:GetOutboundWebIdentityFederationInfo":          {},
	"iam:SetSecurityTokenServicePreferences":            {},
	"iam:ListDelegationRequests":                        {},

	"sts:DecodeAuthorizationMessage": {},
	"sts:GetAccessKeyInfo":           {},
	"sts:GetDelegatedAccessToken":    {},
	"sts:GetWebIdentityToken":        {},
}

// neverDenied are the operations AWS performs whatever the policies say:
// GetCallerIdentity ("If an administrator attaches a policy to your
// identity that explicitly denies access to the sts:GetCallerIdentity
// action, you can still perform this operation", STS API Reference) and
// GetSessionToken ("No permissions are required for a user to get a
// session token ... You cannot use policies to control authentication
// operations", IAM User Guide, "Permissions for GetSessionToken").
var neverDenied = map[string]bool{"sts:GetCallerIdentity": true, "sts:GetSessionToken": true}

// deferred are the operations that decide inside themselves, against the
// role's trust policy: AssumeRoleWithWebIdentity and AssumeRoleWithSAML,
// which AWS accepts unsigned and the trust policy alone authorizes, and
// AssumeRole, whose trust policy and caller's policies must be evaluated
// together (a trust policy naming the caller grants on its own within an
// account; one naming the account, or another account's role, needs the
// caller's identity-based allow too), with sts:TagSession and
// sts:SetSourceIdentity as the request needs them. Package sts makes that
// one evaluation with the role's trust policy as the resource policy.
var deferred = map[string]bool{"sts:AssumeRole": true, "sts:AssumeRoleWithWebIdentity": true, "sts:AssumeRoleWithSAML": true}

// notInReference are operations of the API model the reference does not
// list yet, with the resource type their input names.
var notInReference = map[string]actions.Action{
	"iam:UpdateDelegationRequest": {Name: "UpdateDelegationRequest", Access: actions.Write, Resources: []string{"delegation-request"}},
}

// creates are the operations that create the resource they are authorized
// on: its ARN is built from the input's name and path.
var creates = map[string]bool{
	"iam:CreateUser": true, "iam:CreateGroup": true, "iam:CreateRole": true, "iam:CreatePolicy": true,
	"iam:CreateInstanceProfile": true, "iam:CreateVirtualMFADevice": true, "iam:CreateOpenIDConnectProvider": true,
	"iam:CreateSAMLProvider": true, "iam:UploadServerCertificate": true, "iam:CreateServiceLinkedRole": true,
	"iam:CreateDelegationRequest": true,
}

// selfNull are the operations whose AccessDenied message names the
// caller's own user as "user null<name>" when UserName is omitted, an AWS
// quirk on record for both ("iam:CreateAccessKey on resource: user
// nullweb_admin" in a CTF's CloudTrail records; "iam:ListAccessKeys on
// resource: user nullcg-start-user-lab"). GetUser without UserName names
// "user <name>".
var selfNull = map[string]bool{"iam:CreateAccessKey": true, "iam:ListAccessKeys": true}

// planKey names an operation: service prefix and operation name.
type planKey struct{ service, op string }

var plans = sync.OnceValues(buildPlans)

// buildPlans works out the plan of every operation of the IAM and STS
// models.
func buildPlans() (map[planKey]*plan, error) {
	out := map[planKey]*plan{}
	var errs []error
	add := func(svc string, ops map[string]reflect.Type) {
		for op, in := range ops {
			p, err := newPlan(svc, op, in)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			out[planKey{svc, op}] = p
		}
	}
	iamOps := map[string]reflect.Type{}
	for op, t := range iamapi.Operations {
		iamOps[op] = t.Input
	}
	stsOps := map[string]reflect.Type{}
	for op, t := range stsapi.Operations {
		stsOps[op] = t.Input
	}
	add("iam", iamOps)
	add("sts", stsOps)
	return out, errors.Join(errs...)
}

// Operations returns the names ("iam:CreateUser") of every operation
// AuthorizeCall can authorize, sorted.
func Operations() []string {
	m, _ := plans()
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k.service+":"+k.op)
	}
	sort.Strings(names)
	return names
}

// PlanError reports operations that could not be given a plan: the
// reference names a resource type the input does not identify.
func PlanError() error {
	_, err := plans()
	return err
}

// newPlan works out one operation's plan.
func newPlan(svc, op string, in reflect.Type) (*plan, error) {
	action := svc + ":" + op
	p := &plan{service: svc, op: op, action: action, fields: map[string]int{}, create: creates[action], selfNull: selfNull[action]}
	if in != nil {
		for i := 0; i < in.NumField(); i++ {
			p.fields[in.Field(i).Name] = i
		}
	}
	ref, ok := actions.Find(svc, op)
	if !ok {
		if ref, ok = notInReference[action]; !ok {
			return nil, fmt.Errorf("%s: not in the Service Authorization Reference", action)
		}
	}
	p.ref = ref
	switch {
	case neverDenied[action]:
		p.rule = ruleNever
		return p, nil
	case deferred[action]:
		p.rule = ruleDeferred
		return p, nil
	}
	if ar, ok := accountLevel[action]; ok {
		if len(ref.Resources) > 0 {
			return nil, fmt.Errorf("%s: listed as account-level but the reference gives resource types %v", action, ref.Resources)
		}
		p.rule, p.account = ruleAccount, ar
	} else {
		if len(ref.Resources) == 0 {
			return nil, fmt.Errorf("%s: no resource type in the reference and not listed as account-level", action)
		}
		typ, err := p.resourceType()
		if err != nil {
			return nil, err
		}
		p.rule, p.typ = ruleEntity, typ
	}
	for _, k := range ref.Conditions {
		if f := keyFuncFor(k, p); f != nil {
			p.keys = append(p.keys, f)
		}
	}
	return p, nil
}

// identifiers are the input members that name a resource of each type,
// in the order they are tried; an operation whose input has none of them
// acts on the caller's own user (for "user").
var identifiers = map[string][]string{
	"user":               {"UserName", "AccessKeyId"},
	"group":              {"GroupName"},
	"role":               {"RoleName", "RoleArn", "AWSServiceName", "DeletionTaskId"},
	"policy":             {"PolicyArn", "PolicyName"},
	"instance-profile":   {"InstanceProfileName"},
	"mfa":                {"SerialNumber", "VirtualMFADeviceName"},
	"oidc-provider":      {"OpenIDConnectProviderArn", "Url"},
	"saml-provider":      {"SAMLProviderArn", "Name"},
	"server-certificate": {"ServerCertificateName"},
	"access-report":      {"EntityPath"},
	"delegation-request": {"DelegationRequestId", "EntityArn"},
	"federated-user":     {"Name"},
	"root-user":          {"TargetPrincipal"},
}

// byARN are the members that name a resource of any of several types by
// its ARN (GenerateServiceLastAccessedDetails, SimulatePrincipalPolicy...).
var byARN = []string{"Arn", "PolicySourceArn"}

// resourceType picks the reference's resource type that the input
// identifies.
func (p *plan) resourceType() (string, error) {
	if len(p.ref.Resources) > 1 {
		for _, f := range byARN {
			if _, ok := p.fields[f]; ok {
				return "arn:" + f, nil
			}
		}
	}
	for _, typ := range p.ref.Resources {
		for _, f := range identifiers[typ] {
			if _, ok := p.fields[f]; ok {
				return typ, nil
			}
		}
		if typ == "user" {
			// ChangePassword: the caller's own user.
			return typ, nil
		}
		if typ == "delegation-request" && p.create {
			// The request's id is made by the operation: the
			// resource is every delegation request of the account.
			return typ, nil
		}
	}
	return "", fmt.Errorf("%s: the input names none of the reference's resource types %v", p.action, p.ref.Resources)
}

// input reads members of a decoded input by name.
type input struct {
	v      reflect.Value // the struct, or invalid
	fields map[string]int
}

func (in input) field(name string) (reflect.Value, bool) {
	i, ok := in.fields[name]
	if !ok || !in.v.IsValid() {
		return reflect.Value{}, false
	}
	f := in.v.Field(i)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return reflect.Value{}, false
		}
		f = f.Elem()
	}
	return f, true
}

// str returns a string member ("" and false when absent or nil).
func (in input) str(name string) (string, bool) {
	f, ok := in.field(name)
	if !ok {
		return "", false
	}
	switch f.Kind() {
	case reflect.String:
		return f.String(), true
	case reflect.Int32, reflect.Int64, reflect.Int:
		return strconv.FormatInt(f.Int(), 10), true
	case reflect.Bool:
		return strconv.FormatBool(f.Bool()), true
	case reflect.Struct:
		// PolicyDescriptorType{Arn}: the ARN.
		if a := f.FieldByName("Arn"); a.IsValid() {
			if a.Kind() == reflect.Pointer && !a.IsNil() {
				return a.Elem().String(), true
			}
			if a.Kind() == reflect.String {
				return a.String(), true
			}
		}
	}
	return "", false
}

// strs returns a list of strings member.
func (in input) strs(name string) ([]string, bool) {
	f, ok := in.field(name)
	if !ok || f.Kind() != reflect.Slice || f.IsNil() {
		return nil, false
	}
	out := make([]string, f.Len())
	for i := range out {
		out[i] = f.Index(i).String()
	}
	return out, true
}

// tags returns a Tags member: a list of {Key, Value}.
func (in input) tags(name string) ([]store.Tag, bool) {
	f, ok := in.field(name)
	if !ok || f.Kind() != reflect.Slice || f.IsNil() {
		return nil, false
	}
	out := make([]store.Tag, f.Len())
	for i := range out {
		e := f.Index(i)
		out[i] = store.Tag{Key: e.FieldByName("Key").String(), Value: e.FieldByName("Value").String()}
	}
	return out, true
}

// targetSpec is the resource an operation names, before the store is
// read.
type targetSpec struct {
	typ     string
	name    string // entity name, as given
	arn     string // ARN, when the input gives it
	path    string // a created entity's path
	self    bool   // the caller itself
	keyID   string // GetAccessKeyLastUsed: the key whose owner it is
	credID  string // a service-specific credential whose service a key needs
	account string // the resource's account (role ARNs of another account)
}

// AuthorizeCall decides an IAM or STS operation: the action is the
// service prefix and operation name, the resource the one the input names
// (read from the store for its path, tags and boundary), the context the
// caller's, the environment's and the action's condition keys.
func (a *Authorizer) AuthorizeCall(ctx context.Context, c Call) (*Decision, error) {
	all, _ := plans()
	p, ok := all[planKey{c.Service, c.Operation}]
	caller := c.Call.Caller
	if !ok {
		// Fail closed: an operation this package cannot place is not
		// served.
		return nil, &Error{Principal: caller.ARN, Action: c.Service + ":" + c.Operation, Err: errors.New("no authorization plan for the operation")}
	}
	switch p.rule {
	case ruleNever:
		return &Decision{Effect: policy.Allow, Principal: caller, Action: p.action, Resource: Resource{ARN: "*"}, Note: "never denied"}, nil
	case ruleDeferred:
		return &Decision{Effect: policy.Allow, Principal: caller, Action: p.action, Resource: Resource{ARN: "*"}, Note: "authorized by the role's trust policy"}, nil
	}
	in := input{fields: p.fields}
	if c.Input != nil {
		v := reflect.ValueOf(c.Input)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			in.v = v
		}
	}
	res, spec, ti, err := a.resource(ctx, p, in, c.Call)
	if err != nil {
		return nil, &Error{Principal: caller.ARN, Action: p.action, Err: err}
	}
	var keys []Key
	for _, k := range p.keys {
		keys = k(in, ti, keys)
	}
	req := Request{
		Principal: caller,
		Action:    p.action,
		Resource:  res,
		Environment: Environment{
			SourceIP:        c.Call.SourceIP,
			UserAgent:       c.Call.UserAgent,
			SecureTransport: c.SecureTransport,
			Time:            c.Call.Now,
			Region:          c.Call.Region,
		},
		Keys: keys,
	}
	d, err := a.Authorize(ctx, req)
	if err == nil && !d.Allowed() && p.rule == ruleEntity && !strings.HasPrefix(p.typ, "arn:") {
		// Named the way AWS's message names it, only when a message
		// is needed.
		d.Resource.Display = p.display(spec, c.Call)
	}
	return d, err
}

// resource works out the resource of a call.
func (a *Authorizer) resource(ctx context.Context, p *plan, in input, c *service.Call) (Resource, targetSpec, *targetInfo, error) {
	if p.rule == ruleAccount {
		return accountLevelResource(p, in, c), targetSpec{}, &targetInfo{}, nil
	}
	spec := p.spec(in, c)
	if strings.HasPrefix(p.typ, "arn:") {
		return Resource{ARN: spec.arn, Type: p.typ}, spec, &targetInfo{}, nil
	}
	ti, err := a.lookup(ctx, p, spec, c)
	if err != nil {
		return Resource{}, spec, nil, err
	}
	return Resource{ARN: ti.arn, Account: spec.account, Tags: ti.tags, Type: p.typ}, spec, ti, nil
}

// accountLevelResource is "*" or the path-prefix form of a list action.
func accountLevelResource(p *plan, in input, c *service.Call) Resource {
	ar := p.account
	if ar.kind == "" {
		return Resource{ARN: "*", Unstated: p.service == "sts"}
	}
	prefix := "/"
	if ar.prefix {
		if s, ok := in.str("PathPrefix"); ok && s != "" {
			prefix = s
		}
	} else if ar.star {
		prefix = "/*"
	}
	r := Resource{ARN: fmt.Sprintf("arn:%s:iam::%s:%s%s", c.Partition, c.AccountID, ar.kind, prefix)}
	if ar.display != "" {
		r.Display = fmt.Sprintf(ar.display, prefix)
	}
	return r
}

// spec reads the resource the input names.
func (p *plan) spec(in input, c *service.Call) targetSpec {
	s := targetSpec{typ: p.typ}
	if strings.HasPrefix(p.typ, "arn:") {
		s.arn, _ = in.str(strings.TrimPrefix(p.typ, "arn:"))
		return s
	}
	if p.credential {
		s.credID, _ = in.str("ServiceSpecificCredentialId")
	}
	if p.create {
		s.path, _ = in.str("Path")
		if s.path == "" {
			s.path = "/"
		}
	}
	switch p.typ {
	case "user":
		if name, ok := in.str("UserName"); ok && name != "" {
			s.name = name
		} else if id, ok := in.str("AccessKeyId"); ok {
			s.keyID = id
		} else {
			s.self = true
			s.name = c.Caller.Name
		}
	case "group":
		s.name, _ = in.str("GroupName")
	case "role":
		if name, ok := in.str("RoleName"); ok {
			s.name = name
		} else if arn, ok := in.str("RoleArn"); ok {
			s.arn = arn
			s.account, s.name, s.path = splitRoleARN(arn)
		} else if svc, ok := in.str("AWSServiceName"); ok {
			s.name, s.path = "", "/aws-service-role/"+svc+"/"
			suffix, _ := in.str("CustomSuffix")
			s.arn = svc + "\x00" + suffix // resolved by lookup
		} else if task, ok := in.str("DeletionTaskId"); ok {
			// task/aws-service-role/<service>/<role>/<id>
			parts := strings.Split(task, "/")
			if len(parts) >= 5 {
				s.path = "/" + strings.Join(parts[1:3], "/") + "/"
				s.name = parts[3]
			}
		}
	case "policy":
		if p.create {
			s.name, _ = in.str("PolicyName")
		} else {
			s.arn, _ = in.str("PolicyArn")
		}
	case "instance-profile":
		s.name, _ = in.str("InstanceProfileName")
	case "mfa":
		if p.create {
			s.name, _ = in.str("VirtualMFADeviceName")
		} else {
			s.arn, _ = in.str("SerialNumber")
		}
	case "oidc-provider":
		if p.create {
			u, _ := in.str("Url")
			s.name = oidcProviderName(u)
		} else {
			s.arn, _ = in.str("OpenIDConnectProviderArn")
		}
	case "saml-provider":
		if p.create {
			s.name, _ = in.str("Name")
		} else {
			s.arn, _ = in.str("SAMLProviderArn")
		}
	case "server-certificate":
		s.name, _ = in.str("ServerCertificateName")
	case "access-report":
		s.name, _ = in.str("EntityPath")
	case "delegation-request":
		if p.create {
			s.name = "*"
		} else if id, ok := in.str("DelegationRequestId"); ok {
			s.name = id
		} else {
			s.arn, _ = in.str("EntityArn")
		}
	case "federated-user":
		s.name, _ = in.str("Name")
	case "root-user":
		s.account, _ = in.str("TargetPrincipal")
	}
	return s
}

// oidcProviderName is the ARN part of an OIDC provider created for a URL:
// the URL without its scheme (IAM API Reference, CreateOpenIDConnectProvider:
// "arn:aws:iam::123456789012:oidc-provider/server.example.com").
func oidcProviderName(u string) string {
	if parsed, err := url.Parse(u); err == nil && parsed.Host != "" {
		return parsed.Host + strings.TrimSuffix(parsed.Path, "/")
	}
	return strings.TrimPrefix(u, "https://")
}

// splitRoleARN takes a role ARN apart: account, name and path.
func splitRoleARN(s string) (account, name, path string) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 {
		return "", "", ""
	}
	rest, ok := strings.CutPrefix(parts[5], "role/")
	if !ok {
		return parts[4], "", ""
	}
	i := strings.LastIndexByte(rest, '/')
	return parts[4], rest[i+1:], "/" + rest[:i+1]
}

// displayWords are how AWS's messages name existing IAM entities: "user
// bob", "role app", "group dev", "instance profile web" (pasted messages:
// "iam:GetUser on resource: user tester", "iam:GetRole on resource: role
// voclabs", "iam:GetGroup on resource: group deploy-group",
// "iam:GetInstanceProfile on resource: instance profile fe-lab-ssm-role").
var displayWords = map[string]string{"user": "user", "group": "group", "role": "role", "instance-profile": "instance profile"}

// display is the resource as AWS's message names it. Creations name the
// new ARN ("iam:CreateUser on resource: arn:aws:iam::...:user/x"), except
// CreatePolicy ("iam:CreatePolicy on resource: policy NAME"); existing
// policies are "policy ARN" ("iam:GetPolicy on resource: policy
// arn:aws:iam::aws:policy/..."); other resources their ARN.
func (p *plan) display(s targetSpec, c *service.Call) string {
	if p.typ == "policy" {
		if p.create {
			return "policy " + s.name
		}
		return "policy " + s.arn
	}
	w, ok := displayWords[p.typ]
	if !ok || p.create || s.keyID != "" || s.arn != "" || s.name == "" || (s.self && c.Caller.Type != service.User) {
		return ""
	}
	if s.self && p.selfNull {
		return w + " null" + s.name
	}
	return w + " " + s.name
}

// formatARN fills a reference ARN format: ${Partition}, ${Account} and the
// one resource placeholder.
func formatARN(format, partition, account, resource string) string {
	s := strings.ReplaceAll(format, "${Partition}", partition)
	s = strings.ReplaceAll(s, "${Account}", account)
	if i := strings.Index(s, "${"); i >= 0 {
		if j := strings.IndexByte(s[i:], '}'); j >= 0 {
			s = s[:i] + resource + s[i+j+1:]
		}
	}
	return s
}

// arnFor builds the ARN of a resource of a type from the reference's
// format, for a name with a path ("/a/" + "bob" → "a/bob").
func arnFor(svc, typ, partition, account, path, name string) string {
	format := actions.Lookup(svc).Resources[typ]
	if format == "" {
		return "*"
	}
	return formatARN(format, partition, account, strings.TrimPrefix(path, "/")+name)
}
