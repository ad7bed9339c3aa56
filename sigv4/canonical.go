package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm AWS's SigV4 services accept.
const Algorithm = "AWS4-HMAC-SHA256"

// Terminator ends every credential scope.
const Terminator = "aws4_request"

// UnsignedPayload is the X-Amz-Content-Sha256 value that leaves the body
// out of the signature (S3 only; see Verifier.AllowUnsignedPayload).
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// timeFormat is ISO 8601 basic format, the form of X-Amz-Date.
const timeFormat = "20060102T150405Z"

// dateFormat is the YYYYMMDD of the credential scope.
const dateFormat = "20060102"

// emptySHA256 is the hex SHA-256 of an empty payload.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// param is one decoded query string parameter, in the order received.
type param struct {
	name, value string
}

// errBadEscape is returned by parseQuery for a malformed %-escape.
var errBadEscape = errors.New("invalid %-escape")

// parseQuery decodes a raw query string as a Query API server reads it:
// '&'-separated name=value pairs, '+' as space, %XX escapes. Unlike
// net/url it neither drops pairs it dislikes (a ';') nor silently skips
// bad escapes: every pair is either decoded or an error, so the canonical
// query covers everything the server may act on.
func parseQuery(raw string) ([]param, error) {
	if raw == "" {
		return nil, nil
	}
	params := make([]param, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		n, err := unescape(name)
		if err != nil {
			return nil, err
		}
		v, err := unescape(value)
		if err != nil {
			return nil, err
		}
		params = append(params, param{n, v})
	}
	return params, nil
}

// unescape decodes %XX escapes and '+' as in application/x-www-form-urlencoded.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", errBadEscape
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// unreserved reports whether c is one of RFC 3986's unreserved characters,
// the only ones SigV4 leaves unescaped.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// appendURIEncode appends s percent-encoded as SigV4 specifies: every byte
// but the unreserved characters (and '/' when keepSlash) as %XX with
// upper-case hex.
func appendURIEncode(b []byte, s string, keepSlash bool) []byte {
	const upperhex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || keepSlash && c == '/' {
			b = append(b, c)
			continue
		}
		b = append(b, '%', upperhex[c>>4], upperhex[c&15])
	}
	return b
}

func uriEncode(s string) string {
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			return string(appendURIEncode(make([]byte, 0, len(s)+8), s, false))
		}
	}
	return s
}

// canonicalQuery encodes each name and value, then sorts by encoded name
// and encoded value (SigV4 sorts after encoding), skipping the parameter
// named skip (X-Amz-Signature of a presigned URL).
func canonicalQuery(params []param, skip string) string {
	type encoded struct{ name, value string }
	enc := make([]encoded, 0, len(params))
	size := 0
	for _, p := range params {
		if skip != "" && p.name == skip {
			continue
		}
		e := encoded{uriEncode(p.name), uriEncode(p.value)}
		size += len(e.name) + len(e.value) + 2
		enc = append(enc, e)
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].name != enc[j].name {
			return enc[i].name < enc[j].name
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	b.Grow(size)
	for i, e := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(e.name)
		b.WriteByte('=')
		b.WriteString(e.value)
	}
	return b.String()
}

// requestPath is the path as it came over the wire, still percent-encoded:
// the request target of a server request, else the URL's escaped path.
func requestPath(r *http.Request) string {
	if uri := r.RequestURI; uri != "" && uri[0] == '/' {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
		return uri
	}
	if r.URL == nil {
		return "/"
	}
	if r.URL.Opaque != "" {
		// "//host/path" as net/http documents for Opaque.
		p := strings.TrimPrefix(r.URL.Opaque, "//")
		if i := strings.IndexByte(p, '/'); i >= 0 {
			return p[i:]
		}
		return "/"
	}
	return r.URL.EscapedPath()
}

// canonicalURI normalizes the wire path as SigV4 does for every service but
// S3 (remove empty, "." and ".." segments, keep a trailing slash) and
// encodes it once more, which makes the wire path's escapes double-encoded
// as AWS's signers produce them.
func canonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	segs := make([]string, 0, strings.Count(path, "/")+1)
	trailing := false
	for _, s := range strings.Split(path, "/") {
		trailing = false
		switch s {
		case "":
			trailing = true
		case ".":
			trailing = true
		case "..":
			trailing = true
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	b := make([]byte, 0, len(path)+8)
	b = append(b, '/')
	for i, s := range segs {
		if i > 0 {
			b = append(b, '/')
		}
		b = appendURIEncode(b, s, false)
	}
	if trailing && len(segs) > 0 {
		b = append(b, '/')
	}
	return string(b)
}

// headerValue is the canonical value of one signed header: the values of
// every occurrence, each trimmed with inner runs of spaces collapsed,
// joined by commas. Headers that net/http lifts out of the header map
// (Host, Content-Length, Transfer-Encoding) are read where it puts them.
func headerValue(r *http.Request, name string) string {
	switch name {
	case "host":
		host := r.Host
		if host == "" && r.URL != nil {
			host = r.URL.Host
		}
		return trimCollapse(host)
	case "content-length":
		if v := r.Header.Values("Content-Length"); len(v) > 0 {
			return joinValues(v)
		}
		if r.ContentLength >= 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
		return ""
	case "transfer-encoding":
		if v := r.Header.Values("Transfer-Encoding"); len(v) > 0 {
			return joinValues(v)
		}
		return joinValues(r.TransferEncoding)
	}
	return joinValues(r.Header.Values(name))
}

func joinValues(v []string) string {
	switch len(v) {
	case 0:
		return ""
	case 1:
		return trimCollapse(v[0])
	}
	var b strings.Builder
	for i, s := range v {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(trimCollapse(s))
	}
	return b.String()
}

// trimCollapse trims surrounding whitespace and collapses inner runs of
// spaces to one, as SigV4's canonical header values require.
func trimCollapse(s string) string {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "  ") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' && i > 0 && s[i-1] == ' ' {
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// canonicalRequest assembles the canonical request: method, canonical URI,
// canonical query, one "name:value" line per signed header, the signed
// header list and the payload hash.
func canonicalRequest(r *http.Request, query string, signed []string, signedLine, payloadHash string) string {
	var b strings.Builder
	uri := canonicalURI(requestPath(r))
	b.Grow(len(r.Method) + len(uri) + len(query) + len(signedLine)*3 + len(payloadHash) + 128)
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	for _, h := range signed {
		b.WriteString(h)
		b.WriteByte(':')
		b.WriteString(headerValue(r, h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(signedLine)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// stringToSign is the algorithm, the request time, the credential scope and
// the hash of the canonical request, one per line.
func stringToSign(t time.Time, scope, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	var b strings.Builder
	b.Grow(len(Algorithm) + len(timeFormat) + len(scope) + 2*sha256.Size + 3)
	b.WriteString(Algorithm)
	b.WriteByte('\n')
	b.WriteString(t.UTC().Format(timeFormat))
	b.WriteByte('\n')
	b.WriteString(scope)
	b.WriteByte('\n')
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	b.Write(h[:])
	return b.String()
}

// signingKey derives the key for one day, region and service:
// HMAC chains from "AWS4"+secret over date, region, service, "aws4_request".
func signingKey(secret []byte, date, region, service string) []byte {
	k := make([]byte, 0, 4+len(secret))
	k = append(append(k, "AWS4"...), secret...)
	k = hmacSHA256(k, date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, Terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// signature is the hex HMAC of the string to sign under the signing key.
func signature(key []byte, sts string) []byte {
	sum := hmacSHA256(key, sts)
	out := make([]byte, hex.EncodedLen(len(sum)))
	hex.Encode(out, sum)
	return out
}

// payloadSHA256 is the hex SHA-256 of the body.
func payloadSHA256(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
