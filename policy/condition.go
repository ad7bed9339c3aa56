package policy

import (
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is the kind of comparison a condition operator makes.
type family uint8

const (
	famString family = iota
	famStringFold
	famLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// cmp is the relation a numeric or date operator tests.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

// setMode is the set operator prefix of a condition operator.
type setMode uint8

const (
	setNone setMode = iota
	setForAll
	setForAny
)

// operatorSpec describes one base condition operator of the "Condition
// operators" page.
type operatorSpec struct {
	fam     family
	rel     cmp
	negated bool
	vars    bool // policy variables are allowed in its values
}

// operators is the closed set of base condition operators. The names are
// case-sensitive, as IAM's are.
var operators = map[string]operatorSpec{
	"StringEquals":              {famString, cmpEq, false, true},
	"StringNotEquals":           {famString, cmpEq, true, true},
	"StringEqualsIgnoreCase":    {famStringFold, cmpEq, false, true},
	"StringNotEqualsIgnoreCase": {famStringFold, cmpEq, true, true},
	"StringLike":                {famLike, cmpEq, false, true},
	"StringNotLike":             {famLike, cmpEq, true, true},
	"NumericEquals":             {famNumeric, cmpEq, false, false},
	"NumericNotEquals":          {famNumeric, cmpEq, true, false},
	"NumericLessThan":           {famNumeric, cmpLt, false, false},
	"NumericLessThanEquals":     {famNumeric, cmpLe, false, false},
	"NumericGreaterThan":        {famNumeric, cmpGt, false, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGe, false, false},
	"DateEquals":                {famDate, cmpEq, false, false},
	"DateNotEquals":             {famDate, cmpEq, true, false},
	"DateLessThan":              {famDate, cmpLt, false, false},
	"DateLessThanEquals":        {famDate, cmpLe, false, false},
	"DateGreaterThan":           {famDate, cmpGt, false, false},
	"DateGreaterThanEquals":     {famDate, cmpGe, false, false},
	"Bool":                      {famBool, cmpEq, false, true},
	"BinaryEquals":              {famBinary, cmpEq, false, false},
	"IpAddress":                 {famIP, cmpEq, false, false},
	"NotIpAddress":              {famIP, cmpEq, true, false},
	"ArnEquals":                 {famARN, cmpEq, false, true},
	"ArnLike":                   {famARN, cmpEq, false, true},
	"ArnNotEquals":              {famARN, cmpEq, true, true},
	"ArnNotLike":                {famARN, cmpEq, true, true},
	"Null":                      {famNull, cmpEq, false, false},
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its set
// prefix, base operator and IfExists suffix.
func parseOperator(name string) (operatorSpec, setMode, bool, bool) {
	set := setNone
	switch {
	case strings.HasPrefix(name, "ForAllValues:"):
		set, name = setForAll, name[len("ForAllValues:"):]
	case strings.HasPrefix(name, "ForAnyValue:"):
		set, name = setForAny, name[len("ForAnyValue:"):]
	}
	ifExists := false
	if spec, ok := operators[name]; ok {
		return spec, set, false, true
	}
	if base, ok := strings.CutSuffix(name, "IfExists"); ok {
		if spec, ok := operators[base]; ok {
			ifExists = true
			return spec, set, ifExists, true
		}
	}
	return operatorSpec{}, set, false, false
}

// number is a compiled numeric value: an exact integer when the text is
// one, else a float.
type number struct {
	ok    bool
	isInt bool
	i     int64
	f     float64
}

func parseNumber(s string) number {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return number{ok: true, isInt: true, i: i, f: float64(i)}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return number{}
	}
	return number{ok: true, f: f}
}

// compareNumbers returns -1, 0 or 1.
func compareNumbers(a, b number) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	}
	return 0
}

// instant is a compiled date: seconds and nanoseconds since the epoch.
type instant struct {
	ok   bool
	sec  int64
	nsec int32
}

func compareInstants(a, b instant) int {
	switch {
	case a.sec < b.sec:
		return -1
	case a.sec > b.sec:
		return 1
	case a.nsec < b.nsec:
		return -1
	case a.nsec > b.nsec:
		return 1
	}
	return 0
}

// parseDate reads a date the way IAM does: epoch seconds (digits only), or
// a W3C profile of ISO 8601: [-]YYYY[-MM[-DD]][T[hh[:mm[:ss[.f]]]][Z|±hh[:mm]]],
// the "T" in either case. Values IAM rejects make the policy fail "legacy
// parsing".
func parseDate(s string) instant {
	if s == "" {
		return instant{}
	}
	if !strings.ContainsAny(s, "tT-") {
		for i := 0; i < len(s); i++ {
			if s[i] < '0' || s[i] > '9' {
				return instant{}
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return instant{}
		}
		return instant{ok: true, sec: n}
	}
	datePart, timePart, hasT := s, "", false
	if i := strings.IndexAny(s, "tT"); i >= 0 {
		datePart, timePart, hasT = s[:i], s[i+1:], true
	}
	neg := false
	if strings.HasPrefix(datePart, "-") {
		neg, datePart = true, datePart[1:]
	}
	dp := strings.Split(datePart, "-")
	if len(dp) > 3 {
		return instant{}
	}
	year, ok := atoiRange(dp[0], 0, 292278993)
	if !ok {
		return instant{}
	}
	if neg {
		year = -year
		if year < -292275054 {
			return instant{}
		}
	}
	month, day := 1, 1
	if len(dp) > 1 {
		if month, ok = atoiRange(dp[1], 1, 12); !ok {
			return instant{}
		}
	}
	if len(dp) > 2 {
		if day, ok = atoiRange(dp[2], 1, 31); !ok {
			return instant{}
		}
	}
	hour, minute, sec, nsec, offset := 0, 0, 0, 0, 0
	if hasT && timePart != "" {
		// Split off the zone.
		zone := ""
		if i := strings.IndexAny(timePart, "zZ+-"); i >= 0 {
			timePart, zone = timePart[:i], timePart[i:]
		}
		tp := strings.Split(timePart, ":")
		if len(tp) > 3 {
			return instant{}
		}
		if tp[0] != "" {
			if hour, ok = atoiRange(tp[0], 0, 23); !ok {
				return instant{}
			}
		}
		if len(tp) > 1 {
			if minute, ok = atoiRange(tp[1], 0, 59); !ok {
				return instant{}
			}
		}
		if len(tp) > 2 {
			secText, frac, hasFrac := strings.Cut(tp[2], ".")
			if sec, ok = atoiRange(secText, 0, 59); !ok {
				return instant{}
			}
			if hasFrac {
				if len(frac) == 0 || len(frac) > 9 {
					return instant{}
				}
				f, ok := atoiRange(frac, 0, 999999999)
				if !ok {
					return instant{}
				}
				for i := len(frac); i < 9; i++ {
					f *= 10
				}
				nsec = f
			}
		}
		switch {
		case zone == "":
		case zone == "z" || zone == "Z":
		default:
			sign := 1
			if zone[0] == '-' {
				sign = -1
			}
			zh, zm, hasM := strings.Cut(zone[1:], ":")
			h, ok := atoiRange(zh, 0, 23)
			if !ok || len(zh) != 2 {
				return instant{}
			}
			m := 0
			if hasM {
				if m, ok = atoiRange(zm, 0, 59); !ok || len(zm) != 2 {
					return instant{}
				}
			}
			offset = sign * (h*3600 + m*60)
		}
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return instant{ok: true, sec: t.Unix() - int64(offset), nsec: int32(t.Nanosecond())}
}

func atoiRange(s string, lo, hi int) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n >= lo && n <= hi
}

// parseBool reads "true" or "false" without regard to case.
func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parsePrefix reads a CIDR, or a bare address as a /32 or /128.
func parsePrefix(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if p.Bits() < 0 {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// condition is one compiled (operator, key) pair with its values.
type condition struct {
	op       operatorSpec
	set      setMode
	ifExists bool
	key      string
	strs     []glob // string, fold, like, bool families
	arns     []arnPattern
	nums     []number
	dates    []instant
	bins     [][]byte
	ips      []netip.Prefix
	ipOK     []bool
	nulls    []int8 // 1 true, 0 false, -1 invalid
}

// compileCondition compiles the values of one operator and key. vars says
// whether the document supports policy variables.
func compileCondition(spec operatorSpec, set setMode, ifExists bool, key string, values []string, vars bool) condition {
	c := condition{op: spec, set: set, ifExists: ifExists, key: key}
	useVars := vars && spec.vars
	switch spec.fam {
	case famString, famStringFold, famBool, famLike:
		c.strs = make([]glob, 0, len(values))
	case famARN:
		c.arns = make([]arnPattern, 0, len(values))
	case famIP:
		c.ips = make([]netip.Prefix, 0, len(values))
		c.ipOK = make([]bool, 0, len(values))
	}
	for _, v := range values {
		switch spec.fam {
		case famString, famStringFold, famBool:
			c.strs = append(c.strs, compileGlob(v, false, useVars))
		case famLike:
			c.strs = append(c.strs, compileGlob(v, true, useVars))
		case famARN:
			c.arns = append(c.arns, compileARNPattern(v, useVars))
		case famNumeric:
			c.nums = append(c.nums, parseNumber(v))
		case famDate:
			c.dates = append(c.dates, parseDate(v))
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				b = nil
			}
			c.bins = append(c.bins, b)
		case famIP:
			p, ok := parsePrefix(v)
			c.ips = append(c.ips, p)
			c.ipOK = append(c.ipOK, ok)
		case famNull:
			switch b, ok := parseBool(v); {
			case !ok:
				c.nulls = append(c.nulls, -1)
			case b:
				c.nulls = append(c.nulls, 1)
			default:
				c.nulls = append(c.nulls, 0)
			}
		}
	}
	return c
}

// eval decides the condition against the request context. See the
// package's condition rules in evalValue and the comments below.
func (c *condition) eval(e *env) bool {
	ce := e.ctx.find(c.key)
	if c.op.fam == famNull {
		// Null "true" means the key is absent; a key present with an empty
		// set of values counts as absent too ("Condition operators": Null;
		// "Multivalued context keys": a Null check catches empty values).
		isNull := ce == nil || (ce.multi && len(ce.many) == 0)
		for _, n := range c.nulls {
			if (n == 1 && isNull) || (n == 0 && !isNull) {
				return true
			}
		}
		return false
	}
	if ce == nil {
		// Absent key: ...IfExists is true; ForAllValues is vacuously true
		// and ForAnyValue false; otherwise a negated operator is true and
		// a positive one false ("Condition operators", first note).
		if c.ifExists {
			return true
		}
		switch c.set {
		case setForAll:
			return true
		case setForAny:
			return false
		}
		return c.op.negated
	}
	switch c.set {
	case setForAll:
		if !ce.multi {
			return c.matchOne(ce.one, e) == isMatch
		}
		for _, v := range ce.many {
			if c.matchOne(v, e) != isMatch {
				return false
			}
		}
		return true
	case setForAny:
		if !ce.multi {
			return c.matchOne(ce.one, e) == isMatch
		}
		for _, v := range ce.many {
			if c.matchOne(v, e) == isMatch {
				return true
			}
		}
		return false
	}
	// Without a set operator the key must hold exactly one value: a
	// multivalued key with several values (or none) matches nothing, with
	// negated operators too, as AWS requires set operators for
	// multivalued keys ("Single-valued vs. multivalued context keys").
	v, ok := Value{one: ce.one, many: ce.many, multi: ce.multi}.single()
	if !ok {
		return false
	}
	return c.matchOne(v, e) == isMatch
}

// matchOne decides one request value: true when it matches any policy
// value (or, for a negated operator, none). A policy value whose variable
// has no value makes the whole condition unresolved, which callers treat
// as not matching, negated operators included: AWS says an unresolvable
// variable makes the statement invalid.
func (c *condition) matchOne(v string, e *env) matchResult {
	any := false
	switch c.op.fam {
	case famString:
		for i := range c.strs {
			switch c.strs[i].match(v, e) {
			case isMatch:
				any = true
			case unresolved:
				return unresolved
			}
		}
	case famStringFold:
		for i := range c.strs {
			switch c.strs[i].equalFold(v, e) {
			case isMatch:
				any = true
			case unresolved:
				return unresolved
			}
		}
	case famLike:
		for i := range c.strs {
			switch c.strs[i].match(v, e) {
			case isMatch:
				any = true
			case unresolved:
				return unresolved
			}
		}
	case famBool:
		rb, rok := parseBool(v)
		for i := range c.strs {
			g := &c.strs[i]
			text := g.text
			if !g.literal {
				var ok bool
				if text, ok = resolveAll(g, e); !ok {
					return unresolved
				}
			}
			if pb, pok := parseBool(text); pok && rok && pb == rb {
				any = true
			}
		}
	case famARN:
		for i := range c.arns {
			switch c.arns[i].match(v, e, true) {
			case isMatch:
				any = true
			case unresolved:
				return unresolved
			}
		}
	case famNumeric:
		rn := parseNumber(v)
		if rn.ok {
			for _, pn := range c.nums {
				if pn.ok && relHolds(c.op.rel, compareNumbers(rn, pn)) {
					any = true
					break
				}
			}
		}
	case famDate:
		rd := parseDate(v)
		if rd.ok {
			for _, pd := range c.dates {
				if pd.ok && relHolds(c.op.rel, compareInstants(rd, pd)) {
					any = true
					break
				}
			}
		}
	case famBinary:
		rb, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			rb = []byte(v)
		}
		for _, pb := range c.bins {
			if pb != nil && string(pb) == string(rb) {
				any = true
				break
			}
		}
	case famIP:
		if a, err := netip.ParseAddr(v); err == nil {
			a = a.Unmap()
			for i, p := range c.ips {
				if c.ipOK[i] && p.Contains(a) {
					any = true
					break
				}
			}
		}
	}
	if any != c.op.negated {
		return isMatch
	}
	return noMatch
}

// resolveAll renders a star-free glob with its variables resolved. It is
// used only by Bool conditions with variables, which are rare.
func resolveAll(g *glob, e *env) (string, bool) {
	var b strings.Builder
	for _, p := range g.pieces {
		for k := range p {
			t := &p[k]
			switch t.kind {
			case tokLit:
				b.WriteString(t.lit)
			case tokVar:
				s, ok := t.resolve(e)
				if !ok {
					return "", false
				}
				b.WriteString(s)
			}
		}
	}
	return b.String(), true
}

func relHolds(rel cmp, c int) bool {
	switch rel {
	case cmpLt:
		return c < 0
	case cmpLe:
		return c <= 0
	case cmpGt:
		return c > 0
	case cmpGe:
		return c >= 0
	}
	return c == 0
}
