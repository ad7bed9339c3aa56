package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one element of a compiled string: literal text, the "?"
// wildcard, or a policy variable resolved from the request context at
// evaluation time (never by re-parsing the string).
type token struct {
	kind   uint8 // tokLit, tokOne, tokVar
	lit    string
	key    string // variable: the context key
	def    string // variable: the default value
	hasDef bool
}

const (
	tokLit uint8 = iota
	tokOne
	tokVar
	tokStar // separates pieces while compiling
)

// glob is a compiled string with optional wildcards and variables: the
// pieces between stars. A glob without stars must match a value whole; its
// only piece is anchored at both ends.
type glob struct {
	pieces  [][]token
	star    bool
	hasVar  bool
	literal bool   // no wildcards and no variables: exact comparison with text
	text    string // the literal value when literal
}

// compileGlob compiles s. With wild, "*" and "?" are wildcards (StringLike,
// Resource, ArnLike); without, they are plain characters (StringEquals).
// With vars, ${key}, ${key, 'default'}, ${*}, ${?} and ${$} are policy
// variables (Version 2012-10-17 documents); otherwise they are plain text.
func compileGlob(s string, wild, vars bool) glob {
	if !hasSpecial(s, wild, vars) {
		// A literal glob needs no pieces: every user of a glob checks
		// literal first.
		return glob{literal: true, text: s}
	}
	var g glob
	// One token slice holds every piece (separated by tokStar); literal
	// tokens are substrings of s, so a glob costs two allocations.
	toks := make([]token, 0, 8)
	litStart, stars := 0, 0
	flush := func(end int) {
		if end > litStart {
			toks = append(toks, token{kind: tokLit, lit: s[litStart:end]})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			n, t, ok := parseVariable(s[i:])
			if !ok {
				i++
				continue
			}
			flush(i)
			toks = append(toks, t)
			if t.kind == tokVar {
				g.hasVar = true
			}
			i += n
			litStart = i
		case wild && c == '*':
			flush(i)
			toks = append(toks, token{kind: tokStar})
			stars++
			i++
			litStart = i
		case wild && c == '?':
			flush(i)
			toks = append(toks, token{kind: tokOne})
			i++
			litStart = i
		default:
			i++
		}
	}
	flush(len(s))
	g.star = stars > 0
	g.pieces = make([][]token, 0, stars+1)
	first := 0
	for j := range toks {
		if toks[j].kind == tokStar {
			g.pieces = append(g.pieces, toks[first:j:j])
			first = j + 1
		}
	}
	g.pieces = append(g.pieces, toks[first:])
	if !g.star && !g.hasVar && len(g.pieces) == 1 {
		p := g.pieces[0]
		switch {
		case len(p) == 0:
			g.literal = true
		case len(p) == 1 && p[0].kind == tokLit:
			g.literal, g.text = true, p[0].lit
		}
	}
	return g
}

// hasSpecial reports whether s has wildcards (with wild) or "${" (with
// vars): whether it needs more than a string comparison.
func hasSpecial(s string, wild, vars bool) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '*', '?':
			if wild {
				return true
			}
		case '$':
			if vars && i+1 < len(s) && s[i+1] == '{' {
				return true
			}
		}
	}
	return false
}

// parseVariable reads a "${...}" at the start of s and returns its length
// and token. The special variables ${*}, ${?} and ${$} become literal
// text. A "${" without a well-formed closing brace is not a variable.
func parseVariable(s string) (int, token, bool) {
	if strings.HasPrefix(s, "${$}") {
		return 4, token{kind: tokLit, lit: "$"}, true
	}
	i := 2
	// The key runs to "}" or ",".
	for i < len(s) && s[i] != '}' && s[i] != ',' {
		if s[i] == '$' || s[i] == '{' {
			return 0, token{}, false
		}
		i++
	}
	if i >= len(s) {
		return 0, token{}, false
	}
	key := strings.TrimSpace(s[2:i])
	t := token{kind: tokVar, key: toLowerASCII(key)}
	if s[i] == ',' {
		// ", 'default'}" with optional spaces.
		j := i + 1
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] != '\'' {
			return 0, token{}, false
		}
		end := strings.IndexByte(s[j+1:], '\'')
		if end < 0 {
			return 0, token{}, false
		}
		t.def, t.hasDef = s[j+1:j+1+end], true
		j += end + 2
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j >= len(s) || s[j] != '}' {
			return 0, token{}, false
		}
		i = j
	}
	switch key {
	case "":
		return 0, token{}, false
	case "*", "?", "$":
		return i + 1, token{kind: tokLit, lit: key}, true
	}
	if strings.ContainsAny(key, " \t") {
		return 0, token{}, false
	}
	return i + 1, t, true
}

// resolve returns a variable's value: the context value when the key holds
// exactly one value, else the default, else false.
func (t *token) resolve(e *env) (string, bool) {
	if s, ok := e.lookup(t.key); ok {
		return s, true
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
}

// env resolves policy variables during one evaluation, remembering each
// key's value so that a variable used by many statements costs one
// context lookup.
type env struct {
	ctx  *Context
	n    int
	keys [16]string
	vals [16]string
	oks  [16]bool
}

func (e *env) lookup(key string) (string, bool) {
	for i := 0; i < e.n; i++ {
		if e.keys[i] == key {
			return e.vals[i], e.oks[i]
		}
	}
	var s string
	ok := false
	if ce := e.ctx.find(key); ce != nil {
		s, ok = Value{one: ce.one, many: ce.many, multi: ce.multi}.single()
	}
	if e.n < len(e.keys) {
		e.keys[e.n], e.vals[e.n], e.oks[e.n] = key, s, ok
		e.n++
	}
	return s, ok
}

// matchResult reports a comparison: matched, or the comparison could not
// be made because a policy variable had no value.
type matchResult uint8

const (
	noMatch matchResult = iota
	isMatch
	unresolved
)

// match reports whether v matches g as a whole. It never backtracks: the
// first piece must start v, the last must end it and each middle piece is
// placed at its leftmost occurrence, which is linear in len(v) for a given
// pattern.
func (g *glob) match(v string, e *env) matchResult {
	if g.literal {
		if v == g.text {
			return isMatch
		}
		return noMatch
	}
	if g.hasVar && !g.resolvable(e) {
		return unresolved
	}
	last := len(g.pieces) - 1
	n, r := matchPieceAt(g.pieces[0], v, e)
	if r != isMatch {
		return r
	}
	if last == 0 {
		if n == len(v) {
			return isMatch
		}
		return noMatch
	}
	v = v[n:]
	for _, p := range g.pieces[1:last] {
		if len(p) == 0 {
			continue
		}
		end, r := findPiece(p, v, e)
		if r != isMatch {
			return r
		}
		v = v[end:]
	}
	p := g.pieces[last]
	if len(p) == 0 {
		return isMatch
	}
	runes, ok := pieceRunes(p, e)
	if !ok {
		return unresolved
	}
	start := len(v)
	for ; runes > 0; runes-- {
		if start == 0 {
			return noMatch
		}
		_, size := utf8.DecodeLastRuneInString(v[:start])
		start -= size
	}
	n, r = matchPieceAt(p, v[start:], e)
	if r != isMatch {
		return r
	}
	if start+n == len(v) {
		return isMatch
	}
	return noMatch
}

// resolvable reports whether every variable of g has a value, so that a
// missing variable is reported the same way wherever it stands.
func (g *glob) resolvable(e *env) bool {
	for _, p := range g.pieces {
		for k := range p {
			if p[k].kind == tokVar {
				if _, ok := p[k].resolve(e); !ok {
					return false
				}
			}
		}
	}
	return true
}

// matchPieceAt matches a star-free piece against the start of v and
// returns how many bytes it consumed.
func matchPieceAt(p []token, v string, e *env) (int, matchResult) {
	i := 0
	for k := range p {
		t := &p[k]
		switch t.kind {
		case tokLit:
			if !strings.HasPrefix(v[i:], t.lit) {
				return 0, noMatch
			}
			i += len(t.lit)
		case tokOne:
			if i >= len(v) {
				return 0, noMatch
			}
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
		case tokVar:
			s, ok := t.resolve(e)
			if !ok {
				return 0, unresolved
			}
			if !strings.HasPrefix(v[i:], s) {
				return 0, noMatch
			}
			i += len(s)
		}
	}
	return i, isMatch
}

// findPiece returns the end of the leftmost match of a star-free piece in v.
func findPiece(p []token, v string, e *env) (int, matchResult) {
	if len(p) == 1 && p[0].kind == tokLit {
		i := strings.Index(v, p[0].lit)
		if i < 0 {
			return 0, noMatch
		}
		return i + len(p[0].lit), isMatch
	}
	for i := 0; i <= len(v); {
		n, r := matchPieceAt(p, v[i:], e)
		switch r {
		case isMatch:
			return i + n, isMatch
		case unresolved:
			return 0, unresolved
		}
		if i == len(v) {
			break
		}
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
	}
	return 0, noMatch
}

// pieceRunes counts the characters a piece matches.
func pieceRunes(p []token, e *env) (int, bool) {
	n := 0
	for k := range p {
		t := &p[k]
		switch t.kind {
		case tokLit:
			n += utf8.RuneCountInString(t.lit)
		case tokOne:
			n++
		case tokVar:
			s, ok := t.resolve(e)
			if !ok {
				return 0, false
			}
			n += utf8.RuneCountInString(s)
		}
	}
	return n, true
}

// equalFold compares v with a star-free glob without regard to case
// (StringEqualsIgnoreCase), resolving variables into a small buffer.
func (g *glob) equalFold(v string, e *env) matchResult {
	if g.literal {
		if strings.EqualFold(v, g.text) {
			return isMatch
		}
		return noMatch
	}
	var buf [128]byte
	b := buf[:0]
	for _, p := range g.pieces {
		for k := range p {
			t := &p[k]
			switch t.kind {
			case tokLit:
				b = append(b, t.lit...)
			case tokVar:
				s, ok := t.resolve(e)
				if !ok {
					return unresolved
				}
				b = append(b, s...)
			}
		}
	}
	if equalFoldBytes(b, v) {
		return isMatch
	}
	return noMatch
}

// equalFoldBytes is strings.EqualFold for a byte slice and a string,
// without converting either.
func equalFoldBytes(a []byte, b string) bool {
	for len(a) > 0 && len(b) > 0 {
		r1, n1 := utf8.DecodeRune(a)
		r2, n2 := utf8.DecodeRuneInString(b)
		a, b = a[n1:], b[n2:]
		if r1 == r2 {
			continue
		}
		// Walk r1's case orbit looking for r2.
		eq := false
		for r := unicode.SimpleFold(r1); r != r1; r = unicode.SimpleFold(r) {
			if r == r2 {
				eq = true
				break
			}
		}
		if !eq {
			return false
		}
	}
	return len(a) == len(b)
}

// arnPattern is a compiled Resource entry or Arn* condition value: its
// colon-separated parts, each a glob, matched part by part like
// arn.Match, with policy variables resolved at evaluation time.
type arnPattern struct {
	any     bool // "*"
	literal bool // no wildcards and no variables
	text    string
	fields  []glob
	// prefix is the pattern's literal beginning (up to its first wildcard
	// or variable): a value without it cannot match, which rejects most
	// values with one comparison.
	prefix string
	split  int // where the prefix's last part begins
	// key is resourceKey of the pattern when the first five parts and the
	// resource part up to its first "/" or ":" are literal, so that a
	// request resource with another key is rejected by one comparison.
	key    uint64
	hasKey bool
}

// resourceKey hashes an ARN's first five parts and its resource part up
// to and including the first "/" or ":" (the bucket, the "user/" type...).
// ok is false for values that are not ARN-shaped.
func resourceKey(v string) (uint64, bool) {
	colons := 0
	i := 0
	for ; i < len(v) && colons < 5; i++ {
		if v[i] == ':' {
			colons++
		}
	}
	if colons < 5 {
		return 0, false
	}
	for ; i < len(v); i++ {
		if v[i] == '/' || v[i] == ':' {
			i++
			break
		}
	}
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for j := 0; j < i; j++ {
		h ^= uint64(v[j])
		h *= prime
	}
	return h, true
}

func compileARNPattern(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true}
	}
	if !hasSpecial(s, true, vars) {
		return arnPattern{literal: true, text: s}
	}
	fields := make([]glob, 0, 6)
	literal := true
	rest := s
	for len(fields) < 5 {
		j := colonOutsideVariables(rest, vars)
		if j < 0 {
			break
		}
		fields = append(fields, compileGlob(rest[:j], true, vars))
		rest = rest[j+1:]
	}
	fields = append(fields, compileGlob(rest, true, vars))
	for i := range fields {
		if !fields[i].literal {
			literal = false
		}
	}
	if literal {
		// ${*}, ${?} and ${$} became text: compare with that.
		texts := make([]string, len(fields))
		for i := range fields {
			texts[i] = fields[i].text
		}
		return arnPattern{literal: true, text: strings.Join(texts, ":")}
	}
	// The literal beginning of the source is a literal beginning of the
	// pattern (stopping at "${" also stops before ${*} and friends).
	cut := strings.IndexAny(s, "*?")
	if vars {
		if v := strings.Index(s, "${"); v >= 0 && (cut < 0 || v < cut) {
			cut = v
		}
	}
	prefix := s
	if cut >= 0 {
		prefix = s[:cut]
	}
	a := arnPattern{fields: fields, prefix: prefix}
	colons := 0
	for i := 0; i < len(prefix) && colons < 5; i++ {
		if prefix[i] == ':' {
			colons++
			a.split = i + 1
		}
	}
	// The key exists when the literal prefix covers the key's extent: all
	// five colons and a "/" or ":" after them.
	if colons == 5 && len(fields) == 6 && strings.IndexAny(prefix[a.split:], "/:") >= 0 {
		a.key, a.hasKey = resourceKey(prefix)
	}
	return a
}

// colonOutsideVariables finds the next ":" that is not inside a "${...}"
// (variables such as ${aws:username} contain colons).
func colonOutsideVariables(s string, vars bool) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ':':
			return i
		case '$':
			if vars && i+1 < len(s) && s[i+1] == '{' {
				if n, _, ok := parseVariable(s[i:]); ok {
					i += n - 1
				}
			}
		}
	}
	return -1
}

// matchResource is match for the request's resource, whose resourceKey
// the caller computed once.
func (a *arnPattern) matchResource(v string, key uint64, keyOK bool, e *env, strict bool) matchResult {
	if a.hasKey && keyOK && key != a.key && !strict {
		return noMatch
	}
	return a.match(v, e, strict)
}

// match matches v against the pattern. With strict, a variable without a
// value makes the result unresolved even when the value would not have
// matched anyway (NotResource and conditions need to know); without it a
// Resource entry just does not match.
func (a *arnPattern) match(v string, e *env, strict bool) matchResult {
	switch {
	case a.any:
		return isMatch
	case a.literal:
		if v == a.text {
			return isMatch
		}
		return noMatch
	}
	if strict {
		for i := range a.fields {
			if a.fields[i].hasVar && !a.fields[i].resolvable(e) {
				return unresolved
			}
		}
	}
	// The end of the prefix tells patterns apart better than its
	// "arn:aws:service:::" start, so compare it first.
	if n := len(a.prefix); len(v) < n || (a.split < n && v[a.split] != a.prefix[a.split]) ||
		v[a.split:n] != a.prefix[a.split:] || v[:a.split] != a.prefix[:a.split] {
		return noMatch
	}
	last := len(a.fields) - 1
	for i := 0; i < last; i++ {
		j := strings.IndexByte(v, ':')
		if j < 0 {
			return noMatch
		}
		if r := a.fields[i].match(v[:j], e); r != isMatch {
			return r
		}
		v = v[j+1:]
	}
	return a.fields[last].match(v, e)
}

// matchFold matches an action (without variables) against a glob compiled
// from a lower-cased pattern, folding ASCII case in the value as it goes,
// so that the request's action need not be lower-cased (and copied).
func (g *glob) matchFold(v string) bool {
	if g.literal {
		return len(v) == len(g.text) && hasPrefixFold(v, g.text)
	}
	last := len(g.pieces) - 1
	n, ok := matchPieceFold(g.pieces[0], v)
	if !ok {
		return false
	}
	if last == 0 {
		return n == len(v)
	}
	v = v[n:]
	for _, p := range g.pieces[1:last] {
		if len(p) == 0 {
			continue
		}
		found := false
		for i := 0; i <= len(v); {
			if n, ok := matchPieceFold(p, v[i:]); ok {
				v = v[i+n:]
				found = true
				break
			}
			if i == len(v) {
				break
			}
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
		}
		if !found {
			return false
		}
	}
	p := g.pieces[last]
	if len(p) == 0 {
		return true
	}
	runes := 0
	for k := range p {
		if p[k].kind == tokOne {
			runes++
		} else {
			runes += utf8.RuneCountInString(p[k].lit)
		}
	}
	start := len(v)
	for ; runes > 0; runes-- {
		if start == 0 {
			return false
		}
		_, size := utf8.DecodeLastRuneInString(v[:start])
		start -= size
	}
	n, ok = matchPieceFold(p, v[start:])
	return ok && start+n == len(v)
}

func matchPieceFold(p []token, v string) (int, bool) {
	i := 0
	for k := range p {
		t := &p[k]
		if t.kind == tokOne {
			if i >= len(v) {
				return 0, false
			}
			_, size := utf8.DecodeRuneInString(v[i:])
			i += size
			continue
		}
		if !hasPrefixFold(v[i:], t.lit) {
			return 0, false
		}
		i += len(t.lit)
	}
	return i, true
}

// hasPrefixFold reports whether s starts with the lower-case prefix,
// folding ASCII letters of s.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if lowerASCII(s[i]) != prefix[i] {
			return false
		}
	}
	return true
}
