package iam

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

var _ = family((*Service).simulationOperations)

func (s *Service) simulationOperations(t service.Table) {
	t["SimulatePrincipalPolicy"] = service.Op(s.simulatePrincipalPolicy)
	t["SimulateCustomPolicy"] = service.Op(s.simulateCustomPolicy)
	t["GetContextKeysForPrincipalPolicy"] = service.Op(s.getContextKeysForPrincipalPolicy)
	t["GetContextKeysForCustomPolicy"] = service.Op(s.getContextKeysForCustomPolicy)
}

// The SourcePolicyType values of MatchedStatements. AWS answers these
// rather than the model's enum (user, group, role, ...): "IAM Policy" for
// inline and managed identity policies alike, "Resource Policy" and
// "Permissions Boundary Policy" (simulator answers on record). The SCP
// name is iamd's: no AWS answer with an SCP statement is on record.
const (
	sourceIdentity = "IAM Policy"
	sourceBoundary = "Permissions Boundary Policy"
	sourceResource = "Resource Policy"
	sourceSCP      = "Service Control Policy"
)

// simPolicy is one policy of a simulation: its text, compiled form and
// where it comes from.
type simPolicy struct {
	id     string // SourcePolicyId: a policy name, or "PolicyInputList.1", ...
	typ    string // SourcePolicyType
	text   string
	parsed *policy.Policy
	// For PolicyExclusionList: the managed policy's ARN, or the inline
	// policy's holder.
	arn        string
	awsManaged bool
	inline     bool
	holder     store.Entity

	readOnce sync.Once
	read     policyText
	matchers map[int]*policy.Policy
}

// statements returns the policy's statements as its text lays them out.
func (p *simPolicy) statements() []policyStatement {
	p.readOnce.Do(func() { p.read = readPolicyText(p.text) })
	return p.read.Statements
}

// newSimPolicy compiles a document given as simulation input. The
// simulation APIs answer InvalidInput for a document IAM cannot use, with
// the message IAM gives for the document's first problem.
func newSimPolicy(doc string, kind policy.Kind, id, typ string) (*simPolicy, error) {
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			return nil, wireError("InvalidInput", "%s", pe.Message)
		}
		return nil, err
	}
	return &simPolicy{id: id, typ: typ, text: doc, parsed: p}, nil
}

// allowAll is the identity policy that allows everything: evaluated with
// a boundary or SCPs alone, it tells whether those allow a request
// (PermissionsBoundaryDecisionDetail, OrganizationsDecisionDetail).
var allowAll = sync.OnceValue(func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.Identity)
	if err != nil {
		panic(err)
	}
	return p
})

// simulation is everything a simulation evaluates: the policies by type,
// the caller and the request context.
type simulation struct {
	identity []*simPolicy
	boundary *simPolicy
	resource *simPolicy
	scp      [][]*simPolicy

	principal     policy.Principal
	resourceOwner string // the account of resources whose ARN names none
	context       policy.Context
}

func (sim *simulation) set() policy.PolicySet {
	var set policy.PolicySet
	for _, p := range sim.identity {
		set.Identity = append(set.Identity, p.parsed)
	}
	if sim.boundary != nil {
		set.Boundary = sim.boundary.parsed
	}
	if sim.resource != nil {
		set.Resource = sim.resource.parsed
	}
	for _, level := range sim.scp {
		var ps []*policy.Policy
		for _, p := range level {
			ps = append(ps, p.parsed)
		}
		set.SCP = append(set.SCP, ps)
	}
	return set
}

// decisionName is the EvalDecision AWS reports for an effect.
func decisionName(e policy.Effect) string {
	switch e {
	case policy.Allow:
		return iamapi.PolicyEvaluationDecisionTypeAllowed
	case policy.ExplicitDeny:
		return iamapi.PolicyEvaluationDecisionTypeExplicitDeny
	}
	return iamapi.PolicyEvaluationDecisionTypeImplicitDeny
}

// resourceEval is the simulation of one action on one resource.
type resourceEval struct {
	resource string
	decision policy.Decision
	matched  []iamapi.Statement
	missing  []string
	boundary *iamapi.PermissionsBoundaryDecisionDetail
	orgs     *iamapi.OrganizationsDecisionDetail
	details  map[string]string
}

// request builds the policy request for an action on a resource.
func (sim *simulation) request(action, resource string) policy.Request {
	acct := resourceAccountOf(resource)
	if acct == "" {
		acct = sim.resourceOwner
	}
	if acct == "" {
		acct = sim.principal.Account
	}
	return policy.Request{Principal: sim.principal, Action: action, Resource: resource, ResourceAccount: acct, Context: sim.context}
}

// resourceAccountOf returns the account an ARN names, "" when it names
// none (S3 buckets, "*").
func resourceAccountOf(resource string) string {
	a, err := arn.Parse(resource)
	if err != nil || !arn.ValidAccountID(a.AccountID) {
		return ""
	}
	return a.AccountID
}

// evaluate simulates one action on one resource with the policy library.
func (sim *simulation) evaluate(action, resource string) resourceEval {
	req := sim.request(action, resource)
	set := sim.set()
	ev := resourceEval{resource: resource, decision: policy.Evaluate(req, set)}
	ev.matched = sim.matchedStatements(ev.decision)
	ev.missing = sim.missingContext(action, resource)
	if sim.boundary != nil {
		d := policy.Evaluate(sim.sameAccount(req), policy.PolicySet{Identity: []*policy.Policy{allowAll()}, Boundary: sim.boundary.parsed})
		ev.boundary = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: ptr(d.Allowed())}
	}
	if len(sim.scp) > 0 {
		d := policy.Evaluate(sim.sameAccount(req), policy.PolicySet{Identity: []*policy.Policy{allowAll()}, SCP: set.SCP})
		ev.orgs = &iamapi.OrganizationsDecisionDetail{AllowedByOrganizations: ptr(d.Allowed())}
	}
	switch {
	case req.ResourceAccount != sim.principal.Account:
		// A cross-account simulation says how each side decided: the
		// caller's identity-based chain in its account, and the
		// resource-based policy (EvaluationResult's API reference).
		same := sim.sameAccount(req)
		ev.details = map[string]string{
			sourceIdentity: decisionName(policy.Evaluate(same, policy.PolicySet{Identity: set.Identity, Boundary: set.Boundary, SCP: set.SCP}).Effect),
			sourceResource: iamapi.PolicyEvaluationDecisionTypeImplicitDeny,
		}
		if set.Resource != nil {
			ev.details[sourceResource] = decisionName(policy.Evaluate(same, policy.PolicySet{Resource: set.Resource}).Effect)
		}
	case resource != "*":
		// Within one account and with a resource ARN, the element is
		// present and empty; with "*" it is absent.
		ev.details = map[string]string{}
	}
	return ev
}

// sameAccount is the request as if the resource were the caller's.
func (sim *simulation) sameAccount(req policy.Request) policy.Request {
	req.ResourceAccount = sim.principal.Account
	return req
}

// source finds the simulation policy a decision's reason names.
func (sim *simulation) source(r policy.Reason) *simPolicy {
	switch r.Kind {
	case policy.Identity, policy.Managed:
		if r.Policy >= 0 && r.Policy < len(sim.identity) {
			return sim.identity[r.Policy]
		}
	case policy.Boundary:
		return sim.boundary
	case policy.Resource:
		return sim.resource
	case policy.SCP:
		if r.Level >= 0 && r.Level < len(sim.scp) && r.Policy >= 0 && r.Policy < len(sim.scp[r.Level]) {
			return sim.scp[r.Level][r.Policy]
		}
	}
	return nil
}

// matchedStatements reports the statements that decided, located in
// their documents' text.
func (sim *simulation) matchedStatements(d policy.Decision) []iamapi.Statement {
	out := []iamapi.Statement{}
	for _, r := range d.Reasons {
		p := sim.source(r)
		if p == nil || r.Statement < 0 {
			continue
		}
		st := iamapi.Statement{SourcePolicyId: ptr(p.id), SourcePolicyType: ptr(p.typ)}
		if stmts := p.statements(); r.Statement < len(stmts) {
			s := stmts[r.Statement]
			st.StartPosition = &iamapi.Position{Line: ptr(int32(s.Start.Line)), Column: ptr(int32(s.Start.Column))}
			st.EndPosition = &iamapi.Position{Line: ptr(int32(s.End.Line)), Column: ptr(int32(s.End.Column))}
		}
		out = append(out, st)
	}
	return out
}

// missingContext lists the context keys that statements applying to the
// action and resource reference but the request context lacks. Whether a
// statement applies is decided by the policy library on the statement's
// Action and Resource alone (its conditions set aside).
func (sim *simulation) missingContext(action, resource string) []string {
	out := []string{}
	seen := map[string]bool{}
	check := func(p *simPolicy) {
		if p == nil {
			return
		}
		for i, s := range p.statements() {
			if len(s.Keys) == 0 || !sim.applies(p, i, s, action, resource) {
				continue
			}
			for _, k := range s.Keys {
				if _, ok := sim.context.Lookup(k); !ok && !seen[k] {
					seen[k] = true
					out = append(out, k)
				}
			}
		}
	}
	for _, p := range sim.identity {
		check(p)
	}
	check(sim.boundary)
	check(sim.resource)
	for _, level := range sim.scp {
		for _, p := range level {
			check(p)
		}
	}
	return out
}

// applies reports whether statement i of p names the action and the
// resource, by evaluating an Allow statement with the same Action and
// Resource (or "*" where the resource holds variables, which need the
// context).
func (sim *simulation) applies(p *simPolicy, i int, s policyStatement, action, resource string) bool {
	if p.matchers == nil {
		p.matchers = map[int]*policy.Policy{}
	}
	m, ok := p.matchers[i]
	if !ok {
		var b strings.Builder
		b.WriteString(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",`)
		switch {
		case s.Action != "":
			b.WriteString(`"Action":` + s.Action)
		case s.NotAction != "":
			b.WriteString(`"NotAction":` + s.NotAction)
		default:
			b.WriteString(`"Action":"*"`)
		}
		switch {
		case s.Resource != "" && !strings.Contains(s.Resource, "${"):
			b.WriteString(`,"Resource":` + s.Resource)
		case s.NotResource != "" && !strings.Contains(s.NotResource, "${"):
			b.WriteString(`,"NotResource":` + s.NotResource)
		default:
			b.WriteString(`,"Resource":"*"`)
		}
		b.WriteString(`}}`)
		m, _ = policy.Parse([]byte(b.String()), policy.Identity)
		p.matchers[i] = m
	}
	if m == nil {
		return true // a statement the matcher cannot restate: assume it applies
	}
	req := policy.Request{Principal: policy.Principal{Type: policy.User, ARN: sim.principal.ARN, Account: sim.principal.Account},
		Action: action, Resource: resource}
	return policy.Evaluate(req, policy.PolicySet{Identity: []*policy.Policy{m}}).Allowed()
}

// result simulates one action on every resource of the call.
func (sim *simulation) result(action string, resources []string) iamapi.EvaluationResult {
	if len(resources) == 0 {
		ev := sim.evaluate(action, "*")
		return iamapi.EvaluationResult{
			EvalActionName:                    action,
			EvalResourceName:                  ptr("*"),
			EvalDecision:                      decisionName(ev.decision.Effect),
			MatchedStatements:                 ev.matched,
			MissingContextValues:              ev.missing,
			OrganizationsDecisionDetail:       ev.orgs,
			PermissionsBoundaryDecisionDetail: ev.boundary,
			EvalDecisionDetails:               ev.details,
		}
	}
	// The resources are those of one call ("Each operation is evaluated
	// against each resource"): the action's decision combines theirs, an
	// explicit deny of any winning, then an implicit one; each has its
	// own ResourceSpecificResults entry.
	out := iamapi.EvaluationResult{EvalActionName: action, EvalResourceName: ptr("*"), MissingContextValues: []string{}}
	if len(resources) == 1 {
		out.EvalResourceName = ptr(resources[0])
	}
	evs := make([]resourceEval, len(resources))
	combined := policy.Allow
	for i, r := range resources {
		evs[i] = sim.evaluate(action, r)
		switch e := evs[i].decision.Effect; {
		case e == policy.ExplicitDeny:
			combined = policy.ExplicitDeny
		case e == policy.ImplicitDeny && combined == policy.Allow:
			combined = policy.ImplicitDeny
		}
	}
	out.EvalDecision = decisionName(combined)
	out.MatchedStatements = []iamapi.Statement{}
	for _, ev := range evs {
		out.ResourceSpecificResults = append(out.ResourceSpecificResults, iamapi.ResourceSpecificResult{
			EvalResourceName:                  ev.resource,
			EvalResourceDecision:              decisionName(ev.decision.Effect),
			MatchedStatements:                 ev.matched,
			MissingContextValues:              ev.missing,
			EvalDecisionDetails:               ev.details,
			PermissionsBoundaryDecisionDetail: ev.boundary,
		})
		if ev.decision.Effect == combined {
			out.MatchedStatements = append(out.MatchedStatements, ev.matched...)
		}
		if ev.orgs != nil && (out.OrganizationsDecisionDetail == nil || !*ev.orgs.AllowedByOrganizations) {
			out.OrganizationsDecisionDetail = ev.orgs
		}
		if ev.boundary != nil && (out.PermissionsBoundaryDecisionDetail == nil || !*ev.boundary.AllowedByPermissionsBoundary) {
			out.PermissionsBoundaryDecisionDetail = ev.boundary
		}
	}
	if len(resources) == 1 {
		out.EvalDecisionDetails = evs[0].details
	}
	return out
}

// simulationInput is what SimulatePrincipalPolicy and SimulateCustomPolicy
// share.
type simulationInput struct {
	PolicyInputList        []string
	BoundaryInputList      []string
	ActionNames            []string
	ResourceArns           []string
	ResourcePolicy         *string
	ResourceOwner          *string
	CallerArn              *string
	ContextEntries         []iamapi.ContextEntry
	ResourceHandlingOption *string
	MaxItems               *int32
	Marker                 *string
}

// prepare checks and compiles the inputs every simulation takes, before
// any store access: the policies given as strings, the caller, the
// resource owner, the context and the resource scenario.
func prepare(c *service.Call, in simulationInput) (*simulation, error) {
	sim := &simulation{}
	for i, doc := range in.PolicyInputList {
		p, err := newSimPolicy(doc, policy.Identity, fmt.Sprintf("PolicyInputList.%d", i+1), sourceIdentity)
		if err != nil {
			return nil, err
		}
		sim.identity = append(sim.identity, p)
	}
	switch len(in.BoundaryInputList) {
	case 0:
	case 1:
		p, err := newSimPolicy(in.BoundaryInputList[0], policy.Boundary, "PermissionsBoundaryPolicyInputList.1", sourceBoundary)
		if err != nil {
			return nil, err
		}
		sim.boundary = p
	default:
		// "You can input only one permissions boundary" (the operations'
		// API reference); the wording is iamd's.
		return nil, wireError("InvalidInput", "Only one permissions boundary policy can be specified in PermissionsBoundaryPolicyInputList.")
	}
	if in.ResourcePolicy != nil {
		p, err := newSimPolicy(*in.ResourcePolicy, policy.Resource, "ResourcePolicy", sourceResource)
		if err != nil {
			return nil, err
		}
		sim.resource = p
	}
	sim.principal = policy.Principal{Type: policy.User, Account: c.AccountID}
	if in.CallerArn != nil {
		p, err := callerPrincipal(*in.CallerArn)
		if err != nil {
			return nil, err
		}
		sim.principal = p
	}
	if in.ResourceOwner != nil {
		a, err := arn.Parse(*in.ResourceOwner)
		if err != nil || a.Service != "iam" || a.Resource != "root" || !arn.ValidAccountID(a.AccountID) {
			return nil, wireError("InvalidInput", "Invalid ResourceOwner %s: the owner must be an account ARN (arn:aws:iam::123456789012:root).", *in.ResourceOwner)
		}
		sim.resourceOwner = a.AccountID
	}
	ctx, err := simulationContext(in.ContextEntries)
	if err != nil {
		return nil, err
	}
	sim.context = ctx
	for _, a := range in.ActionNames {
		svc, op, ok := strings.Cut(a, ":")
		if !ok || svc == "" || op == "" || strings.ContainsAny(a, "*?") {
			return nil, wireError("InvalidInput", "Action %s is not valid: an action is a service prefix and an operation name, such as iam:CreateUser, without wildcards.", a)
		}
	}
	if err := checkResourceScenario(in.ResourceHandlingOption, in.ResourceArns); err != nil {
		return nil, err
	}
	return sim, nil
}

// callerPrincipal parses CallerArn, which can name only an IAM user
// (SimulatePrincipalPolicy's API reference).
func callerPrincipal(s string) (policy.Principal, error) {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "user/") || !arn.ValidAccountID(a.AccountID) {
		return policy.Principal{}, wireError("InvalidInput", "Invalid CallerArn %s: it must be the ARN of an IAM user.", s)
	}
	return policy.Principal{Type: policy.User, ARN: s, Account: a.AccountID}, nil
}

// contextValueChecks validate the values of typed context entries.
var contextValueChecks = map[string]func(string) bool{
	"string":  func(string) bool { return true },
	"numeric": func(v string) bool { _, err := strconv.ParseFloat(v, 64); return err == nil },
	"boolean": func(v string) bool { return strings.EqualFold(v, "true") || strings.EqualFold(v, "false") },
	"ip": func(v string) bool {
		if _, err := netip.ParsePrefix(v); err == nil {
			return true
		}
		_, err := netip.ParseAddr(v)
		return err == nil
	},
	"binary": func(v string) bool { _, err := base64.StdEncoding.DecodeString(v); return err == nil },
	"date": func(v string) bool {
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return true
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02"} {
			if _, err := time.Parse(layout, v); err == nil {
				return true
			}
		}
		return false
	},
}

// simulationContext builds the request context from ContextEntries: list
// types (stringList, ...) are multivalued keys; the others take one value.
func simulationContext(entries []iamapi.ContextEntry) (policy.Context, error) {
	var ctx policy.Context
	for _, e := range entries {
		name := str(e.ContextKeyName)
		if name == "" {
			return ctx, wireError("InvalidInput", "A context entry has no ContextKeyName.")
		}
		typ := str(e.ContextKeyType)
		base, list := strings.CutSuffix(typ, "List")
		if typ == "" {
			base, list = "string", len(e.ContextKeyValues) != 1
		}
		check := contextValueChecks[base]
		if check == nil {
			return ctx, wireError("InvalidInput", "Context key %s has an unknown type %s.", name, typ)
		}
		for _, v := range e.ContextKeyValues {
			if !check(v) {
				return ctx, wireError("InvalidInput", "Invalid value %s for context key %s of type %s.", v, name, typ)
			}
		}
		if base == "boolean" {
			for i, v := range e.ContextKeyValues {
				e.ContextKeyValues[i] = strings.ToLower(v)
			}
		}
		if list {
			ctx.SetMulti(name, e.ContextKeyValues)
			continue
		}
		if len(e.ContextKeyValues) != 1 {
			return ctx, wireError("InvalidInput", "Context key %s of type %s takes exactly one value.", name, typ)
		}
		ctx.Set(name, e.ContextKeyValues[0])
	}
	return ctx, nil
}

// resourceScenarios are the EC2 scenarios of ResourceHandlingOption and
// the resource types each requires (the simulation operations' API
// reference).
var resourceScenarios = map[string][]string{
	"EC2-Classic-InstanceStore":    {"instance", "image", "security-group"},
	"EC2-Classic-EBS":              {"instance", "image", "security-group", "volume"},
	"EC2-VPC-InstanceStore":        {"instance", "image", "security-group", "network-interface"},
	"EC2-VPC-InstanceStore-Subnet": {"instance", "image", "security-group", "network-interface", "subnet"},
	"EC2-VPC-EBS":                  {"instance", "image", "security-group", "network-interface", "volume"},
	"EC2-VPC-EBS-Subnet":           {"instance", "image", "security-group", "network-interface", "subnet", "volume"},
}

// checkResourceScenario enforces the presence of the resources a scenario
// needs, which is what ResourceHandlingOption is for.
func checkResourceScenario(option *string, resources []string) error {
	if option == nil {
		return nil
	}
	need, ok := resourceScenarios[*option]
	if !ok {
		return wireError("InvalidInput", "Invalid ResourceHandlingOption %s.", *option)
	}
	have := map[string]bool{}
	for _, r := range resources {
		if a, err := arn.Parse(r); err == nil && a.Service == "ec2" {
			typ, _, _ := strings.Cut(a.Resource, "/")
			have[typ] = true
		}
	}
	for _, t := range need {
		if !have[t] {
			return wireError("InvalidInput", "ResourceHandlingOption %s requires an EC2 %s resource in ResourceArns.", *option, t)
		}
	}
	return nil
}

// page simulates the actions of one page. The marker is the index of the
// first action of the next page.
func (sim *simulation) page(in simulationInput) (*iamapi.SimulatePolicyResponse, error) {
	key, err := decodeMarker("simulation", in.Marker)
	if err != nil {
		return nil, err
	}
	start := 0
	if key != "" {
		if start, err = strconv.Atoi(key); err != nil || start <= 0 || start >= len(in.ActionNames) {
			return nil, badMarker()
		}
	}
	end := min(start+pageSize(in.MaxItems), len(in.ActionNames))
	out := &iamapi.SimulatePolicyResponse{EvaluationResults: []iamapi.EvaluationResult{}, IsTruncated: ptr(end < len(in.ActionNames))}
	for _, a := range in.ActionNames[start:end] {
		out.EvaluationResults = append(out.EvaluationResults, sim.result(a, in.ResourceArns))
	}
	if end < len(in.ActionNames) {
		out.Marker = ptr(encodeMarker("simulation", strconv.Itoa(end)))
	}
	return out, nil
}

// simulateCustomPolicy simulates policies given as strings, with optional
// SCP levels (root first).
func (s *Service) simulateCustomPolicy(_ context.Context, c *service.Call, in *iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	si := simulationInput{
		PolicyInputList: in.PolicyInputList, BoundaryInputList: in.PermissionsBoundaryPolicyInputList,
		ActionNames: in.ActionNames, ResourceArns: in.ResourceArns, ResourcePolicy: in.ResourcePolicy,
		ResourceOwner: in.ResourceOwner, CallerArn: in.CallerArn, ContextEntries: in.ContextEntries,
		ResourceHandlingOption: in.ResourceHandlingOption, MaxItems: in.MaxItems, Marker: in.Marker,
	}
	sim, err := prepare(c, si)
	if err != nil {
		return nil, err
	}
	if sim.resource != nil && in.CallerArn == nil {
		// The resource-based policy's Principal needs a caller to match
		// (SimulatePrincipalPolicy's API reference on CallerArn).
		return nil, wireError("InvalidInput", "CallerArn is required when a ResourcePolicy is included in the simulation.")
	}
	for l, level := range in.OrderedOrganizationPolicyInputList {
		if len(level.ServiceControlPolicyInputList) == 0 {
			return nil, wireError("InvalidInput", "Level %d of OrderedOrganizationPolicyInputList has no service control policy.", l+1)
		}
		var ps []*simPolicy
		for i, doc := range level.ServiceControlPolicyInputList {
			p, err := newSimPolicy(doc, policy.SCP, fmt.Sprintf("OrderedOrganizationPolicyInputList.%d.ServiceControlPolicyInputList.%d", l+1, i+1), sourceSCP)
			if err != nil {
				return nil, err
			}
			ps = append(ps, p)
		}
		sim.scp = append(sim.scp, ps)
	}
	return sim.page(si)
}

// principalSource is the user, group or role a PolicySourceArn names.
type principalSource struct {
	ARN  string
	Kind store.Kind
	Name string
}

// parsePrincipalSource parses PolicySourceArn: an IAM user, group or role
// ARN. AWS answers InvalidInput for anything else (a recorded answer for
// "this-is-not-an-iam-source-arn"; the wording is iamd's).
func parsePrincipalSource(s string) (principalSource, string, error) {
	bad := wireError("InvalidInput", "Invalid PolicySourceArn %s: it must be the ARN of an IAM user, group or role.", s)
	a, err := arn.Parse(s)
	if err != nil || a.Service != "iam" || a.Region != "" || !arn.ValidAccountID(a.AccountID) {
		return principalSource{}, "", bad
	}
	typ, rest, _ := strings.Cut(a.Resource, "/")
	kinds := map[string]store.Kind{"user": store.KindUser, "group": store.KindGroup, "role": store.KindRole}
	k, ok := kinds[typ]
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	if !ok || name == "" {
		return principalSource{}, "", bad
	}
	return principalSource{ARN: s, Kind: k, Name: name}, a.AccountID, nil
}

// principalPolicies reads the policies of a user (its own and its
// groups'), group or role, and its permissions boundary. A managed policy
// attached twice (to the user and one of its groups) counts once.
func principalPolicies(tx store.Tx, c *service.Call, src principalSource) ([]*simPolicy, *simPolicy, error) {
	var holders []store.Entity
	var boundary string
	switch src.Kind {
	case store.KindUser:
		u, err := tx.GetUser(c.AccountID, src.Name)
		if err != nil {
			return nil, nil, err
		}
		boundary = u.PermissionsBoundary
		holders = append(holders, userEntity(u.Name))
		groups, err := everyPage(func(m string) (store.Page[store.Group], error) {
			return tx.ListGroupsForUser(c.AccountID, u.Name, store.ListOptions{Marker: m, MaxItems: 1000})
		})
		if err != nil {
			return nil, nil, err
		}
		for _, g := range groups {
			holders = append(holders, groupEntity(g.Name))
		}
	case store.KindGroup:
		g, err := tx.GetGroup(c.AccountID, src.Name)
		if err != nil {
			return nil, nil, err
		}
		holders = append(holders, groupEntity(g.Name))
	case store.KindRole:
		r, err := tx.GetRole(c.AccountID, src.Name)
		if err != nil {
			return nil, nil, err
		}
		boundary = r.PermissionsBoundary
		holders = append(holders, roleEntity(r.Name))
	}
	var out []*simPolicy
	attached := map[string]bool{}
	for _, h := range holders {
		inline, err := everyPage(func(m string) (store.Page[store.InlinePolicy], error) {
			return tx.ListInlinePolicies(c.AccountID, h, store.ListOptions{Marker: m, MaxItems: 1000})
		})
		if err != nil {
			return nil, nil, err
		}
		for _, ip := range inline {
			p, err := storedSimPolicy(ip.Document, policy.Identity, ip.Name, sourceIdentity)
			if err != nil {
				return nil, nil, err
			}
			p.inline, p.holder = true, h
			out = append(out, p)
		}
		ap, err := everyPage(func(m string) (store.Page[store.AttachedPolicy], error) {
			return tx.ListAttachedPolicies(c.AccountID, h, store.PathListOptions{Marker: m, MaxItems: 1000})
		})
		if err != nil {
			return nil, nil, err
		}
		for _, a := range ap {
			if attached[a.ARN] {
				continue
			}
			attached[a.ARN] = true
			p, err := managedSimPolicy(tx, c, a.ARN, sourceIdentity)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, p)
		}
	}
	var b *simPolicy
	if boundary != "" {
		var err error
		if b, err = managedSimPolicy(tx, c, boundary, sourceBoundary); err != nil {
			return nil, nil, err
		}
	}
	return out, b, nil
}

// storedSimPolicy compiles a document iamd stored (and so validated).
func storedSimPolicy(doc string, kind policy.Kind, id, typ string) (*simPolicy, error) {
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		return nil, fmt.Errorf("iam: stored policy %s no longer parses: %w", id, err)
	}
	return &simPolicy{id: id, typ: typ, text: doc, parsed: p}, nil
}

// managedSimPolicy reads the default version of a managed policy, AWS
// managed or the account's own.
func managedSimPolicy(tx store.Tx, c *service.Call, policyARN, typ string) (*simPolicy, error) {
	if p, ok := managed.ByARN(policyARN); ok {
		sp, err := storedSimPolicy(string(p.Document), policy.Managed, p.Name, typ)
		if err != nil {
			return nil, err
		}
		sp.arn, sp.awsManaged = policyARN, true
		return sp, nil
	}
	p, err := tx.GetPolicy(c.AccountID, policyARN)
	if err != nil {
		return nil, err
	}
	v, err := tx.GetPolicyVersion(c.AccountID, policyARN, p.DefaultVersion)
	if err != nil {
		return nil, err
	}
	sp, err := storedSimPolicy(v.Document, policy.Managed, p.Name, typ)
	if err != nil {
		return nil, err
	}
	sp.arn = policyARN
	return sp, nil
}

// policyExclusion is one PolicyExclusionList entry, checked.
type policyExclusion struct {
	typ        string // inline, aws-managed, user-managed, permission-boundary, scp, rcp
	arnPattern string
	inline     *iamapi.InlinePolicyIdentifierType
}

// parseExclusions checks PolicyExclusionList: each entry names exactly one
// of a policy type, a managed policy ARN (wildcards only in the policy's
// name: at most one "*", any number of "?") or an inline policy.
// Syntactically invalid entries are InvalidInput; valid ones that match
// nothing are ignored (the API reference).
func parseExclusions(list []iamapi.PolicyIdentifier) ([]policyExclusion, error) {
	var out []policyExclusion
	for i, id := range list {
		n := 0
		for _, set := range []bool{id.PolicyType != nil, id.PolicyArn != nil, id.InlinePolicyIdentifier != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return nil, wireError("InvalidInput", "PolicyExclusionList.member.%d must specify exactly one of PolicyType, PolicyArn and InlinePolicyIdentifier.", i+1)
		}
		e := policyExclusion{typ: str(id.PolicyType), inline: id.InlinePolicyIdentifier}
		if id.PolicyArn != nil {
			s := *id.PolicyArn
			prefix, name, ok := strings.Cut(s, ":policy/")
			if k := strings.LastIndexByte(name, '/'); k >= 0 {
				prefix, name = prefix+":policy/"+name[:k+1], name[k+1:]
			} else {
				prefix += ":policy/"
			}
			if _, err := parsePolicyARN(strings.NewReplacer("*", "x", "?", "x").Replace(s)); !ok || err != nil ||
				strings.ContainsAny(prefix, "*?") || strings.Count(name, "*") > 1 {
				return nil, wireError("InvalidInput", "PolicyExclusionList.member.%d.PolicyArn %s is not a valid policy ARN pattern.", i+1, s)
			}
			e.arnPattern = s
		}
		out = append(out, e)
	}
	return out, nil
}

// excludes reports whether an exclusion removes a principal's policy.
func (e policyExclusion) excludes(p *simPolicy, isBoundary bool) bool {
	switch {
	case e.typ != "":
		switch e.typ {
		case "inline":
			return p.inline
		case "aws-managed":
			return !isBoundary && p.arn != "" && p.awsManaged
		case "user-managed":
			return !isBoundary && p.arn != "" && !p.awsManaged
		case "permission-boundary":
			return isBoundary
		}
		return false
	case e.arnPattern != "":
		return !isBoundary && p.arn != "" && wildcardMatch(e.arnPattern, p.arn, false)
	case e.inline != nil:
		kinds := map[string]store.Kind{"user": store.KindUser, "group": store.KindGroup, "role": store.KindRole}
		return p.inline && p.holder.Kind == kinds[e.inline.AttachmentType] &&
			store.FoldName(p.id) == store.FoldName(e.inline.PolicyName) &&
			wildcardMatch(e.inline.AttachmentName, p.holder.Name, true)
	}
	return false
}

// wildcardMatch matches s against a pattern where "*" matches any run of
// characters and "?" one character; fold compares IAM names without
// regard to case.
func wildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = store.FoldName(pattern), store.FoldName(s)
	}
	p, t := []rune(pattern), []rune(s)
	star, mark := -1, 0
	i, j := 0, 0
	for j < len(t) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == t[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case star >= 0:
			i, mark = star+1, mark+1
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// simulatePrincipalPolicy simulates the policies of a user (with its
// groups'), group or role, plus the policies given as strings.
func (s *Service) simulatePrincipalPolicy(ctx context.Context, c *service.Call, in *iamapi.SimulatePrincipalPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	si := simulationInput{
		PolicyInputList: in.PolicyInputList, BoundaryInputList: in.PermissionsBoundaryPolicyInputList,
		ActionNames: in.ActionNames, ResourceArns: in.ResourceArns, ResourcePolicy: in.ResourcePolicy,
		ResourceOwner: in.ResourceOwner, CallerArn: in.CallerArn, ContextEntries: in.ContextEntries,
		ResourceHandlingOption: in.ResourceHandlingOption, MaxItems: in.MaxItems, Marker: in.Marker,
	}
	src, acct, err := parsePrincipalSource(in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	exclusions, err := parseExclusions(in.PolicyExclusionList)
	if err != nil {
		return nil, err
	}
	sim, err := prepare(c, si)
	if err != nil {
		return nil, err
	}
	if in.CallerArn == nil {
		if sim.resource != nil && src.Kind != store.KindUser {
			return nil, wireError("InvalidInput", "CallerArn is required when a ResourcePolicy is included and PolicySourceArn is not an IAM user.")
		}
		sim.principal.ARN = src.ARN
	}
	var own []*simPolicy
	var boundary *simPolicy
	err = s.store.View(ctx, func(tx store.Tx) error {
		if acct != c.AccountID {
			return store.NotFound(src.Kind, src.Name)
		}
		var err error
		own, boundary, err = principalPolicies(tx, c, src)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	kept := own[:0]
	for _, p := range own {
		if !excluded(exclusions, p, false) {
			kept = append(kept, p)
		}
	}
	sim.identity = append(kept, sim.identity...)
	if sim.boundary == nil && boundary != nil && !excluded(exclusions, boundary, true) {
		// A boundary given as input replaces the principal's (the
		// API reference on PermissionsBoundaryPolicyInputList).
		sim.boundary = boundary
	}
	return sim.page(si)
}

func excluded(list []policyExclusion, p *simPolicy, isBoundary bool) bool {
	for _, e := range list {
		if e.excludes(p, isBoundary) {
			return true
		}
	}
	return false
}

// checkContextKeyDocument validates a document for GetContextKeys*, which
// IAM checks less strictly than a document it stores: AWS's answers on
// record list the keys of documents with no or malformed actions or
// resources, with a Principal, or with no statements, and refuse only
// unparseable ones (syntax, an unknown condition operator, a missing
// Effect, an unknown element). The policy library finds the problems;
// this sets aside the kinds GetContextKeys* ignores.
func checkContextKeyDocument(doc string) error {
	var statements int
	for _, f := range policy.Validate([]byte(doc), policy.Identity) {
		if f.Path == "Statement" && f.Message == msgSyntaxErrors {
			// Statement missing or an empty list is accepted; a
			// statement without Effect is not.
			if statements == 0 {
				statements = len(readPolicyText(doc).Statements) + 1
			}
			if statements == 1 {
				continue
			}
		}
		if contextKeysIgnore(f) {
			continue
		}
		return wireError("InvalidInput", "%s", f.Message)
	}
	return nil
}

// msgSyntaxErrors is the policy library's (and IAM's) message for a
// document it cannot read.
const msgSyntaxErrors = "Syntax errors in policy."

// contextKeysIgnore reports whether GetContextKeys* accepts a document
// despite the finding.
func contextKeysIgnore(f policy.Finding) bool {
	if f.Message == msgSyntaxErrors {
		// A problem with one condition key (the same key twice in
		// different case, recorded as accepted), not with its operator.
		_, key, ok := strings.Cut(f.Path, ".Condition.")
		return ok && strings.Contains(key, ".")
	}
	for _, prefix := range []string{
		"Policy statement must contain actions.",
		"Policy statement must contain resources.",
		"Policy document should not specify a principal.",
		"Invalid principal in policy",
		"Resource ",
		"Partition ",
		"IAM resource ",
		"Actions/Condition",
		"Vendor ",
	} {
		if strings.HasPrefix(f.Message, prefix) {
			return true
		}
	}
	return false
}

// contextKeysOf lists each document's keys in turn. A key referenced by
// two documents is listed twice, as AWS lists it (recorded answers).
func contextKeysOf(docs []string) []string {
	out := []string{}
	for _, d := range docs {
		out = append(out, readPolicyText(d).contextKeys()...)
	}
	return out
}

func (s *Service) getContextKeysForCustomPolicy(_ context.Context, _ *service.Call, in *iamapi.GetContextKeysForCustomPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	for _, d := range in.PolicyInputList {
		if err := checkContextKeyDocument(d); err != nil {
			return nil, err
		}
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: contextKeysOf(in.PolicyInputList)}, nil
}

// getContextKeysForPrincipalPolicy lists the keys of the principal's
// policies (its groups' and its permissions boundary included), then of
// the policies given as strings.
func (s *Service) getContextKeysForPrincipalPolicy(ctx context.Context, c *service.Call, in *iamapi.GetContextKeysForPrincipalPolicyRequest) (*iamapi.GetContextKeysForPolicyResponse, error) {
	src, acct, err := parsePrincipalSource(in.PolicySourceArn)
	if err != nil {
		return nil, err
	}
	for _, d := range in.PolicyInputList {
		if err := checkContextKeyDocument(d); err != nil {
			return nil, err
		}
	}
	var docs []string
	err = s.store.View(ctx, func(tx store.Tx) error {
		docs = docs[:0]
		if acct != c.AccountID {
			return store.NotFound(src.Kind, src.Name)
		}
		own, boundary, err := principalPolicies(tx, c, src)
		if err != nil {
			return err
		}
		for _, p := range own {
			docs = append(docs, p.text)
		}
		if boundary != nil {
			docs = append(docs, boundary.text)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetContextKeysForPolicyResponse{ContextKeyNames: contextKeysOf(append(docs, in.PolicyInputList...))}, nil
}

// The rest of this file reads what the simulator reports about a policy
// document's text beyond its meaning, which package policy does not
// expose: where each
// statement lies (MatchedStatements' StartPosition and EndPosition) and
// which context keys the document references (GetContextKeys*,
// MissingContextValues). It runs only on documents policy.Validate has
// accepted (or accepted but for the findings GetContextKeys* ignores), so
// the JSON is well formed.

// textPos is a position in a document as IAM's simulator reports it: a
// 1-based line and a 1-based column counted in characters.
type textPos struct{ Line, Column int }

// policyStatement is one statement of a document's text.
type policyStatement struct {
	// Start and End are the positions the simulator reports for the
	// statement. IAM reports the position its JSON reader has reached
	// before and after reading the statement: for a single statement
	// object, just after its opening brace; for an array, just after the
	// "[" for the first statement and just after the previous statement's
	// closing brace for the others; the end is just after the closing
	// brace. That rule reproduces every answer of AWS on record: the AWS
	// CLI reference's examples for simulate-custom-policy (Column 38 to
	// 167 of a one-line policy) and simulate-principal-policy (Line 3,
	// Column 19 to Line 9, Column 10), and recorded AWS answers for
	// AdministratorAccess as AWS formats it (Line 3, Column 17 to Line 8,
	// Column 6) and for compact documents (Column 38 to 271).
	Start, End textPos
	// Body is the statement's JSON text.
	Body string
	// Effect is the statement's effect as written.
	Effect string
	// Action, NotAction, Resource and NotResource are the elements' JSON
	// texts, "" when absent.
	Action, NotAction, Resource, NotResource string
	// Keys are the context keys the statement references, in document
	// order, each spelling once: the keys of its conditions and the
	// policy variables in its resources and condition values.
	Keys []string
}

// policyText is what readPolicyText found in a document.
type policyText struct {
	Version    string
	Statements []policyStatement
}

// readPolicyText reads a document's statements. Anything it cannot read
// (which policy.Validate would have refused) yields fewer statements,
// never a panic.
func readPolicyText(doc string) policyText {
	var out policyText
	i := skipSpace(doc, 0)
	if i >= len(doc) || doc[i] != '{' {
		return out
	}
	members, _, ok := objectMembers(doc, i)
	if !ok {
		return out
	}
	var stmt *jsonMember
	for k := range members {
		switch members[k].key {
		case "Version":
			_ = json.Unmarshal([]byte(doc[members[k].start:members[k].end]), &out.Version)
		case "Statement":
			stmt = &members[k]
		}
	}
	if stmt == nil {
		return out
	}
	lines := newLineIndex(doc)
	vars := out.Version == "2012-10-17"
	switch doc[stmt.start] {
	case '{':
		out.Statements = append(out.Statements, readStatement(doc, stmt.start, stmt.end, lines.pos(stmt.start+1), vars, lines))
	case '[':
		items, ok := arrayItems(doc, stmt.start)
		if !ok {
			return out
		}
		from := stmt.start + 1
		for _, it := range items {
			if doc[it.start] == '{' {
				out.Statements = append(out.Statements, readStatement(doc, it.start, it.end, lines.pos(from), vars, lines))
			}
			from = it.end
		}
	}
	return out
}

// readStatement reads the statement object at [start, end).
func readStatement(doc string, start, end int, startPos textPos, vars bool, lines lineIndex) policyStatement {
	s := policyStatement{Start: startPos, End: lines.pos(end), Body: doc[start:end]}
	members, _, ok := objectMembers(doc, start)
	if !ok {
		return s
	}
	seen := map[string]bool{}
	add := func(k string) {
		if k != "" && !seen[k] {
			seen[k] = true
			s.Keys = append(s.Keys, k)
		}
	}
	for _, m := range members {
		raw := doc[m.start:m.end]
		switch m.key {
		case "Effect":
			_ = json.Unmarshal([]byte(raw), &s.Effect)
		case "Action":
			s.Action = raw
		case "NotAction":
			s.NotAction = raw
		case "Resource", "NotResource":
			if m.key == "Resource" {
				s.Resource = raw
			} else {
				s.NotResource = raw
			}
			if vars {
				for _, v := range jsonStrings(raw) {
					for _, k := range variableKeys(v) {
						add(k)
					}
				}
			}
		case "Condition":
			ops, _, ok := objectMembers(doc, m.start)
			if !ok {
				continue
			}
			for _, op := range ops {
				if doc[op.start] != '{' {
					continue
				}
				keys, _, ok := objectMembers(doc, op.start)
				if !ok {
					continue
				}
				for _, k := range keys {
					add(k.key)
					if !vars {
						continue
					}
					for _, v := range jsonStrings(doc[k.start:k.end]) {
						for _, vk := range variableKeys(v) {
							add(vk)
						}
					}
				}
			}
		}
	}
	return s
}

// contextKeys lists the context keys a document references, each spelling
// once, as GetContextKeysForCustomPolicy lists them per document.
func (t policyText) contextKeys() []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range t.Statements {
		for _, k := range s.Keys {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	return out
}

// variableKeys returns the keys of the policy variables in a string:
// "${aws:username}" and "${aws:username, 'default'}" name aws:username.
// AWS lists the special variables ${*}, ${?} and ${$} as keys "*", "?"
// and "$" too (recorded GetContextKeysForCustomPolicy answers).
func variableKeys(s string) []string {
	var keys []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			return keys
		}
		s = s[i+2:]
		j := strings.IndexByte(s, '}')
		if j < 0 {
			return keys
		}
		inner := s[:j]
		s = s[j+1:]
		if k := strings.IndexByte(inner, ','); k >= 0 {
			inner = inner[:k]
		}
		if inner = strings.TrimSpace(inner); inner != "" {
			keys = append(keys, inner)
		}
	}
}

// jsonStrings returns the strings of a JSON string or array of strings.
func jsonStrings(raw string) []string {
	var one string
	if json.Unmarshal([]byte(raw), &one) == nil {
		return []string{one}
	}
	var many []string
	if json.Unmarshal([]byte(raw), &many) == nil {
		return many
	}
	return nil
}

// lineIndex maps byte offsets to textPos.
type lineIndex struct {
	doc    string
	starts []int // byte offset of each line's first character
}

func newLineIndex(doc string) lineIndex {
	li := lineIndex{doc: doc, starts: []int{0}}
	for i := 0; i < len(doc); i++ {
		switch doc[i] {
		case '\n':
			li.starts = append(li.starts, i+1)
		case '\r':
			if i+1 < len(doc) && doc[i+1] == '\n' {
				i++
			}
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// pos returns the line and column of the character at off (or of the
// position just after the text).
func (li lineIndex) pos(off int) textPos {
	line := 0
	for line+1 < len(li.starts) && li.starts[line+1] <= off {
		line++
	}
	col := len([]rune(li.doc[li.starts[line]:min(off, len(li.doc))])) + 1
	return textPos{Line: line + 1, Column: col}
}

// jsonMember is one member of a JSON object: its key, unescaped, and its
// value's extent [start, end).
type jsonMember struct {
	key        string
	start, end int
}

// jsonItem is one element of a JSON array.
type jsonItem struct{ start, end int }

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the end of the JSON value starting at i.
func skipValue(s string, i int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch s[i] {
	case '"':
		return skipString(s, i)
	case '{':
		_, end, ok := objectMembers(s, i)
		return end, ok
	case '[':
		items, ok := arrayItems(s, i)
		if !ok {
			return i, false
		}
		end := skipSpace(s, i+1)
		if len(items) > 0 {
			end = skipSpace(s, items[len(items)-1].end)
		}
		return end + 1, end < len(s) && s[end] == ']'
	}
	j := i
	for j < len(s) && strings.IndexByte(",}] \t\r\n", s[j]) < 0 {
		j++
	}
	return j, j > i
}

func skipString(s string, i int) (int, bool) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return len(s), false
}

// objectMembers reads the object starting at i and returns its members
// and its end.
func objectMembers(s string, i int) ([]jsonMember, int, bool) {
	var out []jsonMember
	j := skipSpace(s, i+1)
	if j < len(s) && s[j] == '}' {
		return out, j + 1, true
	}
	for j < len(s) {
		if s[j] != '"' {
			return out, j, false
		}
		kend, ok := skipString(s, j)
		if !ok {
			return out, j, false
		}
		var key string
		if json.Unmarshal([]byte(s[j:kend]), &key) != nil {
			return out, j, false
		}
		j = skipSpace(s, kend)
		if j >= len(s) || s[j] != ':' {
			return out, j, false
		}
		vstart := skipSpace(s, j+1)
		vend, ok := skipValue(s, vstart)
		if !ok {
			return out, j, false
		}
		out = append(out, jsonMember{key: key, start: vstart, end: vend})
		j = skipSpace(s, vend)
		if j < len(s) && s[j] == ',' {
			j = skipSpace(s, j+1)
			continue
		}
		if j < len(s) && s[j] == '}' {
			return out, j + 1, true
		}
		return out, j, false
	}
	return out, j, false
}

// arrayItems reads the array starting at i.
func arrayItems(s string, i int) ([]jsonItem, bool) {
	var out []jsonItem
	j := skipSpace(s, i+1)
	if j < len(s) && s[j] == ']' {
		return out, true
	}
	for j < len(s) {
		end, ok := skipValue(s, j)
		if !ok {
			return out, false
		}
		out = append(out, jsonItem{start: j, end: end})
		j = skipSpace(s, end)
		if j < len(s) && s[j] == ',' {
			j = skipSpace(s, j+1)
			continue
		}
		return out, j < len(s) && s[j] == ']'
	}
	return out, false
}
