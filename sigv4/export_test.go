package sigv4

import (
	"net/http"
	"strings"
	"time"
)

// CanonicalRequestOf exposes the canonical request to the black-box tests,
// which compare it with the published test vectors.
func CanonicalRequestOf(r *http.Request, body []byte, signedHeaders string) (string, error) {
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	signed := splitSignedHeaders(signedHeaders)
	return canonicalRequest(r, canonicalQuery(params, ""), signed, strings.Join(signed, ";"), payloadSHA256(body)), nil
}

// StringToSignOf exposes the string to sign to the black-box tests.
func StringToSignOf(t time.Time, scope Scope, canonical string) string {
	return stringToSign(t, scope.String(), canonical)
}
