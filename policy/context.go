package policy

// Context is the request context: condition keys and their values. Keys
// are case-insensitive, tag parts included ("aws:PrincipalTag/Team" and
// "AWS:principaltag/team" are one key; letters are folded in ASCII only).
// A key holds either one value (Set) or a set of values (SetMulti), and a
// set may be empty: a key present with no values is not the same as an
// absent key.
//
// Building a Context costs one slice that grows with the number of keys
// (no per-key allocation); lookups are a binary search. The zero value is
// an empty context. A Context must not be modified while Evaluate reads it.
type Context struct {
	entries []contextEntry // sorted by key, compared without regard to ASCII case
}

type contextEntry struct {
	key   string
	one   string
	many  []string
	multi bool
}

// Value is one key's values in a Context.
type Value struct {
	one   string
	many  []string
	multi bool
}

// Len returns the number of values.
func (v Value) Len() int {
	if v.multi {
		return len(v.many)
	}
	return 1
}

// At returns the i-th value.
func (v Value) At(i int) string {
	if v.multi {
		return v.many[i]
	}
	return v.one
}

// Multi reports whether the key was set with SetMulti (a multivalued key
// such as aws:TagKeys), even if it holds one value or none.
func (v Value) Multi() bool { return v.multi }

// single returns the value of a key that holds exactly one value, which is
// what policy variables and condition operators without a set prefix need.
func (v Value) single() (string, bool) {
	if v.multi {
		if len(v.many) == 1 {
			return v.many[0], true
		}
		return "", false
	}
	return v.one, true
}

// Set gives key a single value, replacing any earlier value of the key.
func (c *Context) Set(key, value string) {
	c.put(contextEntry{key: key, one: value})
}

// SetMulti gives key a set of values (possibly empty), replacing any
// earlier value. The slice is kept, not copied.
func (c *Context) SetMulti(key string, values []string) {
	if values == nil {
		values = []string{}
	}
	c.put(contextEntry{key: key, many: values, multi: true})
}

// Lookup returns the values of key, if present.
func (c *Context) Lookup(key string) (Value, bool) {
	e := c.find(key)
	if e == nil {
		return Value{}, false
	}
	return Value{one: e.one, many: e.many, multi: e.multi}, true
}

// Len returns the number of keys.
func (c *Context) Len() int { return len(c.entries) }

// Keys returns the keys as they were set, shortest first.
func (c *Context) Keys() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.key
	}
	return out
}

func (c *Context) put(e contextEntry) {
	i, found := c.search(e.key)
	if found {
		c.entries[i] = e
		return
	}
	c.entries = append(c.entries, contextEntry{})
	copy(c.entries[i+1:], c.entries[i:])
	c.entries[i] = e
}

func (c *Context) find(key string) *contextEntry {
	if c == nil {
		return nil
	}
	i, found := c.search(key)
	if !found {
		return nil
	}
	return &c.entries[i]
}

// search returns the position of key, or where it would be inserted.
func (c *Context) search(key string) (int, bool) {
	lo, hi := 0, len(c.entries)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch compareFold(c.entries[m].key, key) {
		case 0:
			return m, true
		case -1:
			lo = m + 1
		default:
			hi = m
		}
	}
	return lo, false
}

// compareFold orders strings by length, then byte by byte with ASCII
// letters folded to lower case. Ordering by length first lets most steps
// of a lookup decide without reading the keys.
func compareFold(a, b string) int {
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	n := len(a)
	for i := 0; i < n; i++ {
		x, y := lowerASCII(a[i]), lowerASCII(b[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// toLowerASCII lower-cases ASCII letters, returning s itself when it has
// none (no allocation in the common case).
func toLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}
