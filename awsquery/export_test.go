package awsquery

import (
	"net/url"
	"strings"
)

// DecodeUnvalidated decodes like Decode but skips the constraint checks,
// so that tests can feed values that are well-typed but arbitrary (the
// SDK round-trip test fills every member of every input).
func (m *Model) DecodeUnvalidated(operation string, params url.Values, dst any) error {
	return m.decode(operation, params, dst, false)
}

// CompilePattern exposes the pattern translation to the pattern tests.
func CompilePattern(src string) (match func(string) bool, err error) {
	p, err := compilePattern(src)
	if err != nil {
		return nil, err
	}
	return p.match, nil
}

// PatternPaths returns both matchers of a pattern: the one match uses (the
// rune-class fast path when the pattern has that form) and the regexp, and
// whether the fast path applies.
func PatternPaths(src string) (match, regexpMatch func(string) bool, fast bool, err error) {
	p, err := compilePattern(src)
	if err != nil {
		return nil, nil, false, err
	}
	return p.match, func(s string) bool {
		if !p.re.MatchString(s) {
			return false
		}
		for _, f := range p.forbidden {
			if strings.Contains(s, f) {
				return false
			}
		}
		return true
	}, p.class != nil, nil
}
