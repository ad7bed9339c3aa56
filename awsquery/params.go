package awsquery

import (
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxParams bounds the number of parameters in one request. The largest
// legitimate IAM requests (SimulatePrincipalPolicy with long action and
// resource lists) stay far below it; the bound keeps a body of millions of
// one-byte parameters from becoming a map of millions of entries.
const MaxParams = 20000

// ParseParams returns the parameters of a Query request: those of the URL's
// query string and, when the body is not empty, those of the
// application/x-www-form-urlencoded body (which the caller has read, within
// its size limit). GET requests carry them all in the query string, which
// AWS accepts too.
//
// Nothing ambiguous gets through, so that what a signature covers is what
// is executed: a parameter given twice, in the query string, in the body or
// in both, is rejected (InvalidQueryParameter, 400); so are malformed
// percent-encoding (MalformedQueryString), names or values that are not
// UTF-8 (MalformedQueryString), a body of another content type or charset
// (UnsupportedMediaType, 415) and more than MaxParams parameters. Form
// encoding applies to both parts: '+' is a space, and ';' is an ordinary
// character, not a separator.
func ParseParams(r *http.Request, body []byte) (url.Values, error) {
	params := url.Values{}
	if r.URL != nil && r.URL.RawQuery != "" {
		if err := parseForm(params, r.URL.RawQuery, "query string"); err != nil {
			return nil, err
		}
	}
	if len(body) == 0 {
		return params, nil
	}
	if err := checkContentType(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	if err := parseForm(params, string(body), "request body"); err != nil {
		return nil, err
	}
	return params, nil
}

func checkContentType(ct string) *Error {
	if ct == "" {
		return NewError(CodeUnsupportedMediaType, http.StatusUnsupportedMediaType,
			"A request with a body must have Content-Type application/x-www-form-urlencoded.")
	}
	mt, ps, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return NewError(CodeUnsupportedMediaType, http.StatusUnsupportedMediaType,
			"Unsupported Content-Type %q: the body must be application/x-www-form-urlencoded.", clip(ct))
	}
	for k, v := range ps {
		if k == "charset" && !strings.EqualFold(v, "utf-8") {
			return NewError(CodeUnsupportedMediaType, http.StatusUnsupportedMediaType,
				"Unsupported charset %q: the body must be UTF-8.", clip(v))
		}
	}
	return nil
}

// parseForm adds the pairs of a form-encoded string to params.
func parseForm(params url.Values, s, where string) *Error {
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, ok := unescapeForm(rawKey)
		if !ok {
			return malformed(where, rawKey)
		}
		value, ok := unescapeForm(rawValue)
		if !ok {
			return malformed(where, rawKey)
		}
		if !utf8.ValidString(key) || !utf8.ValidString(value) {
			return NewError(CodeMalformedQueryString, http.StatusNotFound,
				"The %s contains a parameter that is not valid UTF-8.", where)
		}
		if key == "" {
			continue
		}
		if _, dup := params[key]; dup {
			return NewError(CodeInvalidQueryParameter, http.StatusBadRequest,
				"The parameter %s is given more than once; each parameter may appear only once in the query string and the body together.", clip(key))
		}
		if len(params) >= MaxParams {
			return NewError(CodeInvalidQueryParameter, http.StatusBadRequest,
				"The request has more than %d parameters.", MaxParams)
		}
		params[key] = []string{value}
	}
	return nil
}

func malformed(where, rawKey string) *Error {
	return NewError(CodeMalformedQueryString, http.StatusNotFound,
		"The %s is malformed: invalid percent-encoding in parameter %s.", where, clip(strings.ToValidUTF8(rawKey, "\uFFFD")))
}

// clip shortens text that is echoed back in an error message.
func clip(s string) string {
	const max = 128
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// unescapeForm decodes form encoding: %XX escapes and '+' for space. It
// does not allocate when there is nothing to decode.
func unescapeForm(s string) (string, bool) {
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", false
			}
			n++
			i += 2
		case '+':
			plus = true
		}
	}
	if n == 0 && !plus {
		return s, true
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '%':
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case '+':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
