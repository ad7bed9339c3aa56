package sigv4

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinels let callers classify a verification failure with errors.Is
// without comparing AWS error codes as strings. Every *Error returned by
// Verify unwraps to exactly one of them.
var (
	// ErrUnknownAccessKey is what a CredentialSource returns for an access
	// key it does not know (or will not accept, such as an inactive key);
	// Verify answers it with InvalidClientTokenId.
	ErrUnknownAccessKey = errors.New("sigv4: unknown access key")
	// ErrMissingAuthentication means the request carries no signature at all.
	ErrMissingAuthentication = errors.New("sigv4: request is not signed")
	// ErrMalformed means the signature parameters are incomplete or unusable.
	ErrMalformed = errors.New("sigv4: malformed signature")
	// ErrSignatureMismatch means the signature does not match the request,
	// or its credential scope is wrong.
	ErrSignatureMismatch = errors.New("sigv4: signature does not match")
	// ErrTimeSkew means the request's date is outside the accepted window
	// around the server clock (or a presigned URL has expired).
	ErrTimeSkew = errors.New("sigv4: request time outside the accepted window")
	// ErrAmbiguousRequest means the request could be read in more than one
	// way: a parameter given twice, or two authentication mechanisms.
	ErrAmbiguousRequest = errors.New("sigv4: ambiguous request")
	// ErrPayloadMismatch means the declared payload hash does not describe
	// the body.
	ErrPayloadMismatch = errors.New("sigv4: payload hash does not match the body")
)

// Error is a verification failure as AWS reports it: an error code, the
// HTTP status and AWS's message. A server renders it as its wire error by
// reading Code, Status and Message.
type Error struct {
	code    string
	status  int
	message string
	kind    error

	canonicalRequest string
	stringToSign     string
}

// Code is the AWS error code, such as "SignatureDoesNotMatch".
func (e *Error) Code() string { return e.code }

// Status is the HTTP status AWS answers with: 403 for authentication
// failures, 400 for malformed requests.
func (e *Error) Status() int { return e.status }

// Message is AWS's message for the failure, ready to send to the client.
func (e *Error) Message() string { return e.message }

// CanonicalRequest is, for a signature mismatch, the canonical request the
// server computed. AWS's services used to send it back to help debugging;
// it is kept off the wire here and offered for the server's log instead.
func (e *Error) CanonicalRequest() string { return e.canonicalRequest }

// StringToSign is, for a signature mismatch, the string to sign the server
// computed (see CanonicalRequest).
func (e *Error) StringToSign() string { return e.stringToSign }

// Error implements error.
func (e *Error) Error() string { return "sigv4: " + e.code + ": " + e.message }

// Unwrap returns the sentinel that classifies the failure.
func (e *Error) Unwrap() error { return e.kind }

// failure identifies one row of the message table.
type failure int

const (
	failMissingAuth failure = iota
	failIncompleteHeader
	failIncompleteQuery
	failNotKeyValue
	failRepeatedAuthorization
	failBadDate
	failUnsupportedAlgorithm
	failCredentialParts
	failHostNotSigned
	failScope
	failExpired
	failNotYetCurrent
	failUnknownKey
	failSignatureMismatch
	failBadExpires
	failNegativeExpires
	failExpiresTooLong
	failPayloadHashMismatch
	failUnsignedPayload
	failRepeatedParameter
	failTwoMechanisms
	failMalformedQuery
)

// messages is the one table of what Verify answers, with where each message
// comes from. Formats take the arguments documented beside them.
var messages = [...]struct {
	code   string
	status int
	format string
	kind   error
}{
	// IAM API reference, Common Errors: MissingAuthenticationToken, 403; the
	// message as AWS sends it (aws/aws-sdk-js-v3 and dynalite observations).
	failMissingAuth: {"MissingAuthenticationToken", http.StatusForbidden,
		"Request is missing Authentication Token", ErrMissingAuthentication},
	// %s: one "Authorization header requires ..." sentence per missing part,
	// then the header. As AWS answers, e.g. aws/chalice#828 and
	// brendanhay/amazonka#316: "Authorization header requires 'Signature'
	// parameter. Authorization header requires 'SignedHeaders' parameter.
	// Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF".
	failIncompleteHeader: {"IncompleteSignature", http.StatusBadRequest,
		"%sAuthorization=%s", ErrMalformed},
	// %s: one "AWS query-string parameters must include 'X-Amz-...'. " per
	// missing parameter (dynalite, recorded from DynamoDB's answers).
	failIncompleteQuery: {"IncompleteSignature", http.StatusBadRequest,
		"%sRe-examine the query-string parameters.", ErrMalformed},
	// %s, %s: the token, the header. iann0036/cloud9-sync#10 quotes AWS:
	// "'<token>' not a valid key=value pair (missing equal-sign) in
	// Authorization header: '<header>'."
	failNotKeyValue: {"IncompleteSignature", http.StatusBadRequest,
		"'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'.", ErrMalformed},
	// iamd: a request with two Authorization headers is ambiguous; AWS has
	// no documented message for it.
	failRepeatedAuthorization: {"IncompleteSignature", http.StatusBadRequest,
		"The request has more than one Authorization header.", ErrAmbiguousRequest},
	// %s: the date as received. AWS's message (dynalite, recorded from
	// DynamoDB; scratchstack-aws-signature's table).
	failBadDate: {"IncompleteSignature", http.StatusBadRequest,
		"Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601", ErrMalformed},
	// %s: the algorithm. AWS's message (dynalite, recorded from DynamoDB).
	failUnsupportedAlgorithm: {"IncompleteSignature", http.StatusBadRequest,
		"Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). ", ErrMalformed},
	// %s: the credential. AWS's message (mhart/aws4#97 quotes it from
	// Elasticsearch Service; dynalite).
	failCredentialParts: {"IncompleteSignature", http.StatusBadRequest,
		"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'", ErrMalformed},
	// AWS's current wording (scratchstack-aws-signature); older services
	// said "'Host' must be a 'SignedHeader' in the AWS Authorization.".
	failHostNotSigned: {"SignatureDoesNotMatch", http.StatusForbidden,
		"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.", ErrSignatureMismatch},
	// %s: the concatenation of the scope sentences below, as AWS joins them
	// (dynalite records all four in one DynamoDB answer; STS and IAM answer
	// SignatureDoesNotMatch with them: hashicorp/vault#11067,
	// JuliaCloud/AWS.jl#565).
	failScope: {"SignatureDoesNotMatch", http.StatusForbidden, "%s", ErrSignatureMismatch},
	// %s x3: request date, now minus the window, now; %s: the window
	// ("15 min."). STS's answer quoted in aws/aws-cli#6676: "Signature
	// expired: 20220127T001427Z is now earlier than 20220127T014428Z
	// (20220127T015928Z - 15 min.)". SignatureDoesNotMatch is one of the
	// codes aws-sdk-go-v2's retryer treats as clock skew (with the
	// response's Date header), so the SDK corrects its clock and retries.
	failExpired: {"SignatureDoesNotMatch", http.StatusForbidden,
		"Signature expired: %s is now earlier than %s (%s - %s)", ErrTimeSkew},
	// As failExpired, for a date in the future: "Signature not yet
	// current: 20210502T183640Z is still later than 20210502T175140Z
	// (20210502T173640Z + 15 min.)" (scratchstack-aws-signature's table).
	failNotYetCurrent: {"SignatureDoesNotMatch", http.StatusForbidden,
		"Signature not yet current: %s is still later than %s (%s + %s)", ErrTimeSkew},
	// IAM and STS answer an unknown access key with InvalidClientTokenId and
	// this message: fog/fog#3387 (IAM), hashicorp/terraform-provider-aws#13695
	// (sts:GetCallerIdentity). Status from Common Errors.
	failUnknownKey: {"InvalidClientTokenId", http.StatusForbidden,
		"The security token included in the request is invalid.", ErrUnknownAccessKey},
	// STS's answer quoted in hashicorp/vault#3615.
	failSignatureMismatch: {"SignatureDoesNotMatch", http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
		ErrSignatureMismatch},
	// X-Amz-Expires checks: S3's codes and messages for presigned URLs
	// (Amazon S3 API reference, Authenticating Requests: Using Query
	// Parameters; the Query services ignore X-Amz-Expires and have none).
	failBadExpires: {"AuthorizationQueryParametersError", http.StatusBadRequest,
		"X-Amz-Expires should be a number", ErrMalformed},
	failNegativeExpires: {"AuthorizationQueryParametersError", http.StatusBadRequest,
		"X-Amz-Expires must be non-negative", ErrMalformed},
	// %d: the maximum, in seconds.
	failExpiresTooLong: {"AuthorizationQueryParametersError", http.StatusBadRequest,
		"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than %d seconds", ErrMalformed},
	// S3's answer when x-amz-content-sha256 does not describe the body.
	failPayloadHashMismatch: {"XAmzContentSHA256Mismatch", http.StatusBadRequest,
		"The provided 'x-amz-content-sha256' header does not match what was computed.", ErrPayloadMismatch},
	// iamd: only S3 accepts UNSIGNED-PAYLOAD; a Query API request's body is
	// its parameters, so leaving it unsigned would authorize nothing.
	failUnsignedPayload: {"SignatureDoesNotMatch", http.StatusForbidden,
		"UNSIGNED-PAYLOAD is not accepted for a request with a body; sign the payload.", ErrPayloadMismatch},
	// %s: the parameter. iamd: AWS takes one of the values; iamd refuses,
	// so that what is authorized is what is executed. Code from Common
	// Errors ("The AWS query string is malformed or does not adhere to AWS
	// standards.").
	failRepeatedParameter: {"InvalidQueryParameter", http.StatusBadRequest,
		"The query string parameter '%s' is given more than once.", ErrAmbiguousRequest},
	// Common Errors' code for "parameters that must not be used together";
	// the message is S3's for the same mistake.
	failTwoMechanisms: {"InvalidParameterCombination", http.StatusBadRequest,
		"Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
		ErrAmbiguousRequest},
	// %s: the decoding problem. Common Errors' code; the 400 status is
	// iamd's (the table says 404, which no client expects for bad input).
	failMalformedQuery: {"MalformedQueryString", http.StatusBadRequest,
		"The query string contains a syntax error: %s", ErrMalformed},
}

// Scope sentences joined into failScope's message, each as AWS writes it,
// trailing space included (hashicorp/vault#11067 shows "... not
// 'us-east-1'. </Message>").
const (
	scopeRegion     = "Credential should be scoped to a valid region, not '%s'. "
	scopeService    = "Credential should be scoped to correct service: '%s'. "
	scopeTerminator = "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'. "
	scopeDate       = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
)

// Missing-part sentences for failIncompleteHeader and failIncompleteQuery.
const (
	headerRequires     = "Authorization header requires '%s' parameter. "
	headerRequiresDate = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
	queryRequires      = "AWS query-string parameters must include '%s'. "
)

// fail builds the *Error for a table row.
func fail(f failure, args ...any) *Error {
	m := messages[f]
	msg := m.format
	if len(args) > 0 {
		msg = fmt.Sprintf(m.format, args...)
	}
	return &Error{code: m.code, status: m.status, message: msg, kind: m.kind}
}
