package policy

import (
	"strconv"
	"sync"
	"unicode/utf8"
)

// This file is a small strict JSON reader (RFC 8259). The policy compiler
// needs what encoding/json's generic decoding loses or costs: member order
// and duplicate keys (to report findings in document order and reject
// ambiguous documents), byte offsets (for error positions), the exact text
// of numbers (condition values are compared as AWS writes them), and
// speed (strings that need no unescaping are slices of the input).

type jkind uint8

const (
	jNull jkind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

// jvalue is one parsed JSON value. str holds a string's value, a number's
// text or "true"/"false"; kids holds an array's elements (with empty keys)
// or an object's members.
type jvalue struct {
	kind jkind
	off  int
	str  string
	kids []jmember
}

type jmember struct {
	key string
	off int
	val jvalue
}

// maxJSONDepth bounds nesting so that hostile input cannot exhaust the
// stack; no valid policy nests deeper than five levels.
const maxJSONDepth = 64

type jsonReader struct {
	src   string
	pos   int
	err   string
	errAt int
	// stack collects the children of the open arrays and objects; when one
	// closes its children move to a slice carved from chunks, so that a
	// document costs a few chunk allocations, reused through readerPool.
	stack  []jmember
	chunks [][]jmember
	ci     int
}

var readerPool = sync.Pool{New: func() any { return new(jsonReader) }}

// carve returns an n-element slice from the chunks.
func (r *jsonReader) carve(n int) []jmember {
	for {
		if r.ci < len(r.chunks) {
			c := r.chunks[r.ci]
			if l := len(c); l+n <= cap(c) {
				r.chunks[r.ci] = c[:l+n]
				return c[l : l+n : l+n]
			}
			r.ci++
			continue
		}
		size := 512
		if n > size {
			size = n
		}
		r.chunks = append(r.chunks, make([]jmember, 0, size))
	}
}

// release returns the reader to the pool; the values it parsed must no
// longer be used.
func (r *jsonReader) release() {
	total := 0
	for i := range r.chunks {
		clear(r.chunks[i])
		total += cap(r.chunks[i])
		r.chunks[i] = r.chunks[i][:0]
	}
	if total > 1<<16 {
		return // do not keep huge buffers alive
	}
	clear(r.stack[:cap(r.stack)])
	*r = jsonReader{stack: r.stack[:0], chunks: r.chunks}
	readerPool.Put(r)
}

// parseJSON parses src as exactly one JSON value surrounded by optional
// whitespace. On failure it returns the offset and a description.
// The caller releases the reader when done with the value.
func parseJSON(src string) (*jsonReader, jvalue, int, string) {
	r := readerPool.Get().(*jsonReader)
	r.src = src
	r.skipSpace()
	v := r.value(0)
	if r.err == "" {
		r.skipSpace()
		if r.pos < len(r.src) {
			r.fail("unexpected data after the JSON value")
		}
	}
	if r.err != "" {
		return r, jvalue{}, r.errAt, r.err
	}
	return r, v, 0, ""
}

func (r *jsonReader) fail(msg string) {
	if r.err == "" {
		r.err = msg
		r.errAt = r.pos
	}
}

func (r *jsonReader) skipSpace() {
	for r.pos < len(r.src) {
		switch r.src[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

func (r *jsonReader) value(depth int) jvalue {
	if depth > maxJSONDepth {
		r.fail("JSON nested too deeply")
		return jvalue{}
	}
	if r.pos >= len(r.src) {
		r.fail("unexpected end of JSON")
		return jvalue{}
	}
	start := r.pos
	switch c := r.src[r.pos]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		s := r.string()
		return jvalue{kind: jString, off: start, str: s}
	case c == 't':
		return r.literal("true", jvalue{kind: jBool, off: start, str: "true"})
	case c == 'f':
		return r.literal("false", jvalue{kind: jBool, off: start, str: "false"})
	case c == 'n':
		return r.literal("null", jvalue{kind: jNull, off: start})
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	}
	r.fail("unexpected character")
	return jvalue{}
}

func (r *jsonReader) literal(word string, v jvalue) jvalue {
	if len(r.src)-r.pos >= len(word) && r.src[r.pos:r.pos+len(word)] == word {
		r.pos += len(word)
		return v
	}
	r.fail("invalid literal")
	return jvalue{}
}

func (r *jsonReader) number() jvalue {
	start := r.pos
	if r.src[r.pos] == '-' {
		r.pos++
	}
	digits := func() int {
		n := 0
		for r.pos < len(r.src) && r.src[r.pos] >= '0' && r.src[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	intStart := r.pos
	if n := digits(); n == 0 {
		r.fail("invalid number")
		return jvalue{}
	} else if n > 1 && r.src[intStart] == '0' {
		r.fail("invalid number: leading zero")
		return jvalue{}
	}
	if r.pos < len(r.src) && r.src[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			r.fail("invalid number")
			return jvalue{}
		}
	}
	if r.pos < len(r.src) && (r.src[r.pos] == 'e' || r.src[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.src) && (r.src[r.pos] == '+' || r.src[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			r.fail("invalid number")
			return jvalue{}
		}
	}
	return jvalue{kind: jNumber, off: start, str: r.src[start:r.pos]}
}

// string reads a quoted string; the result is a slice of the input when it
// has no escapes.
func (r *jsonReader) string() string {
	r.pos++ // opening quote
	start := r.pos
	nonASCII := false
	for i := r.pos; i < len(r.src); i++ {
		c := r.src[i]
		switch {
		case c == '"':
			s := r.src[start:i]
			if nonASCII && !utf8.ValidString(s) {
				r.pos = start
				r.fail("invalid UTF-8 in string")
				return ""
			}
			r.pos = i + 1
			return s
		case c == '\\':
			r.pos = i
			return r.escapedString(start)
		case c < 0x20:
			r.pos = i
			r.fail("control character in string")
			return ""
		case c >= utf8.RuneSelf:
			nonASCII = true
		}
	}
	r.pos = len(r.src)
	r.fail("unterminated string")
	return ""
}

func (r *jsonReader) escapedString(start int) string {
	buf := make([]byte, 0, r.pos-start+16)
	buf = append(buf, r.src[start:r.pos]...)
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '"':
			r.pos++
			return string(buf)
		case c == '\\':
			if r.pos+1 >= len(r.src) {
				r.fail("unterminated string")
				return ""
			}
			e := r.src[r.pos+1]
			r.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				ch, ok := r.hex4()
				if !ok {
					return ""
				}
				if ch >= 0xD800 && ch < 0xDC00 {
					// A high surrogate must be followed by a low one.
					if r.pos+1 < len(r.src) && r.src[r.pos] == '\\' && r.src[r.pos+1] == 'u' {
						r.pos += 2
						lo, ok := r.hex4()
						if !ok {
							return ""
						}
						if lo >= 0xDC00 && lo < 0xE000 {
							ch = 0x10000 + (ch-0xD800)<<10 + (lo - 0xDC00)
						} else {
							ch = utf8.RuneError
						}
					} else {
						ch = utf8.RuneError
					}
				} else if ch >= 0xDC00 && ch < 0xE000 {
					ch = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, ch)
			default:
				r.pos--
				r.fail("invalid escape in string")
				return ""
			}
		case c < 0x20:
			r.fail("control character in string")
			return ""
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			r.pos++
		default:
			ch, size := utf8.DecodeRuneInString(r.src[r.pos:])
			if ch == utf8.RuneError && size == 1 {
				r.fail("invalid UTF-8 in string")
				return ""
			}
			buf = append(buf, r.src[r.pos:r.pos+size]...)
			r.pos += size
		}
	}
	r.fail("unterminated string")
	return ""
}

func (r *jsonReader) hex4() (rune, bool) {
	if len(r.src)-r.pos < 4 {
		r.fail("invalid \\u escape")
		return 0, false
	}
	n, err := strconv.ParseUint(r.src[r.pos:r.pos+4], 16, 32)
	if err != nil {
		r.fail("invalid \\u escape")
		return 0, false
	}
	r.pos += 4
	return rune(n), true
}

func (r *jsonReader) array(depth int) jvalue {
	v := jvalue{kind: jArray, off: r.pos}
	r.pos++
	r.skipSpace()
	if r.pos < len(r.src) && r.src[r.pos] == ']' {
		r.pos++
		return v
	}
	base := len(r.stack)
	defer func() { r.stack = r.stack[:base] }()
	for {
		r.skipSpace()
		e := r.value(depth + 1)
		if r.err != "" {
			return jvalue{}
		}
		r.stack = append(r.stack, jmember{val: e})
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.fail("unterminated array")
			return jvalue{}
		}
		switch r.src[r.pos] {
		case ',':
			r.pos++
		case ']':
			r.pos++
			v.kids = r.carve(len(r.stack) - base)
			copy(v.kids, r.stack[base:])
			return v
		default:
			r.fail("expected , or ] in array")
			return jvalue{}
		}
	}
}

func (r *jsonReader) object(depth int) jvalue {
	v := jvalue{kind: jObject, off: r.pos}
	r.pos++
	r.skipSpace()
	if r.pos < len(r.src) && r.src[r.pos] == '}' {
		r.pos++
		return v
	}
	base := len(r.stack)
	defer func() { r.stack = r.stack[:base] }()
	for {
		r.skipSpace()
		if r.pos >= len(r.src) || r.src[r.pos] != '"' {
			r.fail("expected a member name")
			return jvalue{}
		}
		koff := r.pos
		k := r.string()
		if r.err != "" {
			return jvalue{}
		}
		r.skipSpace()
		if r.pos >= len(r.src) || r.src[r.pos] != ':' {
			r.fail("expected : after a member name")
			return jvalue{}
		}
		r.pos++
		r.skipSpace()
		e := r.value(depth + 1)
		if r.err != "" {
			return jvalue{}
		}
		r.stack = append(r.stack, jmember{key: k, off: koff, val: e})
		r.skipSpace()
		if r.pos >= len(r.src) {
			r.fail("unterminated object")
			return jvalue{}
		}
		switch r.src[r.pos] {
		case ',':
			r.pos++
		case '}':
			r.pos++
			v.kids = r.carve(len(r.stack) - base)
			copy(v.kids, r.stack[base:])
			return v
		default:
			r.fail("expected , or } in object")
			return jvalue{}
		}
	}
}
