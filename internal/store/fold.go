package store

import "unicode/utf8"

// FoldName returns the form of an IAM name that uniqueness and lookups
// compare. IAM's name patterns allow ASCII letters, digits and a few
// punctuation characters ([\w+=,.@-]), and AWS treats names as equal
// without regard to case, so folding is ASCII lower-casing; other bytes
// are kept as they are, so that a name outside the pattern still compares
// exactly rather than colliding with another by accident.
func FoldName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			b := []byte(name)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + ('a' - 'A')
				}
			}
			return string(b)
		}
	}
	return name
}

// PathRange turns a PathPrefix into the half-open range [lo, hi) of paths
// that start with it, so that backends can read a path index with two
// comparisons instead of LIKE, whose escaping and collation differ between
// databases. The bound is computed on code points, and both backends order
// strings by code point (SQLite's BINARY collation compares UTF-8 bytes,
// which is the same order; the PostgreSQL schema uses COLLATE "C"). An
// empty prefix or "/" matches every path. bounded is false when no string
// is greater than every match (a prefix of U+10FFFF code points only); the
// prefix must be valid UTF-8.
func PathRange(prefix string) (lo, hi string, bounded bool) {
	if prefix == "" {
		prefix = "/"
	}
	r := []rune(prefix)
	for i := len(r) - 1; i >= 0; i-- {
		next := r[i] + 1
		if next == 0xD800 { // skip the surrogates, which UTF-8 cannot encode
			next = 0xE000
		}
		if next <= utf8.MaxRune {
			r[i] = next
			return prefix, string(r[:i+1]), true
		}
	}
	return prefix, "", false
}
