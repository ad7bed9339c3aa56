package awsquery

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// A pattern is a botocore "pattern" constraint compiled once for Go.
//
// The models carry Java-style regular expressions (the services validate
// with java.util.regex and Matcher.matches, so a pattern must match the whole
// value, anchors or not). Go's RE2 differs in a few places that the models
// use: \uXXXX escapes, the unanchored whole-value match, '.' (which in Java
// excludes all line terminators), and negative lookahead, which RE2 lacks.
// compilePattern translates the first three exactly and rewrites the one
// lookahead form the models use, char(?!literal), into a plain regexp plus a
// forbidden substring, after proving the rewrite is exact (see
// checkLookaheadRewrite).
type pattern struct {
	source    string         // the model's text, quoted in validation messages
	re        *regexp.Regexp // anchored RE2 translation
	forbidden []string       // substrings that make the value fail (from lookaheads)

	// Most model patterns are one character class repeated ([\w+=,.@-]+,
	// the tag patterns, the policy document patterns), some after a
	// literal prefix (\u002F[\u0021-\u007F]*, \d{12}). Those are matched
	// rune by rune, several times faster than the regexp engine on the
	// request path; the regexp stays the reference, and
	// TestPatternFastPathAgrees holds the two to the same answers.
	prefix           string // literal text before the class run
	class            *runeClass
	minRuns, maxRuns int // repetitions allowed; maxRuns < 0 for unbounded
}

// match reports whether s satisfies the pattern as Java's Matcher.matches would.
func (p *pattern) match(s string) bool {
	var ok bool
	if p.class != nil {
		rest, found := strings.CutPrefix(s, p.prefix)
		ok = found && p.class.matchRun(rest, p.minRuns, p.maxRuns)
	} else {
		ok = p.re.MatchString(s)
	}
	if !ok {
		return false
	}
	for _, f := range p.forbidden {
		if strings.Contains(s, f) {
			return false
		}
	}
	return true
}

// javaDot is what an unescaped '.' outside a character class matches in Java
// without DOTALL: anything but the line terminators \n, \r, U+0085, U+2028
// and U+2029.
const javaDot = `[^\n\r\x{85}\x{2028}\x{2029}]`

// compilePattern translates a botocore pattern into an anchored Go regexp.
func compilePattern(src string) (*pattern, error) {
	translated, forbidden, err := translatePattern(src)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", src, err)
	}
	anchored := `^(?:` + translated + `)$`
	re, err := regexp.Compile(anchored)
	if err != nil {
		return nil, fmt.Errorf("pattern %q (as %q): %w", src, translated, err)
	}
	p := &pattern{source: src, re: re, forbidden: forbidden}
	p.prefix, p.class, p.minRuns, p.maxRuns = classRun(anchored)
	return p, nil
}

// runeClass is a set of runes: a bitmap for ASCII, sorted ranges beyond.
type runeClass struct {
	ascii  [2]uint64
	ranges []rune // pairs lo, hi of runes >= utf8.RuneSelf
}

// classRun recognises an anchored pattern that is a literal prefix (maybe
// empty) followed by a single character class repeated between min and max
// times (max < 0: unbounded), and returns the prefix and class; nil when the
// pattern has any other form. The models' own anchors may be nested in
// ours ("^(?:^[a-z]+$)$").
func classRun(anchored string) (string, *runeClass, int, int) {
	re, err := syntax.Parse(anchored, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat {
		return "", nil, 0, 0
	}
	subs := re.Sub
	for len(subs) > 0 && subs[0].Op == syntax.OpBeginText {
		subs = subs[1:]
	}
	for len(subs) > 0 && subs[len(subs)-1].Op == syntax.OpEndText {
		subs = subs[:len(subs)-1]
	}
	if len(subs) == len(re.Sub) || len(subs) == 0 || len(subs) > 2 {
		return "", nil, 0, 0
	}
	prefix := ""
	if len(subs) == 2 {
		lit := subs[0]
		if lit.Op != syntax.OpLiteral || lit.Flags&syntax.FoldCase != 0 {
			return "", nil, 0, 0
		}
		prefix = string(lit.Rune)
		subs = subs[1:]
	}
	rep := subs[0]
	var lo, hi int
	switch rep.Op {
	case syntax.OpStar:
		lo, hi = 0, -1
	case syntax.OpPlus:
		lo, hi = 1, -1
	case syntax.OpRepeat:
		lo, hi = rep.Min, rep.Max
	default:
		return "", nil, 0, 0
	}
	if len(rep.Sub) != 1 || rep.Sub[0].Op != syntax.OpCharClass {
		return "", nil, 0, 0
	}
	c := &runeClass{}
	r := rep.Sub[0].Rune
	for i := 0; i+1 < len(r); i += 2 {
		from, to := r[i], r[i+1]
		for ; from <= to && from < utf8.RuneSelf; from++ {
			c.ascii[from/64] |= 1 << (from % 64)
		}
		if from <= to {
			c.ranges = append(c.ranges, from, to)
		}
	}
	return prefix, c, lo, hi
}

func (c *runeClass) has(r rune) bool {
	if r < utf8.RuneSelf {
		return c.ascii[r/64]&(1<<(r%64)) != 0
	}
	// The ranges are few (at most a handful in the models): scan them.
	for i := 0; i+1 < len(c.ranges); i += 2 {
		if r < c.ranges[i] {
			return false
		}
		if r <= c.ranges[i+1] {
			return true
		}
	}
	return false
}

// matchRun reports whether s is between min and max runes of the class.
// Invalid UTF-8 decodes to U+FFFD, as the regexp engine reads it.
func (c *runeClass) matchRun(s string, min, max int) bool {
	n := 0
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if !c.has(r) {
			return false
		}
		n++
		i += size
	}
	return n >= min && (max < 0 || n <= max)
}

// translatePattern rewrites Java regexp syntax into RE2 syntax. It returns
// the substrings that a rewritten negative lookahead forbids.
func translatePattern(src string) (string, []string, error) {
	var b strings.Builder
	var forbidden []string
	inClass := false
	// lastLiteral is the rune written by the previous token when that token
	// was a single literal outside a class, else -1; a lookahead may only
	// follow such a token.
	lastLiteral := rune(-1)
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\\':
			if i+1 >= len(src) {
				return "", nil, fmt.Errorf("trailing backslash")
			}
			n := src[i+1]
			switch {
			case n == 'u':
				r, ok := hex4(src, i+2)
				if !ok {
					return "", nil, fmt.Errorf(`bad \u escape at offset %d`, i)
				}
				fmt.Fprintf(&b, `\x{%X}`, r)
				lastLiteral = literalOutside(inClass, r)
				i += 6
			case n == 'p' || n == 'P':
				// \p{L} and friends have the same meaning in RE2.
				end := strings.IndexByte(src[i:], '}')
				if end < 0 {
					return "", nil, fmt.Errorf(`unterminated \p at offset %d`, i)
				}
				b.WriteString(src[i : i+end+1])
				lastLiteral = -1
				i += end + 1
			case n == 'Q' || n == 'E' || n == 'G' || n == 'Z' || n == 'R' || n == 'X' || n == 'h' || n == 'H' || n == 'k':
				return "", nil, fmt.Errorf(`unsupported escape \%c`, n)
			default:
				// \w \d \s \b and escaped punctuation mean the same in
				// RE2 (both default to ASCII classes).
				b.WriteByte('\\')
				b.WriteByte(n)
				if isPunct(n) {
					lastLiteral = literalOutside(inClass, rune(n))
				} else {
					lastLiteral = -1
				}
				i += 2
			}
		case inClass:
			if c == ']' {
				inClass = false
			}
			if c == '[' {
				return "", nil, fmt.Errorf("nested character class at offset %d", i)
			}
			b.WriteByte(c)
			i++
		case c == '[':
			inClass = true
			b.WriteByte(c)
			i++
			// A ']' or '^]' right after '[' is a literal in both dialects.
			if i < len(src) && src[i] == '^' {
				b.WriteByte('^')
				i++
			}
			if i < len(src) && src[i] == ']' {
				b.WriteString(`\]`)
				i++
			}
			lastLiteral = -1
		case c == '.':
			b.WriteString(javaDot)
			lastLiteral = -1
			i++
		case c == '(' && strings.HasPrefix(src[i:], "(?!"):
			end := strings.IndexByte(src[i:], ')')
			if end < 0 {
				return "", nil, fmt.Errorf("unterminated lookahead at offset %d", i)
			}
			body := src[i+3 : i+end]
			lit, ok := plainLiteral(body)
			if !ok || lastLiteral < 0 {
				return "", nil, fmt.Errorf("unsupported lookahead %q", src[i:i+end+1])
			}
			forbidden = append(forbidden, string(lastLiteral)+lit)
			lastLiteral = -1
			i += end + 1
		case c == '(' && strings.HasPrefix(src[i:], "(?"):
			if !strings.HasPrefix(src[i:], "(?:") {
				return "", nil, fmt.Errorf("unsupported group construct at offset %d", i)
			}
			b.WriteString("(?:")
			lastLiteral = -1
			i += 3
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			b.WriteString(src[i : i+size])
			if strings.ContainsRune("()|*+?{}^$", r) {
				lastLiteral = -1
			} else {
				lastLiteral = r
			}
			i += size
		}
	}
	if inClass {
		return "", nil, fmt.Errorf("unterminated character class")
	}
	out := b.String()
	for _, f := range forbidden {
		if err := checkLookaheadRewrite(out, []rune(f)[0]); err != nil {
			return "", nil, err
		}
	}
	return out, forbidden, nil
}

// checkLookaheadRewrite proves that dropping "(?!L)" after the literal c and
// forbidding the substring cL instead is exact: that holds when c can be
// matched by that one literal only, so that every c in a matching value
// came from it and was followed by the lookahead's check. The proof walks
// the RE2 syntax tree and counts the nodes that can match c.
func checkLookaheadRewrite(re string, c rune) error {
	tree, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return err
	}
	if n := countMatchers(tree, c); n != 1 {
		return fmt.Errorf("lookahead after %q cannot be rewritten exactly: %d parts of the pattern match it", c, n)
	}
	return nil
}

func countMatchers(re *syntax.Regexp, c rune) int {
	n := 0
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == c {
				n++
			}
		}
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			if re.Rune[i] <= c && c <= re.Rune[i+1] {
				n++
			}
		}
	case syntax.OpAnyChar:
		n++
	case syntax.OpAnyCharNotNL:
		if c != '\n' {
			n++
		}
	}
	for _, sub := range re.Sub {
		n += countMatchers(sub, c)
	}
	return n
}

// plainLiteral unescapes a lookahead body made of literal characters only.
func plainLiteral(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && isPunct(s[i+1]) {
			b.WriteByte(s[i+1])
			i++
			continue
		}
		if strings.IndexByte(`\[]().*+?{}|^$`, c) >= 0 {
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), b.Len() > 0
}

func literalOutside(inClass bool, r rune) rune {
	if inClass {
		return -1
	}
	return r
}

func isPunct(c byte) bool {
	return c < utf8.RuneSelf && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
}

// hex4 reads the four hex digits of a Java \uXXXX escape. Java reads exactly
// four: "\u10000" is U+1000 followed by '0', and so is it here.
func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}
