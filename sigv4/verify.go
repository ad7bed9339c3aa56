package sigv4

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSkew is how far a request's date may be from the server clock,
// either way: AWS's 15 minutes.
const DefaultMaxSkew = 15 * time.Minute

// DefaultMaxPresignExpiry is the longest X-Amz-Expires accepted: 7 days, as
// AWS allows (604800 seconds).
const DefaultMaxPresignExpiry = 7 * 24 * time.Hour

// CredentialSource looks up the secret of an access key. The server backs
// it with its store; it returns ErrUnknownAccessKey (possibly wrapped) for a
// key it does not know or will not accept, and any other error for a
// failure of its own, which Verify passes through unchanged in kind.
type CredentialSource interface {
	Secret(ctx context.Context, accessKeyID string) (secret []byte, err error)
}

// Verifier checks AWS Signature Version 4 signatures, in the Authorization
// header or in a presigned URL's query string. The zero value of every
// field but Credentials is a sensible default; a Verifier is safe for
// concurrent use once configured.
type Verifier struct {
	// Credentials supplies the secret of each access key.
	Credentials CredentialSource
	// Now is the server clock; nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far X-Amz-Date (or Date) may be from Now, either way;
	// zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// MaxPresignExpiry caps X-Amz-Expires; zero means DefaultMaxPresignExpiry.
	MaxPresignExpiry time.Duration
	// Services, when set, lists the services a credential scope may name;
	// another one is refused with AWS's "Credential should be scoped to
	// correct service" (naming the first entry).
	Services []string
	// ValidRegion, when set, decides which regions a credential scope may
	// name; a region it rejects is refused with AWS's "Credential should
	// be scoped to a valid region".
	ValidRegion func(region string) bool
	// AllowRepeatedQueryParameters accepts a query string that gives a
	// parameter more than once (S3-style APIs). By default such a request
	// is refused: the Query protocol reads one value per name, and a
	// second copy would make what is authorized differ from what runs.
	AllowRepeatedQueryParameters bool
	// AllowUnsignedPayload accepts X-Amz-Content-Sha256: UNSIGNED-PAYLOAD
	// with a non-empty body (S3-style APIs). By default it is accepted only
	// for an empty body, since a Query API request's body is its parameters.
	AllowUnsignedPayload bool
}

// Result is what a verified signature establishes.
type Result struct {
	// AccessKeyID signed the request.
	AccessKeyID string
	// Date is the signing time (X-Amz-Date, or the Date header).
	Date time.Time
	// Region, Service and Partition come from the credential scope.
	Region, Service, Partition string
	// SecurityToken is the X-Amz-Security-Token sent with the request,
	// empty for long-term keys. Verify does not judge it: the server checks
	// that it belongs to AccessKeyID.
	SecurityToken string
	// SecurityTokenSigned reports whether the token is covered by the
	// signature (a signed header or a presigned query parameter).
	SecurityTokenSigned bool
	// SignedHeaders lists the headers the signature covers, lower case.
	SignedHeaders []string
	// Presigned is true for query-string authentication.
	Presigned bool
	// Expires is when a presigned URL stops being accepted (zero otherwise).
	Expires time.Time
}

// authorization is the parsed Authorization header.
type authorization struct {
	algorithm                                     string
	credential, signedHeaders, signature          string
	hasCredential, hasSignedHeaders, hasSignature bool
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=..." into its parts. Like AWS, it separates the parameters at
// commas and whitespace, and refuses a part without an equal sign.
func parseAuthorization(h string) (authorization, *Error) {
	var a authorization
	rest := strings.TrimLeft(h, " \t")
	end := strings.IndexAny(rest, " \t,")
	if end < 0 {
		a.algorithm = rest
		return a, nil
	}
	a.algorithm, rest = rest[:end], rest[end:]
	for rest != "" {
		rest = strings.TrimLeft(rest, " \t,")
		if rest == "" {
			break
		}
		end := strings.IndexAny(rest, " \t,")
		if end < 0 {
			end = len(rest)
		}
		tok := rest[:end]
		rest = rest[end:]
		name, value, ok := strings.Cut(tok, "=")
		if !ok {
			// Only a SigV4 header is held to key=value pairs; another
			// scheme ("Bearer ...") is answered with what it lacks.
			if !strings.HasPrefix(a.algorithm, "AWS4-") {
				continue
			}
			return a, fail(failNotKeyValue, tok, h)
		}
		switch name {
		case "Credential":
			a.credential, a.hasCredential = value, value != ""
		case "SignedHeaders":
			a.signedHeaders, a.hasSignedHeaders = value, true
		case "Signature":
			a.signature, a.hasSignature = value, value != ""
		}
	}
	return a, nil
}

// request is what Verify extracted from either authentication form.
type request struct {
	algorithm     string
	credential    string
	signedHeaders string
	signature     string
	date          time.Time
	dateText      string // the date as received, for error messages
	expires       time.Duration
	presigned     bool
	token         string
	tokenSigned   bool
}

// Verify checks the signature of r, whose body the caller has already read
// (within its own size limit) and passes as body. Every request that
// carries an Authorization header or presigned query parameters must go
// through Verify; a request carrying neither is refused with
// MissingAuthenticationToken.
//
// A failure is an *Error carrying AWS's code, status and message (use
// errors.As), which unwraps to one of the package's sentinels; an error of
// any other type comes from the CredentialSource and is the server's own.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	if v.Credentials == nil {
		return nil, errors.New("sigv4: Verifier has no Credentials")
	}
	var raw string
	if r.URL != nil {
		raw = r.URL.RawQuery
	}
	params, err := parseQuery(raw)
	if err != nil {
		return nil, fail(failMalformedQuery, err.Error())
	}
	if !v.AllowRepeatedQueryParameters {
		if name, ok := repeated(params); ok {
			return nil, fail(failRepeatedParameter, name)
		}
	}
	authHeaders := r.Header.Values("Authorization")
	presigned := has(params, "X-Amz-Algorithm") || has(params, "X-Amz-Credential") || has(params, "X-Amz-Signature")
	switch {
	case len(authHeaders) > 0 && presigned:
		return nil, fail(failTwoMechanisms)
	case len(authHeaders) > 1:
		return nil, fail(failRepeatedAuthorization)
	case len(authHeaders) == 0 && !presigned:
		return nil, fail(failMissingAuth)
	}

	var req request
	var e *Error
	if presigned {
		req, e = v.fromQuery(params)
	} else {
		req, e = v.fromHeader(r, params, authHeaders[0])
	}
	if e != nil {
		return nil, e
	}
	if e := v.checkTime(&req); e != nil {
		return nil, e
	}

	signed := splitSignedHeaders(req.signedHeaders)
	if !slices.Contains(signed, "host") {
		return nil, fail(failHostNotSigned)
	}
	if req.algorithm != Algorithm {
		return nil, fail(failUnsupportedAlgorithm, req.algorithm)
	}
	scope, ok := parseScope(req.credential)
	if !ok {
		return nil, fail(failCredentialParts, req.credential)
	}
	if e := v.checkScope(scope, req); e != nil {
		return nil, e
	}

	// The token: in the header form it may also ride in the (signed) query
	// string; two copies would leave it unclear which one was meant.
	if headerTokens := r.Header.Values("X-Amz-Security-Token"); len(headerTokens) > 0 {
		if len(headerTokens) > 1 || req.token != "" {
			return nil, fail(failRepeatedParameter, "X-Amz-Security-Token")
		}
		req.token = headerTokens[0]
		req.tokenSigned = slices.Contains(signed, "x-amz-security-token")
	}

	secret, err := v.Credentials.Secret(ctx, scope.AccessKeyID)
	if err != nil {
		if errors.Is(err, ErrUnknownAccessKey) {
			return nil, fail(failUnknownKey)
		}
		return nil, fmt.Errorf("sigv4: looking up access key %q: %w", scope.AccessKeyID, err)
	}

	payloadHash, e := v.payloadHash(r, params, body, req.presigned)
	if e != nil {
		return nil, e
	}
	skip := ""
	if req.presigned {
		skip = "X-Amz-Signature"
	}
	canonical := canonicalRequest(r, canonicalQuery(params, skip), signed, strings.Join(signed, ";"), payloadHash)
	sts := stringToSign(req.date, scope.String(), canonical)
	want := signature(signingKey(secret, scope.Date, scope.Region, scope.Service), sts)
	if !hmac.Equal(want, []byte(req.signature)) {
		e := fail(failSignatureMismatch)
		e.canonicalRequest, e.stringToSign = canonical, sts
		return nil, e
	}

	res := &Result{
		AccessKeyID:         scope.AccessKeyID,
		Date:                req.date,
		Region:              scope.Region,
		Service:             scope.Service,
		Partition:           Partition(scope.Region),
		SecurityToken:       req.token,
		SecurityTokenSigned: req.tokenSigned,
		SignedHeaders:       signed,
		Presigned:           req.presigned,
	}
	if req.presigned {
		res.Expires = req.date.Add(max(req.expires, v.maxSkew()))
	}
	return res, nil
}

// fromHeader reads the Authorization header form.
func (v *Verifier) fromHeader(r *http.Request, params []param, header string) (request, *Error) {
	a, e := parseAuthorization(header)
	if e != nil {
		return request{}, e
	}
	dateText := r.Header.Get("X-Amz-Date")
	useDateHeader := dateText == ""
	if useDateHeader {
		dateText = r.Header.Get("Date")
	}
	var missing strings.Builder
	if !a.hasCredential {
		fmt.Fprintf(&missing, headerRequires, "Credential")
	}
	if !a.hasSignature {
		fmt.Fprintf(&missing, headerRequires, "Signature")
	}
	if !a.hasSignedHeaders {
		fmt.Fprintf(&missing, headerRequires, "SignedHeaders")
	}
	if dateText == "" {
		missing.WriteString(headerRequiresDate)
	}
	if missing.Len() > 0 {
		return request{}, fail(failIncompleteHeader, missing.String(), header)
	}
	var date time.Time
	var ok bool
	if useDateHeader {
		date, ok = parseHTTPDate(dateText)
	} else {
		date, ok = parseAmzDate(dateText)
	}
	if !ok {
		return request{}, fail(failBadDate, dateText)
	}
	req := request{
		algorithm:     a.algorithm,
		credential:    a.credential,
		signedHeaders: a.signedHeaders,
		signature:     a.signature,
		date:          date,
		dateText:      dateText,
	}
	// A token in the query string of a header-signed request is covered by
	// the signature like every query parameter.
	if t, ok := get(params, "X-Amz-Security-Token"); ok {
		req.token, req.tokenSigned = t, true
	}
	return req, nil
}

// fromQuery reads the presigned form.
func (v *Verifier) fromQuery(params []param) (request, *Error) {
	var missing strings.Builder
	values := map[string]string{}
	for _, name := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		value, _ := get(params, name)
		if value == "" {
			fmt.Fprintf(&missing, queryRequires, name)
		}
		values[name] = value
	}
	if missing.Len() > 0 {
		return request{}, fail(failIncompleteQuery, missing.String())
	}
	date, ok := parseAmzDate(values["X-Amz-Date"])
	if !ok {
		return request{}, fail(failBadDate, values["X-Amz-Date"])
	}
	req := request{
		algorithm:     values["X-Amz-Algorithm"],
		credential:    values["X-Amz-Credential"],
		signedHeaders: values["X-Amz-SignedHeaders"],
		signature:     values["X-Amz-Signature"],
		date:          date,
		dateText:      values["X-Amz-Date"],
		presigned:     true,
	}
	if s, ok := get(params, "X-Amz-Expires"); ok {
		limit := int64(v.maxPresignExpiry() / time.Second)
		if !isInteger(s) {
			return request{}, fail(failBadExpires)
		}
		if s[0] == '-' {
			return request{}, fail(failNegativeExpires)
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > limit {
			return request{}, fail(failExpiresTooLong, limit)
		}
		req.expires = time.Duration(n) * time.Second
	}
	if t, ok := get(params, "X-Amz-Security-Token"); ok {
		req.token, req.tokenSigned = t, true
	}
	return req, nil
}

// checkTime refuses a request whose date is too far from the server clock.
// A presigned URL stays valid for X-Amz-Expires when that is longer than
// the skew window; a shorter X-Amz-Expires does not shorten the window,
// since AWS's Query services ignore it and clients rely on that (STS
// presigned GetCallerIdentity tokens are sent with X-Amz-Expires=0 or 60).
func (v *Verifier) checkTime(req *request) *Error {
	now := v.now().UTC()
	skew := v.maxSkew()
	window := skew
	if req.presigned && req.expires > window {
		window = req.expires
	}
	if earliest := now.Add(-window); req.date.Before(earliest) {
		return fail(failExpired, req.date.Format(timeFormat), earliest.Format(timeFormat), now.Format(timeFormat), windowText(window))
	}
	if latest := now.Add(skew); req.date.After(latest) {
		return fail(failNotYetCurrent, req.date.Format(timeFormat), latest.Format(timeFormat), now.Format(timeFormat), windowText(skew))
	}
	return nil
}

// checkScope compares the credential scope with the request date and the
// configured services and regions, reporting every mismatch in one
// message as AWS does.
func (v *Verifier) checkScope(s Scope, req request) *Error {
	var msg strings.Builder
	if v.ValidRegion != nil && !v.ValidRegion(s.Region) {
		fmt.Fprintf(&msg, scopeRegion, s.Region)
	}
	if len(v.Services) > 0 && !slices.Contains(v.Services, s.Service) {
		fmt.Fprintf(&msg, scopeService, v.Services[0])
	}
	if s.Terminator != Terminator {
		fmt.Fprintf(&msg, scopeTerminator, s.Terminator)
	}
	if day := req.date.Format(dateFormat); s.Date != day {
		fmt.Fprintf(&msg, scopeDate, s.Date, day, req.date.Format(timeFormat))
	}
	if msg.Len() > 0 {
		return fail(failScope, msg.String())
	}
	return nil
}

// payloadHash is the payload hash for the canonical request: the hash the
// client declared in X-Amz-Content-Sha256 once checked against the body,
// else the body's own hash.
func (v *Verifier) payloadHash(r *http.Request, params []param, body []byte, presigned bool) (string, *Error) {
	declared := r.Header.Get("X-Amz-Content-Sha256")
	if declared == "" && presigned {
		declared, _ = get(params, "X-Amz-Content-Sha256")
	}
	if declared == "" {
		return payloadSHA256(body), nil
	}
	if declared == UnsignedPayload {
		if len(body) > 0 && !v.AllowUnsignedPayload {
			return "", fail(failUnsignedPayload)
		}
		return declared, nil
	}
	if !strings.EqualFold(declared, payloadSHA256(body)) {
		return "", fail(failPayloadHashMismatch)
	}
	return declared, nil
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

func (v *Verifier) maxPresignExpiry() time.Duration {
	if v.MaxPresignExpiry > 0 {
		return v.MaxPresignExpiry
	}
	return DefaultMaxPresignExpiry
}

// windowText renders a window as AWS's messages do ("15 min.").
func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec."
}

// splitSignedHeaders lower-cases and splits the SignedHeaders list.
func splitSignedHeaders(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ";")
	for i, h := range out {
		for j := 0; j < len(h); j++ {
			if 'A' <= h[j] && h[j] <= 'Z' {
				out[i] = strings.ToLower(h)
				break
			}
		}
	}
	return out
}

// parseAmzDate parses ISO 8601 basic format, exactly YYYYMMDDTHHMMSSZ.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(timeFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return time.Time{}, false
		}
	}
	t, err := time.Parse(timeFormat, s)
	return t, err == nil
}

// parseHTTPDate parses a Date header (RFC 1123 and the forms HTTP allows).
func parseHTTPDate(s string) (time.Time, bool) {
	t, err := http.ParseTime(s)
	return t.UTC(), err == nil
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// has reports whether a parameter is present.
func has(params []param, name string) bool {
	_, ok := get(params, name)
	return ok
}

// get returns the first value of a parameter.
func get(params []param, name string) (string, bool) {
	for _, p := range params {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// repeated returns a parameter name that occurs more than once.
func repeated(params []param) (string, bool) {
	if len(params) <= 16 {
		for i := 1; i < len(params); i++ {
			for j := 0; j < i; j++ {
				if params[i].name == params[j].name {
					return params[i].name, true
				}
			}
		}
		return "", false
	}
	seen := make(map[string]struct{}, len(params))
	for _, p := range params {
		if _, dup := seen[p.name]; dup {
			return p.name, true
		}
		seen[p.name] = struct{}{}
	}
	return "", false
}
