package arn

import (
	"strings"
	"unicode/utf8"
)

// Match reports whether value matches the ARN pattern, the way IAM matches
// a policy's Resource element and the ArnLike condition operator do: the
// pattern and the value are split into their colon-separated parts, and
// the partition, service, region and account are matched part by part, so
// that a wildcard in the region never reaches into the account. The
// resource part (everything after the fifth colon) is matched as a whole,
// so a "*" there crosses colons and slashes:
// "arn:aws:logs:*:*:log-group:app*" matches
// "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x".
//
// A pattern with fewer than six parts matches its last part against the
// rest of the value, so a trailing "*" in it crosses colons
// ("arn:aws:s3:*" matches every S3 ARN). The pattern "*" matches anything,
// including values that are not ARNs; any other pattern needs the value
// to have at least as many parts. Matching is case-sensitive; "*" matches
// any run of characters and "?" exactly one, in time linear in the length
// of the value for a given pattern.
func Match(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	for i := 0; i < 5; i++ {
		pj := strings.IndexByte(pattern, ':')
		if pj < 0 {
			// The pattern's last part: match it against the rest.
			return Wildcard(pattern, value)
		}
		vj := strings.IndexByte(value, ':')
		if vj < 0 {
			return false
		}
		if !Wildcard(pattern[:pj], value[:vj]) {
			return false
		}
		pattern, value = pattern[pj+1:], value[vj+1:]
	}
	return Wildcard(pattern, value)
}

// Wildcard reports whether value matches pattern as a whole, where "*"
// matches any run of characters (colons and slashes included) and "?"
// exactly one character. It is case-sensitive and never backtracks: the
// pattern is cut at its stars, the first piece must start the value, the
// last must end it, and each piece in between is placed at its leftmost
// occurrence after the previous one, which is enough because a later
// placement can only leave less room for the rest. Each piece is searched
// once, so "*a*a*a*a*a*a*a*b" against sixty "a"s costs a few hundred steps,
// not the 2^60 of a backtracking matcher.
func Wildcard(pattern, value string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		n, ok := matchPiece(pattern, value)
		return ok && n == len(value)
	}
	// First piece: anchored at the start.
	n, ok := matchPiece(pattern[:star], value)
	if !ok {
		return false
	}
	value = value[n:]
	pattern = pattern[star+1:]
	for {
		star = strings.IndexByte(pattern, '*')
		if star < 0 {
			break
		}
		piece := pattern[:star]
		pattern = pattern[star+1:]
		if piece == "" {
			continue
		}
		at, end := findPiece(piece, value)
		if at < 0 {
			return false
		}
		value = value[end:]
	}
	// Last piece: anchored at the end.
	if pattern == "" {
		return true
	}
	start := len(value)
	for r := utf8.RuneCountInString(pattern); r > 0; r-- {
		if start == 0 {
			return false
		}
		_, size := utf8.DecodeLastRuneInString(value[:start])
		start -= size
	}
	n, ok = matchPiece(pattern, value[start:])
	return ok && start+n == len(value)
}

// matchPiece matches a star-free piece against the start of s and returns
// how many bytes of s it consumed.
func matchPiece(piece, s string) (int, bool) {
	if strings.IndexByte(piece, '?') < 0 {
		if strings.HasPrefix(s, piece) {
			return len(piece), true
		}
		return 0, false
	}
	i := 0
	for _, pr := range piece {
		if i >= len(s) {
			return 0, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if pr != '?' && pr != r {
			return 0, false
		}
		i += size
	}
	return i, true
}

// findPiece returns the leftmost position where a star-free piece matches
// in s, and the end of that match, or -1.
func findPiece(piece, s string) (at, end int) {
	if strings.IndexByte(piece, '?') < 0 {
		i := strings.Index(s, piece)
		if i < 0 {
			return -1, -1
		}
		return i, i + len(piece)
	}
	for i := 0; i <= len(s); {
		if n, ok := matchPiece(piece, s[i:]); ok {
			return i, i + n
		}
		if i == len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return -1, -1
}
