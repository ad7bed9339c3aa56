package sigv4

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credentials are what a client signs with: an access key, its secret and,
// for temporary credentials, the session token.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// unsignedHeaders are left out of the signature because proxies and
// transports add or rewrite them (the same list AWS's SDKs skip).
var unsignedHeaders = map[string]bool{
	"authorization":     true,
	"user-agent":        true,
	"x-amzn-trace-id":   true,
	"expect":            true,
	"transfer-encoding": true,
	"content-length":    true,
}

// Sign signs r in place with the Authorization header form, as an AWS SDK
// would: it sets X-Amz-Date (and X-Amz-Security-Token for temporary
// credentials) and signs the host, every header already set on r except
// the transport ones, the query string and body, which must be the body r
// will send. The request is signed for time t in the given region and
// service.
func Sign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time) error {
	if err := checkSigningInput(r, creds, region, service); err != nil {
		return err
	}
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return errors.New("sigv4: cannot sign a malformed query string")
	}
	t = t.UTC()
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", t.Format(timeFormat))
	if creds.SessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}

	signed := []string{"host"}
	for name := range r.Header {
		h := strings.ToLower(name)
		if !unsignedHeaders[h] && h != "host" {
			signed = append(signed, h)
		}
	}
	slices.Sort(signed)
	signed = slices.Compact(signed)

	payloadHash := r.Header.Get("X-Amz-Content-Sha256")
	if payloadHash == "" {
		payloadHash = payloadSHA256(body)
	}
	scope := Scope{AccessKeyID: creds.AccessKeyID, Date: t.Format(dateFormat), Region: region, Service: service, Terminator: Terminator}
	signedLine := strings.Join(signed, ";")
	canonical := canonicalRequest(r, canonicalQuery(params, ""), signed, signedLine, payloadHash)
	sig := signature(signingKey([]byte(creds.SecretAccessKey), scope.Date, region, service), stringToSign(t, scope.String(), canonical))

	r.Header.Set("Authorization", Algorithm+" Credential="+creds.AccessKeyID+"/"+scope.String()+
		", SignedHeaders="+signedLine+", Signature="+string(sig))
	return nil
}

// Presign returns a URL for r's method, host, path and query that carries
// its own signature (query-string authentication), valid from t for
// expires (at most 7 days). Only the Host header is signed; body is what
// the request using the URL will send (nil for a GET). r is not modified.
func Presign(r *http.Request, body []byte, creds Credentials, region, service string, t time.Time, expires time.Duration) (string, error) {
	if err := checkSigningInput(r, creds, region, service); err != nil {
		return "", err
	}
	if expires < time.Second || expires > DefaultMaxPresignExpiry || expires%time.Second != 0 {
		return "", errors.New("sigv4: presigned URLs expire after a whole number of seconds between 1 and 604800")
	}
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return "", errors.New("sigv4: cannot sign a malformed query string")
	}
	for _, p := range params {
		if strings.HasPrefix(p.name, "X-Amz-") {
			switch p.name {
			case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
				"X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token":
				return "", errors.New("sigv4: the request already carries " + p.name)
			}
		}
	}
	t = t.UTC()
	scope := Scope{AccessKeyID: creds.AccessKeyID, Date: t.Format(dateFormat), Region: region, Service: service, Terminator: Terminator}
	params = append(params,
		param{"X-Amz-Algorithm", Algorithm},
		param{"X-Amz-Credential", creds.AccessKeyID + "/" + scope.String()},
		param{"X-Amz-Date", t.Format(timeFormat)},
		param{"X-Amz-Expires", strconv.FormatInt(int64(expires/time.Second), 10)},
		param{"X-Amz-SignedHeaders", "host"},
	)
	if creds.SessionToken != "" {
		params = append(params, param{"X-Amz-Security-Token", creds.SessionToken})
	}
	query := canonicalQuery(params, "")
	canonical := canonicalRequest(r, query, []string{"host"}, "host", payloadSHA256(body))
	sig := signature(signingKey([]byte(creds.SecretAccessKey), scope.Date, region, service), stringToSign(t, scope.String(), canonical))

	scheme := r.URL.Scheme
	if scheme == "" {
		scheme = "https"
	}
	return scheme + "://" + headerValue(r, "host") + requestPath(r) + "?" + query + "&X-Amz-Signature=" + string(sig), nil
}

// checkSigningInput refuses what cannot produce a valid signature.
func checkSigningInput(r *http.Request, creds Credentials, region, service string) error {
	switch {
	case r == nil || r.URL == nil:
		return errors.New("sigv4: no request to sign")
	case creds.AccessKeyID == "" || creds.SecretAccessKey == "":
		return errors.New("sigv4: credentials need an access key and a secret")
	case strings.Contains(creds.AccessKeyID, "/"):
		return errors.New("sigv4: an access key cannot contain '/'")
	case region == "" || service == "" || strings.Contains(region, "/") || strings.Contains(service, "/"):
		return errors.New("sigv4: region and service must be non-empty and contain no '/'")
	case headerValue(r, "host") == "":
		return errors.New("sigv4: the request has no host")
	}
	if r.Header == nil {
		r.Header = make(http.Header)
	}
	return nil
}
