package awsquery

import "net/url"

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
