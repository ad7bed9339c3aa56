package policy

import "strings"

// matchLevel says how a resource-based statement's Principal named the
// caller, which decides whether other policy types still limit the grant
// ("Policy evaluation logic": resource-based policies and implicit denies
// in other policy types).
type matchLevel uint8

const (
	levelNone    matchLevel = iota
	levelAccount            // the caller's account: delegates to identity-based policies
	levelParent             // a federated user's IAM user: limited by boundary and session policy
	levelRole               // an assumed role's role: limited by boundary and session policy
	levelDirect             // the caller itself, "*", a service: not limited
)

// ref identifies a statement that matched.
type ref struct {
	kind   Kind
	level  int32
	policy int32
	stmt   int32
	sid    string
	match  matchLevel
	deny   bool
}

func (r ref) reason() Reason {
	eff := Allow
	if r.deny {
		eff = ExplicitDeny
	}
	return Reason{Kind: r.kind, Level: int(r.level), Policy: int(r.policy), Statement: int(r.stmt), Sid: r.sid, Effect: eff}
}

// refList is a list of matching statements that lives on the stack while
// it is short.
type refList struct {
	fixed [6]ref
	n     int
	more  []ref
}

func (l *refList) add(r ref) {
	if l.n < len(l.fixed) {
		l.fixed[l.n] = r
	} else {
		l.more = append(l.more, r)
	}
	l.n++
}

func (l *refList) at(i int) *ref {
	if i < len(l.fixed) {
		return &l.fixed[i]
	}
	return &l.more[i-len(l.fixed)]
}

// collector gathers matching statements during one evaluation.
type collector struct {
	denies refList
	allows refList
}

// evaluator is the per-request state of Evaluate.
type evaluator struct {
	req          *Request
	env          env
	action       string
	service      string // the part before ":"
	svc          []byte // service in lower case
	lower        []byte // the action in lower case, when it fits 96 bytes
	resKey       uint64 // resourceKey of the request's resource
	resKeyOK     bool
	hasBoundary  bool
	iamPrincipal bool
	col          *collector
}

// Evaluate decides whether the request is allowed by the policies that
// apply to it, following AWS's policy evaluation logic:
//
//  1. An explicit Deny in any applicable policy (identity-based, resource-
//     based, permissions boundary, session, SCP, RCP) wins.
//  2. Each RCP level of the resource's account and each SCP level of the
//     principal's account must allow (SCPs do not apply to service and
//     anonymous callers, who belong to no account).
//  3. Within one account, an identity-based Allow (limited by the
//     boundary and the session policies) or a resource-based Allow grants.
//     A resource-based grant to the caller itself (user, role session,
//     federated user, "*") is not limited by the other types; one to a
//     role ARN or a federated user's IAM user is limited by the boundary
//     and session policies; one to the account only delegates to the
//     identity-based policies. Role trust policies and KMS key policies
//     must allow in every case.
//  4. Across accounts both sides must allow: the caller's identity-based
//     chain in its account and the resource-based policy.
//  5. The root user has full access in its own account; a federated user
//     without a session policy has none.
//
// Evaluate does no I/O and cannot fail; it does not modify its arguments
// and may be called concurrently with shared policies.
func Evaluate(req Request, set PolicySet) Decision {
	var col collector
	pt := req.Principal.Type
	ev := evaluator{
		req:          &req,
		action:       req.Action,
		hasBoundary:  set.Boundary != nil,
		iamPrincipal: pt == User || pt == AssumedRole || pt == FederatedUser,
		col:          &col,
	}
	ev.env.ctx = &req.Context
	if i := strings.IndexByte(ev.action, ':'); i >= 0 {
		ev.service = ev.action[:i]
	}
	ev.resKey, ev.resKeyOK = resourceKey(req.Resource)
	var lowerBuf [96]byte
	ev.lower = lowerInto(lowerBuf[:], ev.action)
	if ev.lower != nil {
		ev.svc = ev.lower[:len(ev.service)]
	} else {
		ev.svc = []byte(strings.ToLower(ev.service))
	}
	hasSession := pt == AssumedRole || pt == FederatedUser
	scpApplies := ev.iamPrincipal || pt == Root

	// Scan every applicable policy once, recording allows and denies.
	idAllow := false
	if ev.iamPrincipal {
		for i, p := range set.Identity {
			if ev.scan(p, Identity, 0, i) {
				idAllow = true
			}
		}
	}
	boundaryOK := true
	if ev.iamPrincipal && set.Boundary != nil {
		boundaryOK = ev.scan(set.Boundary, Boundary, 0, 0)
	}
	sessionOK := true
	if hasSession {
		if len(set.Session) == 0 {
			// "Session policies": a federated user session without a
			// session policy has no permissions; a role session without
			// one is limited by nothing.
			sessionOK = pt == AssumedRole
		} else {
			sessionOK = false
			for i, p := range set.Session {
				if ev.scan(p, Session, 0, i) {
					sessionOK = true
				}
			}
		}
	}
	var res matchLevel
	if set.Resource != nil {
		res = ev.scanResource(set.Resource)
	}
	scpFail := -1
	if scpApplies {
		scpFail = ev.scanLevels(set.SCP, SCP)
	}
	rcpFail := ev.scanLevels(set.RCP, RCP)

	if col.denies.n > 0 {
		return decide(ExplicitDeny, &col.denies, levelNone, true, true)
	}
	if rcpFail >= 0 {
		return implicit(Reason{Kind: RCP, Level: rcpFail, Policy: -1, Statement: -1})
	}
	if scpFail >= 0 {
		return implicit(Reason{Kind: SCP, Level: scpFail, Policy: -1, Statement: -1})
	}

	principalAcct := req.Principal.Account
	resourceAcct := req.ResourceAccount
	if resourceAcct == "" {
		resourceAcct = principalAcct
	}
	sameAccount := resourceAcct == principalAcct
	needResource := req.ResourceKind == RoleTrustPolicy || req.ResourceKind == KMSKeyPolicy

	// The identity side: what the caller's own account grants it.
	identitySide := pt == Root || (ev.iamPrincipal && idAllow && boundaryOK && sessionOK)
	chainReason := func() Reason {
		switch {
		case ev.iamPrincipal && !idAllow:
			return Reason{Kind: Identity, Policy: -1, Statement: -1}
		case !boundaryOK:
			return Reason{Kind: Boundary, Policy: -1, Statement: -1}
		case !sessionOK:
			return Reason{Kind: Session, Policy: -1, Statement: -1}
		}
		return Reason{Kind: Identity, Policy: -1, Statement: -1}
	}
	resourceReason := Reason{Kind: Resource, Policy: -1, Statement: -1}

	if !ev.iamPrincipal && pt != Root {
		// Services, anonymous and web-identity callers have no identity
		// side: only a resource-based grant to them (or to "*") counts.
		if res == levelDirect {
			return decide(Allow, &col.allows, levelDirect, false, false)
		}
		return implicit(resourceReason)
	}
	// A resource-based grant, as far as the other policy types let it.
	var resGrant matchLevel
	switch res {
	case levelDirect:
		resGrant = levelDirect
	case levelRole, levelParent:
		if boundaryOK && sessionOK {
			resGrant = res
		}
	case levelAccount:
		if identitySide {
			resGrant = levelAccount
		}
	}
	if !sameAccount {
		if !identitySide {
			return implicit(chainReason())
		}
		if res == levelNone {
			return implicit(resourceReason)
		}
		return decide(Allow, &col.allows, res, true, false)
	}
	if needResource {
		if pt == Root && req.ResourceKind == RoleTrustPolicy {
			// "You cannot use root user credentials to assume a role."
			return implicit(resourceReason)
		}
		if res == levelNone {
			return implicit(resourceReason)
		}
		if resGrant == levelNone {
			return implicit(chainReason())
		}
		return decide(Allow, &col.allows, resGrant, resGrant == levelAccount, false)
	}
	if pt == Root {
		return decide(Allow, &col.allows, resGrant, false, false)
	}
	if identitySide || resGrant != levelNone {
		return decide(Allow, &col.allows, resGrant, identitySide, false)
	}
	if res == levelRole || res == levelParent {
		// The grant to the role (or parent user) exists but the boundary
		// or session policy does not allow.
		if !boundaryOK {
			return implicit(Reason{Kind: Boundary, Policy: -1, Statement: -1})
		}
		return implicit(Reason{Kind: Session, Policy: -1, Statement: -1})
	}
	return implicit(chainReason())
}

func implicit(r Reason) Decision {
	return Decision{Effect: ImplicitDeny, Reasons: []Reason{r}}
}

// decide builds a Decision from the recorded statements: all of them
// (for denies), or the allowing statements behind an Allow: the
// resource-based ones at or above level min (when min is set) and, with
// identity, the identity-based ones.
func decide(e Effect, refs *refList, min matchLevel, identity, all bool) Decision {
	keep := func(r *ref) bool {
		if all {
			return true
		}
		switch r.kind {
		case Identity:
			return identity
		case Resource:
			return min != levelNone && r.match >= min
		}
		return false
	}
	n := 0
	for i := 0; i < refs.n; i++ {
		if keep(refs.at(i)) {
			n++
		}
	}
	d := Decision{Effect: e}
	if n > 0 {
		d.Reasons = make([]Reason, 0, n)
		for i := 0; i < refs.n; i++ {
			if r := refs.at(i); keep(r) {
				d.Reasons = append(d.Reasons, r.reason())
			}
		}
	}
	return d
}

// candidates returns the statements of p that may match the action.
func (ev *evaluator) candidates(p *Policy) []int32 {
	if l, ok := p.byService[string(ev.svc)]; ok {
		return l
	}
	return p.anyService
}

// lowerInto lower-cases s (ASCII) into buf when it fits, returning the
// bytes, so that the service prefix can index the statement maps without
// allocating.
func lowerInto(buf []byte, s string) []byte {
	if len(s) > len(buf) {
		return nil
	}
	b := buf[:len(s)]
	for i := 0; i < len(s); i++ {
		b[i] = lowerASCII(s[i])
	}
	return b
}

// scan evaluates a policy without principals (identity-based, boundary,
// session, SCP), records matching statements, and reports whether any
// Allow matched.
func (ev *evaluator) scan(p *Policy, kind Kind, level, index int) bool {
	if p == nil {
		return false
	}
	allowed := false
	for _, i := range ev.candidates(p) {
		s := &p.stmts[i]
		if s.principal != nil && kind == RCP {
			if s.principalLevel(ev) == levelNone {
				continue
			}
		}
		if !s.matches(ev) {
			continue
		}
		r := ref{kind: kind, level: int32(level), policy: int32(index), stmt: i, sid: s.sid, deny: s.deny}
		if s.deny {
			ev.col.denies.add(r)
		} else {
			allowed = true
			if kind == Identity {
				ev.col.allows.add(r)
			}
		}
	}
	return allowed
}

// scanLevels evaluates SCP or RCP levels and returns the first level that
// allows nothing, or -1.
func (ev *evaluator) scanLevels(levels [][]*Policy, kind Kind) int {
	fail := -1
	for l, docs := range levels {
		allowed := false
		for i, p := range docs {
			if ev.scan(p, kind, l, i) {
				allowed = true
			}
		}
		if !allowed && fail < 0 {
			fail = l
		}
	}
	return fail
}

// scanResource evaluates the resource-based policy and returns the best
// level at which an Allow named the caller.
func (ev *evaluator) scanResource(p *Policy) matchLevel {
	best := levelNone
	for _, i := range ev.candidates(p) {
		s := &p.stmts[i]
		lvl := s.principalLevel(ev)
		if s.deny && s.notPrincipal && ev.iamPrincipal && ev.hasBoundary {
			// "NotPrincipal": a Deny with NotPrincipal always denies an
			// IAM principal that has a permissions boundary.
			lvl = levelDirect
		}
		if lvl == levelNone || !s.matches(ev) {
			continue
		}
		r := ref{kind: Resource, policy: 0, stmt: i, sid: s.sid, match: lvl, deny: s.deny}
		if s.deny {
			ev.col.denies.add(r)
			continue
		}
		ev.col.allows.add(r)
		if lvl > best {
			best = lvl
		}
	}
	return best
}

// matches checks a statement's action, resource and conditions.
func (s *statement) matches(ev *evaluator) bool {
	found := false
	for i := range s.actions {
		a := &s.actions[i]
		if a.literal && ev.lower != nil {
			if string(ev.lower) == a.text {
				found = true
				break
			}
			continue
		}
		if a.matchFold(ev.action) {
			found = true
			break
		}
	}
	if found == s.notAction {
		return false
	}
	if s.hasResource {
		found = false
		for i := range s.resources {
			switch s.resources[i].matchResource(ev.req.Resource, ev.resKey, ev.resKeyOK, &ev.env, s.notResource) {
			case isMatch:
				found = true
			case unresolved:
				if s.notResource {
					// An unresolvable variable makes the statement invalid.
					return false
				}
			}
			if found {
				break
			}
		}
		if found == s.notResource {
			return false
		}
	}
	for i := range s.conds {
		if !s.conds[i].eval(&ev.env) {
			return false
		}
	}
	return true
}

// principalLevel returns how the statement's Principal (or NotPrincipal)
// names the caller.
func (s *statement) principalLevel(ev *evaluator) matchLevel {
	ps := s.principal
	if ps == nil {
		return levelDirect
	}
	p := &ev.req.Principal
	if s.notPrincipal {
		if ps.excludes(p) {
			return levelNone
		}
		return levelDirect
	}
	return ps.level(p)
}

func contains(list []string, s string) bool {
	if s == "" {
		return false
	}
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// level matches a Principal element against the caller ("AWS JSON policy
// elements: Principal"): "*" names everyone; an account id or root ARN
// names the account; a role ARN names the role's sessions; an IAM user's
// ARN names that user's federated sessions.
func (ps *principalSet) level(p *Principal) matchLevel {
	if ps.any {
		return levelDirect
	}
	if p.CanonicalUser != "" && contains(ps.canonical, p.CanonicalUser) {
		return levelDirect
	}
	switch p.Type {
	case User:
		if contains(ps.arns, p.ARN) {
			return levelDirect
		}
	case AssumedRole:
		if contains(ps.arns, p.ARN) {
			return levelDirect
		}
		if contains(ps.arns, p.RoleARN) {
			return levelRole
		}
	case FederatedUser:
		if contains(ps.arns, p.ARN) {
			return levelDirect
		}
		if contains(ps.arns, p.ParentARN) {
			return levelParent
		}
	case Root:
		if contains(ps.accounts, p.Account) {
			return levelDirect
		}
		return levelNone
	case Service:
		if p.Service != "" && contains(ps.services, toLowerASCII(p.Service)) {
			return levelDirect
		}
		return levelNone
	case WebIdentity:
		if contains(ps.federated, p.Provider) {
			return levelDirect
		}
		return levelNone
	default:
		return levelNone
	}
	if contains(ps.accounts, p.Account) {
		return levelAccount
	}
	return levelNone
}

// excludes reports whether a NotPrincipal element exempts the caller. AWS
// may check the account, then the role or user, then the session, so every
// identity in the caller's chain must be listed: the account and the user;
// the account, the role and the session; the account and the federated
// user ("AWS JSON policy elements: NotPrincipal").
func (ps *principalSet) excludes(p *Principal) bool {
	if ps.any {
		return true
	}
	switch p.Type {
	case User, FederatedUser:
		return contains(ps.arns, p.ARN) && contains(ps.accounts, p.Account)
	case AssumedRole:
		return contains(ps.arns, p.ARN) && contains(ps.arns, p.RoleARN) && contains(ps.accounts, p.Account)
	case Root:
		return contains(ps.accounts, p.Account)
	case Service:
		return p.Service != "" && contains(ps.services, toLowerASCII(p.Service))
	case WebIdentity:
		return contains(ps.federated, p.Provider)
	}
	return p.CanonicalUser != "" && contains(ps.canonical, p.CanonicalUser)
}
