package policy

import (
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/iamd/iamd/arn"
)

// ErrMalformedPolicy is matched (errors.Is) by every *Error Parse returns.
var ErrMalformedPolicy = errors.New("malformed policy document")

// Finding is one problem Validate found in a document.
type Finding struct {
	// Path is the JSON path of the offending element, e.g.
	// "Statement[1].Condition.StringLike"; empty for the whole document.
	Path string
	// Offset is the byte offset in the document where the problem is.
	Offset int
	// Message is the MalformedPolicyDocument message AWS's IAM API returns
	// for it, e.g. "Policy statement must contain actions.".
	Message string
	rank    int
}

// Error is the error Parse returns: the first finding (in the order in
// which IAM reports them) of an invalid document. Its Error method returns
// the AWS message alone, as the server puts it on the wire.
type Error struct {
	Finding
}

// Error returns AWS's message.
func (e *Error) Error() string { return e.Message }

// Code returns the AWS error code, "MalformedPolicyDocument".
func (e *Error) Code() string { return "MalformedPolicyDocument" }

// Is makes errors.Is(err, ErrMalformedPolicy) true.
func (e *Error) Is(target error) bool { return target == ErrMalformedPolicy }

// Policy is a parsed, validated and compiled policy document. It is
// immutable and safe for concurrent use.
type Policy struct {
	kind    Kind
	version string
	id      string
	vars    bool
	stmts   []statement
	// byService maps a lower-case service prefix to the indexes of the
	// statements that can match its actions (those naming the service and
	// those with NotAction or a wildcard service), in document order.
	byService map[string][]int32
	// anyService holds the statements that can match any service.
	anyService []int32
}

// Kind returns the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Version returns the document's Version element ("" if absent).
func (p *Policy) Version() string { return p.version }

// ID returns the document's Id element.
func (p *Policy) ID() string { return p.id }

// Len returns the number of statements.
func (p *Policy) Len() int { return len(p.stmts) }

type statement struct {
	sid          string
	deny         bool
	notAction    bool
	actions      []glob // lower-case patterns
	notResource  bool
	hasResource  bool
	resources    []arnPattern
	principal    *principalSet
	notPrincipal bool
	conds        []condition
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any       bool     // "*" or {"AWS": "*"}
	accounts  []string // 12-digit ids, from ids and :root ARNs
	arns      []string // user, role, session and federated-user ARNs
	services  []string // lower-case service principals
	federated []string
	canonical []string
}

// Parse parses, validates and compiles a policy document of the given
// kind. An invalid document yields an *Error carrying AWS's
// MalformedPolicyDocument message for its first problem.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	c := compiler{kind: kind}
	p := c.compile(doc)
	if len(c.findings) > 0 {
		c.sort()
		return nil, &Error{Finding: c.findings[0]}
	}
	return p, nil
}

// Validate returns every finding for a document of the given kind, in the
// order IAM would report them (the first is what Parse returns); nil means
// the document is valid. Size quotas are not checked here: see CheckSize.
func Validate(doc []byte, kind Kind) []Finding {
	c := compiler{kind: kind}
	c.compile(doc)
	c.sort()
	return c.findings
}

type compiler struct {
	kind     Kind
	findings []Finding
	vars     bool
}

func (c *compiler) add(id msgID, path *jpath, off int, args ...any) {
	rank := messages[id].rank
	if c.kind == SCP || c.kind == RCP {
		id, args = msgOrganizations, nil
	}
	c.findings = append(c.findings, Finding{Path: path.String(), Offset: off, Message: id.text(args...), rank: rank})
}

func (c *compiler) sort() {
	sort.SliceStable(c.findings, func(i, j int) bool { return c.findings[i].rank < c.findings[j].rank })
}

// identityLike reports whether the kind forbids Principal.
func (c *compiler) identityLike() bool {
	switch c.kind {
	case Identity, Managed, Session, Boundary, SCP:
		return true
	}
	return false
}

// iamKind reports whether IAM itself stores documents of the kind (its
// SID character rule applies).
func (c *compiler) iamKind() bool {
	switch c.kind {
	case Identity, Managed, Session, Boundary, Trust:
		return true
	}
	return false
}

func (c *compiler) compile(doc []byte) *Policy {
	root := jpath{index: -1}
	switch c.kind {
	case Identity, Managed, Session, Boundary, Resource, Trust, SCP, RCP:
	default:
		c.add(msgSyntax, &root, 0)
		return nil
	}
	jr, rv, off, jerr := parseJSON(string(doc))
	defer jr.release()
	if jerr != "" {
		if c.kind == Trust || c.kind == Resource {
			c.add(msgInvalidJSON, &root, off)
		} else {
			c.add(msgSyntax, &root, off)
		}
		return nil
	}
	if rv.kind != jObject {
		c.add(msgSyntax, &root, rv.off)
		return nil
	}
	p := &Policy{kind: c.kind}
	var stmtVal *jvalue
	var seenVersion, seenID bool
	versionPath, stmtPath := at(&root, "Version"), at(&root, "Statement")
	for i := range rv.kids {
		m := &rv.kids[i]
		mp := at(&root, m.key)
		switch m.key {
		case "Version":
			if seenVersion {
				c.add(msgSyntax, &mp, m.off)
				continue
			}
			seenVersion = true
			if m.val.kind != jString || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				c.add(msgSyntax, &mp, m.val.off)
				continue
			}
			p.version = m.val.str
		case "Id":
			if seenID || m.val.kind != jString {
				c.add(msgSyntax, &mp, m.val.off)
				continue
			}
			seenID = true
			p.id = m.val.str
		case "Statement":
			if stmtVal != nil {
				c.add(msgSyntax, &mp, m.off)
				continue
			}
			stmtVal = &m.val
		default:
			c.add(msgSyntax, &mp, m.off)
		}
	}
	p.vars = p.version == "2012-10-17"
	c.vars = p.vars
	switch c.kind {
	case Managed, Boundary, SCP, RCP:
		if p.version != "2012-10-17" {
			c.add(msgVersion, &versionPath, 0)
		}
	}
	if stmtVal == nil {
		c.add(msgSyntax, &stmtPath, rv.off)
		return nil
	}
	var items []jmember
	single := false
	switch stmtVal.kind {
	case jObject:
		items, single = []jmember{{val: *stmtVal}}, true
	case jArray:
		if len(stmtVal.kids) == 0 {
			c.add(msgSyntax, &stmtPath, stmtVal.off)
			return nil
		}
		items = stmtVal.kids
	default:
		c.add(msgSyntax, &stmtPath, stmtVal.off)
		return nil
	}
	p.stmts = make([]statement, 0, len(items))
	var sids map[string]bool
	for i := range items {
		sp := stmtPath
		if !single {
			sp = elem(&stmtPath, i)
		}
		s, ok := c.statement(&items[i].val, &sp)
		if !ok {
			continue
		}
		if s.sid != "" {
			if sids == nil {
				sids = make(map[string]bool, len(items))
			}
			if sids[s.sid] {
				sidPath := at(&sp, "Sid")
				c.add(msgSidUnique, &sidPath, items[i].val.off)
			}
			sids[s.sid] = true
		}
		p.stmts = append(p.stmts, s)
	}
	if len(c.findings) > 0 {
		return nil
	}
	p.index()
	return p
}

// jpath is a JSON path built on the stack as the compiler descends; it
// becomes a string only when a finding needs it.
type jpath struct {
	parent *jpath
	key    string
	index  int // -1 for a member name
}

// at returns the path of member key under p.
func at(p *jpath, key string) jpath { return jpath{parent: p, key: key, index: -1} }

// elem returns the path of element i under p.
func elem(p *jpath, i int) jpath { return jpath{parent: p, index: i} }

// String renders the path, e.g. "Statement[1].Condition.StringLike",
// quoting member names that would make it ambiguous. It walks the parents
// without recursion so that paths stay on the stack.
func (p *jpath) String() string {
	var nodes [16]*jpath
	n := 0
	for q := p; q != nil && n < len(nodes); q = q.parent {
		if q.parent == nil && q.index < 0 && q.key == "" {
			break // the document root
		}
		nodes[n] = q
		n++
	}
	var b strings.Builder
	for i := n - 1; i >= 0; i-- {
		q := nodes[i]
		switch {
		case q.index >= 0:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(q.index))
			b.WriteByte(']')
		case q.key == "" || strings.ContainsAny(q.key, ".[]\" \t"):
			b.WriteByte('[')
			b.WriteString(strconv.Quote(q.key))
			b.WriteByte(']')
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(q.key)
		}
	}
	return b.String()
}

func (c *compiler) checkStrings(v *jvalue, path *jpath) (int, bool) {
	switch v.kind {
	case jString:
		return 1, true
	case jArray:
		for i := range v.kids {
			if v.kids[i].val.kind != jString {
				ep := elem(path, i)
				c.add(msgSyntax, &ep, v.kids[i].val.off)
				return 0, false
			}
		}
		return len(v.kids), true
	}
	c.add(msgSyntax, path, v.off)
	return 0, false
}

// eachString returns the i-th string of a checked element.
func eachString(v *jvalue, i int) string {
	if v.kind == jString {
		return v.str
	}
	return v.kids[i].val.str
}

// statement member bits, for duplicate detection without a map.
const (
	bitSid = 1 << iota
	bitEffect
	bitAction
	bitNotAction
	bitResource
	bitNotResource
	bitPrincipal
	bitNotPrincipal
	bitCondition
)

func statementMember(key string) int {
	switch key {
	case "Sid":
		return bitSid
	case "Effect":
		return bitEffect
	case "Action":
		return bitAction
	case "NotAction":
		return bitNotAction
	case "Resource":
		return bitResource
	case "NotResource":
		return bitNotResource
	case "Principal":
		return bitPrincipal
	case "NotPrincipal":
		return bitNotPrincipal
	case "Condition":
		return bitCondition
	}
	return 0
}

func (c *compiler) statement(v *jvalue, path *jpath) (statement, bool) {
	var s statement
	if v.kind != jObject {
		c.add(msgSyntax, path, v.off)
		return s, false
	}
	var effect, action, notAction, resource, notResource, principal, notPrincipal, cond, sid *jvalue
	seen := 0
	ok := true
	for i := range v.kids {
		m := &v.kids[i]
		bit := statementMember(m.key)
		if bit == 0 || seen&bit != 0 {
			mp := at(path, m.key)
			c.add(msgSyntax, &mp, m.off)
			ok = false
			continue
		}
		seen |= bit
		switch bit {
		case bitSid:
			sid = &m.val
		case bitEffect:
			effect = &m.val
		case bitAction:
			action = &m.val
		case bitNotAction:
			notAction = &m.val
		case bitResource:
			resource = &m.val
		case bitNotResource:
			notResource = &m.val
		case bitPrincipal:
			principal = &m.val
		case bitNotPrincipal:
			notPrincipal = &m.val
		case bitCondition:
			cond = &m.val
		}
	}
	sidPath, effectPath := at(path, "Sid"), at(path, "Effect")
	// Syntax: types and exclusive pairs.
	if sid != nil {
		if sid.kind != jString {
			c.add(msgSyntax, &sidPath, sid.off)
			ok = false
		} else {
			s.sid = sid.str
			if c.iamKind() && !alnum(s.sid) {
				c.add(msgSidAlnum, &sidPath, sid.off)
			}
		}
	}
	if effect == nil {
		c.add(msgSyntax, path, v.off)
		ok = false
	} else if effect.kind != jString || !(strings.EqualFold(effect.str, "Allow") || strings.EqualFold(effect.str, "Deny")) {
		c.add(msgSyntax, &effectPath, effect.off)
		ok = false
	} else {
		if effect.str != "Allow" && effect.str != "Deny" {
			c.add(msgLegacy, &effectPath, effect.off)
		}
		s.deny = strings.EqualFold(effect.str, "Deny")
	}
	actPath, resPath, princPath := at(path, "Action"), at(path, "Resource"), at(path, "Principal")
	if notAction != nil {
		actPath = at(path, "NotAction")
	}
	if notResource != nil {
		resPath = at(path, "NotResource")
	}
	if notPrincipal != nil {
		princPath = at(path, "NotPrincipal")
	}
	if action != nil && notAction != nil {
		c.add(msgSyntax, &actPath, notAction.off)
		ok = false
	}
	if resource != nil && notResource != nil {
		c.add(msgSyntax, &resPath, notResource.off)
		ok = false
	}
	if principal != nil && notPrincipal != nil {
		c.add(msgSyntax, &princPath, notPrincipal.off)
		ok = false
	}
	actVal, resVal := action, resource
	if actVal == nil {
		actVal = notAction
		s.notAction = notAction != nil
	}
	if resVal == nil {
		resVal = notResource
		s.notResource = notResource != nil
	}
	nActions, nResources := 0, 0
	if actVal != nil {
		n, good := c.checkStrings(actVal, &actPath)
		nActions, ok = n, ok && good
	}
	if resVal != nil {
		n, good := c.checkStrings(resVal, &resPath)
		nResources, ok = n, ok && good
	}
	var ps *principalSet
	if pv := principal; pv != nil || notPrincipal != nil {
		if pv == nil {
			pv = notPrincipal
		}
		s.notPrincipal = principal == nil
		var good bool
		ps, good = c.principal(pv, &princPath)
		ok = ok && good
	}
	if cond != nil {
		condPath := at(path, "Condition")
		conds, good := c.conditions(cond, &condPath)
		s.conds, ok = conds, ok && good
	}
	if !ok {
		return s, false
	}

	// Kind rules.
	switch {
	case c.identityLike():
		if principal != nil || notPrincipal != nil {
			c.add(msgPrincipalForbidden, &princPath, v.off)
		}
	default:
		if principal == nil && notPrincipal == nil {
			c.add(msgPrincipalMissing, path, v.off)
		}
	}
	if c.kind == Trust {
		if resource != nil {
			c.add(msgProhibitedField, &resPath, resource.off, "Resource")
		}
		if notResource != nil {
			c.add(msgProhibitedField, &resPath, notResource.off, "NotResource")
		}
		if notPrincipal != nil {
			c.add(msgProhibitedField, &princPath, notPrincipal.off, "NotPrincipal")
		}
	}
	if c.kind == RCP {
		if notPrincipal != nil {
			c.add(msgProhibitedField, &princPath, notPrincipal.off, "NotPrincipal")
		}
		if notAction != nil {
			c.add(msgProhibitedField, &actPath, notAction.off, "NotAction")
		}
		if principal != nil && (ps == nil || !ps.any) {
			c.add(msgRCPPrincipal, &princPath, principal.off)
		}
		if !s.deny && effect != nil {
			full := ps != nil && ps.any && nActions == 1 && eachString(actVal, 0) == "*" &&
				resource != nil && nResources == 1 && eachString(resVal, 0) == "*" && len(s.conds) == 0
			if !full {
				c.add(msgRCPAllow, &effectPath, effect.off)
			}
		}
	}

	// Actions.
	if nActions == 0 {
		c.add(msgNoActions, path, v.off)
	}
	s.actions = make([]glob, nActions)
	trustBad := false
	// Lower-case all actions into one string (one allocation).
	total := 0
	for i := 0; i < nActions; i++ {
		total += len(eachString(actVal, i))
	}
	lowered := make([]byte, 0, total)
	for i := 0; i < nActions; i++ {
		lowered = append(lowered, eachString(actVal, i)...)
	}
	for i := range lowered {
		lowered[i] = lowerASCII(lowered[i])
	}
	all := string(lowered)
	off := 0
	for i := 0; i < nActions; i++ {
		a := eachString(actVal, i)
		c.checkAction(a, &actPath, v.off)
		if c.kind == Trust && !trustAction(a) {
			trustBad = true
		}
		s.actions[i] = compileGlob(all[off:off+len(a)], true, false)
		off += len(a)
	}
	if trustBad {
		c.add(msgTrustActions, &actPath, v.off)
	}

	// Resources.
	if c.kind != Trust {
		if nResources == 0 {
			c.add(msgNoResources, path, v.off)
		}
		s.hasResource = true
		s.resources = make([]arnPattern, nResources)
		for i := 0; i < nResources; i++ {
			s.resources[i] = compileARNPattern(eachString(resVal, i), c.vars)
		}
		// IAM reports the problem of the lowest resource in sort order.
		if nResources == 1 {
			c.checkResource(eachString(resVal, 0), &resPath, v.off)
		} else if nResources > 1 {
			order := make([]string, nResources)
			for i := range order {
				order[i] = eachString(resVal, i)
			}
			sort.Strings(order)
			for _, r := range order {
				c.checkResource(r, &resPath, v.off)
			}
		}
	}
	s.principal = ps
	return s, true
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// trustAction reports whether a trust policy may name the action: STS
// actions (sts:AssumeRole, sts:AssumeRoleWithSAML,
// sts:AssumeRoleWithWebIdentity, sts:TagSession, sts:SetSourceIdentity,
// sts:SetContext and patterns over them) and "*".
func trustAction(a string) bool {
	if a == "*" {
		return true
	}
	vendor, _, _ := strings.Cut(a, ":")
	return strings.EqualFold(vendor, "sts")
}

// checkAction applies IAM's action syntax: "vendor:name" with one colon
// and a vendor of letters, digits, "-" and ".", or "*".
func (c *compiler) checkAction(a string, path *jpath, off int) {
	if a == "*" {
		return
	}
	vendor, rest, found := strings.Cut(a, ":")
	if !found {
		c.add(msgActionVendor, path, off)
		return
	}
	if strings.IndexByte(rest, ':') >= 0 {
		c.add(msgActionColon, path, off)
		return
	}
	if vendor == "*" {
		return
	}
	for j := 0; j < len(vendor); j++ {
		ch := vendor[j]
		if !('0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || ch == '-' || ch == '.') {
			c.add(msgVendorInvalid, path, off, vendor)
			return
		}
	}
	if vendor == "" {
		c.add(msgVendorInvalid, path, off, vendor)
	}
}

// iamResourcePrefixes are the resource types IAM accepts in iam ARNs.
var iamResourcePrefixes = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// checkResource applies IAM's resource syntax checks.
func (c *compiler) checkResource(r string, path *jpath, off int) {
	if r == "*" {
		return
	}
	first := colonOutsideVariables(r, c.vars)
	if first < 0 {
		c.add(msgResourceARN, path, off, r)
		return
	}
	rest := r[first+1:]
	pj := colonOutsideVariables(rest, c.vars)
	partition := rest
	if pj >= 0 {
		partition = rest[:pj]
	}
	if !arn.ValidPartition(partition) && !strings.ContainsAny(partition, "*?") && !strings.Contains(partition, "${") {
		c.add(msgResourcePartition, path, off, partition, rebuildForMessage(partition, rest, pj))
		return
	}
	if pj < 0 {
		c.add(msgResourceVendor, path, off)
		return
	}
	// Legacy parsing: "::" with fewer than five colons, or no service.
	if strings.Count(r, ":") < 5 && strings.Contains(r, "::") {
		c.add(msgLegacy, path, off)
		return
	}
	rest = rest[pj+1:]
	sj := colonOutsideVariables(rest, c.vars)
	service := rest
	if sj >= 0 {
		service = rest[:sj]
	}
	if service == "" {
		c.add(msgLegacy, path, off)
		return
	}
	if strings.ContainsAny(service, "*?") && service != "*" {
		c.add(msgResourceVendor, path, off)
		return
	}
	if sj < 0 {
		return
	}
	rest = rest[sj+1:]
	rj := colonOutsideVariables(rest, c.vars)
	region := rest
	if rj >= 0 {
		region = rest[:rj]
	}
	switch service {
	case "iam":
		if region != "" {
			c.add(msgIAMRegion, path, off, r)
			return
		}
	case "s3":
		// Buckets and objects have neither region nor account; S3's
		// regional resources (access points, access grants) have both,
		// and IAM accepts those.
		if region != "" && rj >= 0 && strings.HasPrefix(rest[rj+1:], ":") {
			c.add(msgS3Region, path, off, r)
			return
		}
	}
	if service == "iam" && rj >= 0 {
		rest = rest[rj+1:]
		if aj := colonOutsideVariables(rest, c.vars); aj >= 0 {
			res := rest[aj+1:]
			// IAM also accepts the root user ("arn:aws:iam::*:root"), which
			// its managed policies for root credentials name.
			if res != "*" && res != "root" {
				okPrefix := false
				for _, pfx := range iamResourcePrefixes {
					if strings.HasPrefix(res, pfx) {
						okPrefix = true
						break
					}
				}
				if !okPrefix {
					c.add(msgIAMPath, path, off)
				}
			}
		}
	}
}

// rebuildForMessage renders a resource with an invalid partition the way
// IAM's message shows it: "arn:" + partition + the next four parts, "*"
// for each missing one, and the rest joined.
func rebuildForMessage(partition, rest string, pj int) string {
	var parts []string
	if pj >= 0 {
		parts = strings.Split(rest[pj+1:], ":")
	} else {
		parts = []string{""}
	}
	get := func(i int) string {
		if i >= len(parts) {
			return "*"
		}
		if i == 0 && parts[0] == "" && len(parts) == 1 {
			return "*"
		}
		return parts[i]
	}
	tail := "*"
	if len(parts) > 3 {
		tail = strings.Join(parts[3:], ":")
	}
	return "arn:" + partition + ":" + get(0) + ":" + get(1) + ":" + get(2) + ":" + tail
}

// principal compiles a Principal or NotPrincipal element.
func (c *compiler) principal(v *jvalue, path *jpath) (*principalSet, bool) {
	ps := &principalSet{}
	switch v.kind {
	case jString:
		if v.str != "*" {
			c.add(msgInvalidPrincipal, path, v.off, "AWS", v.str)
			return ps, true
		}
		ps.any = true
		return ps, true
	case jObject:
	default:
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	if len(v.kids) == 0 {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	for i := range v.kids {
		m := &v.kids[i]
		mp := at(path, m.key)
		for j := 0; j < i; j++ {
			if v.kids[j].key == m.key {
				c.add(msgSyntax, &mp, m.off)
				return nil, false
			}
		}
		n, ok := c.checkStrings(&m.val, &mp)
		if !ok {
			return nil, false
		}
		if n == 0 {
			c.add(msgSyntax, &mp, m.val.off)
			return nil, false
		}
		for k := 0; k < n; k++ {
			s := eachString(&m.val, k)
			switch m.key {
			case "AWS":
				c.awsPrincipal(ps, s, &mp, m.val.off)
			case "Service":
				if s == "*" {
					ps.any = true
				} else if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, &mp, m.val.off, m.key, s)
				} else {
					ps.services = append(ps.services, toLowerASCII(s))
				}
			case "Federated":
				if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, &mp, m.val.off, m.key, s)
				} else {
					ps.federated = append(ps.federated, s)
				}
			case "CanonicalUser":
				if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, &mp, m.val.off, m.key, s)
				} else {
					ps.canonical = append(ps.canonical, s)
				}
			default:
				c.add(msgSyntax, &mp, m.off)
				return nil, false
			}
		}
	}
	return ps, true
}

// awsPrincipal adds an "AWS" principal: "*", an account id, or the ARN of
// an account root, user, role, role session or federated user. Wildcards
// inside an ARN are not allowed.
func (c *compiler) awsPrincipal(ps *principalSet, s string, path *jpath, off int) {
	if s == "*" {
		ps.any = true
		return
	}
	if arn.ValidAccountID(s) {
		ps.accounts = append(ps.accounts, s)
		return
	}
	a, err := arn.Parse(s)
	valid := err == nil && arn.ValidPartition(a.Partition) && arn.ValidAccountID(a.AccountID) &&
		a.Region == "" && !strings.ContainsAny(s, "*?")
	if valid {
		switch a.Service {
		case "iam":
			switch {
			case a.Resource == "root":
				ps.accounts = append(ps.accounts, a.AccountID)
				return
			case hasNamedPrefix(a.Resource, "user/"), hasNamedPrefix(a.Resource, "role/"):
				ps.arns = append(ps.arns, s)
				return
			}
		case "sts":
			if hasNamedPrefix(a.Resource, "federated-user/") ||
				(hasNamedPrefix(a.Resource, "assumed-role/") && strings.Count(a.Resource, "/") == 2 && !strings.HasSuffix(a.Resource, "/")) {
				ps.arns = append(ps.arns, s)
				return
			}
		}
	}
	c.add(msgInvalidPrincipal, path, off, "AWS", s)
}

func hasNamedPrefix(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && len(s) > len(prefix)
}

// conditions compiles a Condition element.
func (c *compiler) conditions(v *jvalue, path *jpath) ([]condition, bool) {
	if v.kind != jObject {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	var out []condition
	for i := range v.kids {
		opm := &v.kids[i]
		opPath := at(path, opm.key)
		for j := 0; j < i; j++ {
			if v.kids[j].key == opm.key {
				c.add(msgSyntax, &opPath, opm.off)
				return nil, false
			}
		}
		if opm.val.kind != jObject {
			c.add(msgSyntax, &opPath, opm.val.off)
			return nil, false
		}
		spec, set, ifExists, known := parseOperator(opm.key)
		if !known {
			// IAM accepts an unknown operator with nothing under it, and
			// rejects one that names keys.
			if len(opm.val.kids) > 0 {
				c.add(msgSyntax, &opPath, opm.off)
				return nil, false
			}
			continue
		}
		for j := range opm.val.kids {
			km := &opm.val.kids[j]
			kPath := at(&opPath, km.key)
			for k := 0; k < j; k++ {
				if strings.EqualFold(opm.val.kids[k].key, km.key) {
					c.add(msgSyntax, &kPath, km.off)
					return nil, false
				}
			}
			values, ok := c.conditionValues(&km.val, &kPath)
			if !ok {
				return nil, false
			}
			if spec.fam == famDate {
				for _, dv := range values {
					if !parseDate(dv).ok {
						c.add(msgLegacy, &kPath, km.val.off)
						break
					}
				}
			}
			if out == nil {
				out = make([]condition, 0, len(v.kids))
			}
			out = append(out, compileCondition(spec, set, ifExists, km.key, values, c.vars))
		}
	}
	return out, true
}

// conditionValues reads a condition value: a string, number or boolean,
// or an array of them. Numbers keep their JSON text.
func (c *compiler) conditionValues(v *jvalue, path *jpath) ([]string, bool) {
	scalar := func(e *jvalue) bool {
		switch e.kind {
		case jString, jNumber, jBool:
			return true
		}
		return false
	}
	if v.kind == jArray {
		out := make([]string, len(v.kids))
		for i := range v.kids {
			if !scalar(&v.kids[i].val) {
				ep := elem(path, i)
				c.add(msgSyntax, &ep, v.kids[i].val.off)
				return nil, false
			}
			out[i] = v.kids[i].val.str
		}
		return out, true
	}
	if !scalar(v) {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	return []string{v.str}, true
}

// index builds the per-service statement lists.
func (p *Policy) index() {
	var anyIdx []int32
	svc := map[string][]int32{}
	for i := range p.stmts {
		s := &p.stmts[i]
		if s.notAction {
			anyIdx = append(anyIdx, int32(i))
			continue
		}
		wildService := false
		var nameBuf [8]string
		names := nameBuf[:0]
		for _, a := range s.actions {
			text := a.text
			if !a.literal {
				text = patternText(&a)
			}
			vendor, _, found := strings.Cut(text, ":")
			if !found || strings.ContainsAny(vendor, "*?") {
				wildService = true
				break
			}
			names = append(names, vendor)
		}
		if wildService {
			anyIdx = append(anyIdx, int32(i))
			continue
		}
		for _, n := range names {
			l := svc[n]
			if len(l) == 0 || l[len(l)-1] != int32(i) {
				svc[n] = append(l, int32(i))
			}
		}
	}
	p.anyService = anyIdx
	p.byService = make(map[string][]int32, len(svc))
	for name, l := range svc {
		p.byService[name] = mergeSorted(l, anyIdx)
	}
}

// patternText renders an action glob back to its text (actions have no
// variables), for indexing.
func patternText(g *glob) string {
	var b strings.Builder
	for i, p := range g.pieces {
		if i > 0 {
			b.WriteByte('*')
		}
		for _, t := range p {
			if t.kind == tokOne {
				b.WriteByte('?')
			} else {
				b.WriteString(t.lit)
			}
		}
	}
	return b.String()
}

func mergeSorted(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j >= len(b) || (i < len(a) && a[i] < b[j]):
			out = append(out, a[i])
			i++
		case i >= len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}
