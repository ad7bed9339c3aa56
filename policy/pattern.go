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
	var g glob
	var cur []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			cur = append(cur, token{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			if n, t, ok := parseVariable(s[i:]); ok {
				if t.kind == tokLit {
					lit.WriteString(t.lit)
				} else {
					flush()
					cur = append(cur, t)
					g.hasVar = true
				}
				i += n
				continue
			}
			lit.WriteByte(c)
			i++
		case wild && c == '*':
			flush()
			g.pieces = append(g.pieces, cur)
			cur = nil
			g.star = true
			i++
		case wild && c == '?':
			flush()
			cur = append(cur, token{kind: tokOne})
			i++
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	g.pieces = append(g.pieces, cur)
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
	t := token{kind: tokVar, key: key}
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
func (t *token) resolve(ctx *Context) (string, bool) {
	if e := ctx.find(t.key); e != nil {
		v := Value{one: e.one, many: e.many, multi: e.multi}
		if s, ok := v.single(); ok {
			return s, true
		}
	}
	if t.hasDef {
		return t.def, true
	}
	return "", false
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
func (g *glob) match(v string, ctx *Context) matchResult {
	if g.literal {
		if v == g.text {
			return isMatch
		}
		return noMatch
	}
	if g.hasVar && !g.resolvable(ctx) {
		return unresolved
	}
	last := len(g.pieces) - 1
	n, r := matchPieceAt(g.pieces[0], v, ctx)
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
		end, r := findPiece(p, v, ctx)
		if r != isMatch {
			return r
		}
		v = v[end:]
	}
	p := g.pieces[last]
	if len(p) == 0 {
		return isMatch
	}
	runes, ok := pieceRunes(p, ctx)
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
	n, r = matchPieceAt(p, v[start:], ctx)
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
func (g *glob) resolvable(ctx *Context) bool {
	for _, p := range g.pieces {
		for k := range p {
			if p[k].kind == tokVar {
				if _, ok := p[k].resolve(ctx); !ok {
					return false
				}
			}
		}
	}
	return true
}

// matchPieceAt matches a star-free piece against the start of v and
// returns how many bytes it consumed.
func matchPieceAt(p []token, v string, ctx *Context) (int, matchResult) {
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
			s, ok := t.resolve(ctx)
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
func findPiece(p []token, v string, ctx *Context) (int, matchResult) {
	if len(p) == 1 && p[0].kind == tokLit {
		i := strings.Index(v, p[0].lit)
		if i < 0 {
			return 0, noMatch
		}
		return i + len(p[0].lit), isMatch
	}
	for i := 0; i <= len(v); {
		n, r := matchPieceAt(p, v[i:], ctx)
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
func pieceRunes(p []token, ctx *Context) (int, bool) {
	n := 0
	for k := range p {
		t := &p[k]
		switch t.kind {
		case tokLit:
			n += utf8.RuneCountInString(t.lit)
		case tokOne:
			n++
		case tokVar:
			s, ok := t.resolve(ctx)
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
func (g *glob) equalFold(v string, ctx *Context) matchResult {
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
				s, ok := t.resolve(ctx)
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
}

func compileARNPattern(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true}
	}
	var fields []glob
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
	texts := make([]string, len(fields))
	for i := range fields {
		if !fields[i].literal {
			literal = false
		}
		texts[i] = fields[i].text
	}
	if literal {
		// ${*}, ${?} and ${$} became text: compare with that.
		return arnPattern{literal: true, text: strings.Join(texts, ":")}
	}
	return arnPattern{fields: fields}
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

func (a *arnPattern) match(v string, ctx *Context) matchResult {
	switch {
	case a.any:
		return isMatch
	case a.literal:
		if v == a.text {
			return isMatch
		}
		return noMatch
	}
	last := len(a.fields) - 1
	for i := range a.fields {
		if a.fields[i].hasVar && !a.fields[i].resolvable(ctx) {
			return unresolved
		}
	}
	for i := 0; i < last; i++ {
		j := strings.IndexByte(v, ':')
		if j < 0 {
			return noMatch
		}
		if r := a.fields[i].match(v[:j], ctx); r != isMatch {
			return r
		}
		v = v[j+1:]
	}
	return a.fields[last].match(v, ctx)
}
