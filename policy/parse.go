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

func (c *compiler) add(id msgID, path string, off int, args ...any) {
	c.findings = append(c.findings, Finding{Path: path, Offset: off, Message: id.text(args...), rank: messages[id].rank})
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
	switch c.kind {
	case Identity, Managed, Session, Boundary, Resource, Trust, SCP, RCP:
	default:
		c.add(msgSyntax, "", 0)
		return nil
	}
	root, off, jerr := parseJSON(string(doc))
	if jerr != "" {
		c.add(msgSyntax, "", off)
		return nil
	}
	if root.kind != jObject {
		c.add(msgSyntax, "", root.off)
		return nil
	}
	p := &Policy{kind: c.kind}
	var stmtVal *jvalue
	seen := map[string]bool{}
	versionSeen := false
	for i := range root.obj {
		m := &root.obj[i]
		if seen[m.key] {
			c.add(msgSyntax, m.key, m.off)
			continue
		}
		seen[m.key] = true
		switch m.key {
		case "Version":
			versionSeen = true
			if m.val.kind != jString || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				c.add(msgSyntax, "Version", m.val.off)
				continue
			}
			p.version = m.val.str
		case "Id":
			if m.val.kind != jString {
				c.add(msgSyntax, "Id", m.val.off)
				continue
			}
			p.id = m.val.str
		case "Statement":
			stmtVal = &m.val
		default:
			c.add(msgSyntax, pathKey("", m.key), m.off)
		}
	}
	_ = versionSeen
	p.vars = p.version == "2012-10-17"
	c.vars = p.vars
	switch c.kind {
	case Managed, SCP, RCP:
		if p.version != "2012-10-17" {
			c.add(msgVersion, "Version", 0)
		}
	}
	if stmtVal == nil {
		c.add(msgSyntax, "Statement", root.off)
		return nil
	}
	var items []jvalue
	var paths []string
	switch stmtVal.kind {
	case jObject:
		items, paths = []jvalue{*stmtVal}, []string{"Statement"}
	case jArray:
		if len(stmtVal.arr) == 0 {
			c.add(msgSyntax, "Statement", stmtVal.off)
			return nil
		}
		items = stmtVal.arr
		paths = make([]string, len(items))
		for i := range items {
			paths[i] = "Statement[" + strconv.Itoa(i) + "]"
		}
	default:
		c.add(msgSyntax, "Statement", stmtVal.off)
		return nil
	}
	p.stmts = make([]statement, 0, len(items))
	sids := map[string]bool{}
	for i := range items {
		s, ok := c.statement(&items[i], paths[i])
		if !ok {
			continue
		}
		if s.sid != "" {
			if sids[s.sid] {
				c.add(msgSidUnique, paths[i]+".Sid", items[i].off)
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

// pathKey appends a member name to a JSON path, quoting names that would
// make the path ambiguous.
func pathKey(path, key string) string {
	if key == "" || strings.ContainsAny(key, ".[]\" \t") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// strings reads a string-or-array-of-strings element.
func (c *compiler) stringList(v *jvalue, path string) ([]string, bool) {
	switch v.kind {
	case jString:
		return []string{v.str}, true
	case jArray:
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			if v.arr[i].kind != jString {
				c.add(msgSyntax, path+"["+strconv.Itoa(i)+"]", v.arr[i].off)
				return nil, false
			}
			out = append(out, v.arr[i].str)
		}
		return out, true
	}
	c.add(msgSyntax, path, v.off)
	return nil, false
}

func (c *compiler) statement(v *jvalue, path string) (statement, bool) {
	var s statement
	if v.kind != jObject {
		c.add(msgSyntax, path, v.off)
		return s, false
	}
	var effect, action, notAction, resource, notResource, principal, notPrincipal, cond, sid *jvalue
	seen := map[string]bool{}
	ok := true
	for i := range v.obj {
		m := &v.obj[i]
		if seen[m.key] {
			c.add(msgSyntax, pathKey(path, m.key), m.off)
			ok = false
			continue
		}
		seen[m.key] = true
		switch m.key {
		case "Sid":
			sid = &m.val
		case "Effect":
			effect = &m.val
		case "Action":
			action = &m.val
		case "NotAction":
			notAction = &m.val
		case "Resource":
			resource = &m.val
		case "NotResource":
			notResource = &m.val
		case "Principal":
			principal = &m.val
		case "NotPrincipal":
			notPrincipal = &m.val
		case "Condition":
			cond = &m.val
		default:
			c.add(msgSyntax, pathKey(path, m.key), m.off)
			ok = false
		}
	}
	// Syntax: types and exclusive pairs.
	if sid != nil {
		if sid.kind != jString {
			c.add(msgSyntax, path+".Sid", sid.off)
			ok = false
		} else {
			s.sid = sid.str
			if c.iamKind() && !alnum(s.sid) {
				c.add(msgSidAlnum, path+".Sid", sid.off)
			}
		}
	}
	if effect == nil {
		c.add(msgSyntax, path, v.off)
		ok = false
	} else if effect.kind != jString || !(strings.EqualFold(effect.str, "Allow") || strings.EqualFold(effect.str, "Deny")) {
		c.add(msgSyntax, path+".Effect", effect.off)
		ok = false
	} else {
		if effect.str != "Allow" && effect.str != "Deny" {
			c.add(msgLegacy, path+".Effect", effect.off)
		}
		s.deny = strings.EqualFold(effect.str, "Deny")
	}
	if action != nil && notAction != nil {
		c.add(msgSyntax, path+".NotAction", notAction.off)
		ok = false
	}
	if resource != nil && notResource != nil {
		c.add(msgSyntax, path+".NotResource", notResource.off)
		ok = false
	}
	if principal != nil && notPrincipal != nil {
		c.add(msgSyntax, path+".NotPrincipal", notPrincipal.off)
		ok = false
	}
	var actions, resources []string
	actPath, resPath := path+".Action", path+".Resource"
	if action != nil {
		a, good := c.stringList(action, actPath)
		actions, ok = a, ok && good
	} else if notAction != nil {
		actPath = path + ".NotAction"
		a, good := c.stringList(notAction, actPath)
		actions, ok = a, ok && good
		s.notAction = true
	}
	if resource != nil {
		r, good := c.stringList(resource, resPath)
		resources, ok = r, ok && good
	} else if notResource != nil {
		resPath = path + ".NotResource"
		r, good := c.stringList(notResource, resPath)
		resources, ok = r, ok && good
		s.notResource = true
	}
	var ps *principalSet
	princPath := path + ".Principal"
	if notPrincipal != nil {
		princPath = path + ".NotPrincipal"
		s.notPrincipal = true
	}
	if pv := principal; pv != nil || notPrincipal != nil {
		if pv == nil {
			pv = notPrincipal
		}
		var good bool
		ps, good = c.principal(pv, princPath)
		ok = ok && good
	}
	if cond != nil {
		conds, good := c.conditions(cond, path+".Condition")
		s.conds, ok = conds, ok && good
	}
	if !ok {
		return s, false
	}

	// Kind rules.
	switch {
	case c.identityLike():
		if principal != nil || notPrincipal != nil {
			c.add(msgPrincipalForbidden, princPath, v.off)
		}
	default:
		if principal == nil && notPrincipal == nil {
			c.add(msgPrincipalMissing, path, v.off)
		}
	}
	if c.kind == Trust {
		if resource != nil {
			c.add(msgProhibitedField, resPath, resource.off, "Resource")
		}
		if notResource != nil {
			c.add(msgProhibitedField, resPath, notResource.off, "NotResource")
		}
		if notPrincipal != nil {
			c.add(msgProhibitedField, princPath, notPrincipal.off, "NotPrincipal")
		}
	}
	if c.kind == RCP {
		if notPrincipal != nil {
			c.add(msgProhibitedField, princPath, notPrincipal.off, "NotPrincipal")
		}
		if notAction != nil {
			c.add(msgProhibitedField, actPath, notAction.off, "NotAction")
		}
		if principal != nil && (ps == nil || !ps.any) {
			c.add(msgRCPPrincipal, princPath, principal.off)
		}
		if !s.deny && effect != nil {
			full := ps != nil && ps.any && len(actions) == 1 && actions[0] == "*" &&
				resource != nil && len(resources) == 1 && resources[0] == "*" && len(s.conds) == 0
			if !full {
				c.add(msgRCPAllow, path+".Effect", effect.off)
			}
		}
	}

	// Actions.
	if action == nil && notAction == nil || len(actions) == 0 {
		c.add(msgNoActions, path, v.off)
	}
	for i, a := range actions {
		c.checkAction(a, actPath, i, v.off)
	}
	if c.kind == Trust {
		for _, a := range actions {
			if !trustAction(a) {
				c.add(msgTrustActions, actPath, v.off)
				break
			}
		}
	}
	s.actions = make([]glob, len(actions))
	for i, a := range actions {
		s.actions[i] = compileGlob(toLowerASCII(a), true, false)
	}

	// Resources.
	if c.kind != Trust {
		if resource == nil && notResource == nil || len(resources) == 0 {
			c.add(msgNoResources, path, v.off)
		}
		// IAM reports the problem of the lowest resource in sort order.
		order := append([]string(nil), resources...)
		sort.Strings(order)
		for _, r := range order {
			c.checkResource(r, resPath, v.off)
		}
		s.hasResource = true
		s.resources = make([]arnPattern, len(resources))
		for i, r := range resources {
			s.resources[i] = compileARNPattern(r, c.vars)
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
func (c *compiler) checkAction(a, path string, i, off int) {
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
func (c *compiler) checkResource(r, path string, off int) {
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
func (c *compiler) principal(v *jvalue, path string) (*principalSet, bool) {
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
	if len(v.obj) == 0 {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	seen := map[string]bool{}
	for i := range v.obj {
		m := &v.obj[i]
		mp := pathKey(path, m.key)
		if seen[m.key] {
			c.add(msgSyntax, mp, m.off)
			return nil, false
		}
		seen[m.key] = true
		values, ok := c.stringList(&m.val, mp)
		if !ok {
			return nil, false
		}
		if len(values) == 0 {
			c.add(msgSyntax, mp, m.val.off)
			return nil, false
		}
		for _, s := range values {
			switch m.key {
			case "AWS":
				c.awsPrincipal(ps, s, mp, m.val.off)
			case "Service":
				if s == "*" {
					ps.any = true
				} else if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, mp, m.val.off, m.key, s)
				} else {
					ps.services = append(ps.services, toLowerASCII(s))
				}
			case "Federated":
				if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, mp, m.val.off, m.key, s)
				} else {
					ps.federated = append(ps.federated, s)
				}
			case "CanonicalUser":
				if s == "" || strings.ContainsAny(s, "*? ") {
					c.add(msgInvalidPrincipal, mp, m.val.off, m.key, s)
				} else {
					ps.canonical = append(ps.canonical, s)
				}
			default:
				c.add(msgSyntax, mp, m.off)
				return nil, false
			}
		}
	}
	return ps, true
}

// awsPrincipal adds an "AWS" principal: "*", an account id, or the ARN of
// an account root, user, role, role session or federated user. Wildcards
// inside an ARN are not allowed.
func (c *compiler) awsPrincipal(ps *principalSet, s, path string, off int) {
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
func (c *compiler) conditions(v *jvalue, path string) ([]condition, bool) {
	if v.kind != jObject {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	var out []condition
	seen := map[string]bool{}
	for i := range v.obj {
		opm := &v.obj[i]
		opPath := pathKey(path, opm.key)
		if seen[opm.key] {
			c.add(msgSyntax, opPath, opm.off)
			return nil, false
		}
		seen[opm.key] = true
		if opm.val.kind != jObject {
			c.add(msgSyntax, opPath, opm.val.off)
			return nil, false
		}
		spec, set, ifExists, known := parseOperator(opm.key)
		if !known {
			// IAM accepts an unknown operator with nothing under it, and
			// rejects one that names keys.
			if len(opm.val.obj) > 0 {
				c.add(msgSyntax, opPath, opm.off)
				return nil, false
			}
			continue
		}
		keys := map[string]bool{}
		for j := range opm.val.obj {
			km := &opm.val.obj[j]
			kPath := pathKey(opPath, km.key)
			lk := toLowerASCII(km.key)
			if keys[lk] {
				c.add(msgSyntax, kPath, km.off)
				return nil, false
			}
			keys[lk] = true
			values, ok := c.conditionValues(&km.val, kPath)
			if !ok {
				return nil, false
			}
			if spec.fam == famDate {
				for _, dv := range values {
					if !parseDate(dv).ok {
						c.add(msgLegacy, kPath, km.val.off)
						break
					}
				}
			}
			out = append(out, compileCondition(spec, set, ifExists, lk, values, c.vars))
		}
	}
	return out, true
}

// conditionValues reads a condition value: a string, number or boolean,
// or an array of them. Numbers keep their JSON text.
func (c *compiler) conditionValues(v *jvalue, path string) ([]string, bool) {
	scalar := func(e *jvalue) (string, bool) {
		switch e.kind {
		case jString, jNumber, jBool:
			return e.str, true
		}
		return "", false
	}
	if v.kind == jArray {
		out := make([]string, 0, len(v.arr))
		for i := range v.arr {
			s, ok := scalar(&v.arr[i])
			if !ok {
				c.add(msgSyntax, path+"["+strconv.Itoa(i)+"]", v.arr[i].off)
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	s, ok := scalar(v)
	if !ok {
		c.add(msgSyntax, path, v.off)
		return nil, false
	}
	return []string{s}, true
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
		var names []string
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
