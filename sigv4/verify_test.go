package sigv4_test

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/iamd/iamd/sigv4"
)

const (
	testKeyID  = "AKIAIOSFODNN7EXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	iamBody    = "Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fdivision_abc%2Fsubdivision_xyz%2F"
)

var (
	testKeys  = keys{testKeyID: testSecret}
	testCreds = sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	signedAt  = time.Date(2026, 3, 4, 10, 20, 30, 0, time.UTC)
)

// signedPOST is an IAM Query request signed at signedAt, as a server
// receives it.
func signedPOST(t *testing.T, body string, creds sigv4.Credentials) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Host = "127.0.0.1:4599"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(r, []byte(body), creds, "us-east-1", "iam", signedAt); err != nil {
		t.Fatal(err)
	}
	return r
}

func verifier(now time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{Credentials: testKeys, Now: fixedClock(now)}
}

// wantError checks that err is an *Error with the given code, status and
// message (a prefix when the message ends with "…").
func wantError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	var e *sigv4.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v (%T), want *sigv4.Error %s", err, err, code)
	}
	if e.Code() != code || e.Status() != status {
		t.Fatalf("got %s %d %q, want %s %d", e.Code(), e.Status(), e.Message(), code, status)
	}
	if prefix, ok := strings.CutSuffix(message, "…"); ok {
		if !strings.HasPrefix(e.Message(), prefix) {
			t.Fatalf("message %q, want prefix %q", e.Message(), prefix)
		}
	} else if e.Message() != message {
		t.Fatalf("message\n got: %q\nwant: %q", e.Message(), message)
	}
}

func TestVerifySignedRequest(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, testCreds)
	res, err := verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	if err != nil {
		t.Fatal(err)
	}
	want := sigv4.Result{AccessKeyID: testKeyID, Date: signedAt, Region: "us-east-1", Service: "iam", Partition: "aws",
		SignedHeaders: []string{"content-type", "host", "x-amz-date"}}
	if res.AccessKeyID != want.AccessKeyID || !res.Date.Equal(want.Date) || res.Region != want.Region ||
		res.Service != want.Service || res.Partition != want.Partition || res.Presigned ||
		strings.Join(res.SignedHeaders, ";") != strings.Join(want.SignedHeaders, ";") {
		t.Fatalf("result %+v, want %+v", res, want)
	}
}

func TestClockSkew(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		offset  time.Duration // server clock minus signing time
		message string
	}{
		{"14 minutes late", 14 * time.Minute, ""},
		{"exactly 15 minutes late", 15 * time.Minute, ""},
		{"14 minutes early", -14 * time.Minute, ""},
		{"16 minutes late", 16 * time.Minute,
			"Signature expired: 20260304T102030Z is now earlier than 20260304T102130Z (20260304T103630Z - 15 min.)"},
		{"16 minutes early", -16 * time.Minute,
			"Signature not yet current: 20260304T102030Z is still later than 20260304T101930Z (20260304T100430Z + 15 min.)"},
		{"a day late", 24 * time.Hour,
			"Signature expired: 20260304T102030Z is now earlier than 20260305T100530Z (20260305T102030Z - 15 min.)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := signedPOST(t, iamBody, testCreds)
			_, err := verifier(signedAt.Add(c.offset)).Verify(context.Background(), r, []byte(iamBody))
			if c.message == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			wantError(t, err, "SignatureDoesNotMatch", 403, c.message)
			if !errors.Is(err, sigv4.ErrTimeSkew) {
				t.Fatalf("err %v does not match ErrTimeSkew", err)
			}
		})
	}
}

func TestCustomSkew(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, testCreds)
	v := verifier(signedAt.Add(6 * time.Minute))
	v.MaxSkew = 5 * time.Minute
	_, err := v.Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "SignatureDoesNotMatch", 403,
		"Signature expired: 20260304T102030Z is now earlier than 20260304T102130Z (20260304T102630Z - 5 min.)")
}

// TestTampering changes one signed element of a valid request at a time.
func TestTampering(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper func(r *http.Request, body *string)
		code   string
		kind   error
	}{
		{"body", func(r *http.Request, body *string) { *body = strings.Replace(*body, "alice", "mallory", 1) },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"body appended", func(r *http.Request, body *string) { *body += "&PermissionsBoundary=x" },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"signed header", func(r *http.Request, body *string) { r.Header.Set("Content-Type", "text/plain") },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"host", func(r *http.Request, body *string) { r.Host = "attacker.example" },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"query", func(r *http.Request, body *string) { r.URL.RawQuery = "Action=DeleteUser" },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"method", func(r *http.Request, body *string) { r.Method = http.MethodPut },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"path", func(r *http.Request, body *string) { r.RequestURI = "/other"; r.URL.Path = "/other" },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"date by a second", func(r *http.Request, body *string) { r.Header.Set("X-Amz-Date", "20260304T102031Z") },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"date within the window", func(r *http.Request, body *string) { r.Header.Set("X-Amz-Date", "20260304T103000Z") },
			"SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"date by a day", func(r *http.Request, body *string) { r.Header.Set("X-Amz-Date", "20260305T102030Z") },
			"SignatureDoesNotMatch", sigv4.ErrTimeSkew},
		{"key", func(r *http.Request, body *string) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testKeyID, "AKIAUNKNOWNKEY000000", 1))
		}, "InvalidClientTokenId", sigv4.ErrUnknownAccessKey},
		{"signed header list", func(r *http.Request, body *string) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "content-type;", "", 1))
		}, "SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"region", func(r *http.Request, body *string) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "us-east-1", "us-west-2", 1))
		}, "SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"service", func(r *http.Request, body *string) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/iam/", "/sts/", 1))
		}, "SignatureDoesNotMatch", sigv4.ErrSignatureMismatch},
		{"declared payload hash", func(r *http.Request, body *string) {
			r.Header.Set("X-Amz-Content-Sha256", strings.Repeat("0", 64))
		}, "XAmzContentSHA256Mismatch", sigv4.ErrPayloadMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			body := iamBody
			r := signedPOST(t, body, testCreds)
			if _, err := verifier(signedAt).Verify(context.Background(), r, []byte(body)); err != nil {
				t.Fatalf("untampered request fails: %v", err)
			}
			c.tamper(r, &body)
			_, err := verifier(signedAt).Verify(context.Background(), r, []byte(body))
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Code() != c.code || !errors.Is(err, c.kind) {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
		})
	}
}

func TestWrongSecret(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, sigv4.Credentials{AccessKeyID: testKeyID, SecretAccessKey: "not-the-secret"})
	_, err := verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "SignatureDoesNotMatch", 403,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
	var e *sigv4.Error
	errors.As(err, &e)
	if !strings.HasPrefix(e.CanonicalRequest(), "POST\n/\n\ncontent-type:") ||
		!strings.HasPrefix(e.StringToSign(), "AWS4-HMAC-SHA256\n20260304T102030Z\n20260304/us-east-1/iam/aws4_request\n") {
		t.Fatalf("debug details: %q / %q", e.CanonicalRequest(), e.StringToSign())
	}
}

func TestUnknownKey(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, sigv4.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: testSecret})
	_, err := verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
	if !errors.Is(err, sigv4.ErrUnknownAccessKey) {
		t.Fatalf("err %v does not match ErrUnknownAccessKey", err)
	}
}

// failingSource stands for a store that is down.
type failingSource struct{ err error }

func (f failingSource) Secret(context.Context, string) ([]byte, error) { return nil, f.err }

func TestCredentialSourceFailurePassesThrough(t *testing.T) {
	t.Parallel()
	storeDown := errors.New("store unavailable")
	r := signedPOST(t, iamBody, testCreds)
	v := &sigv4.Verifier{Credentials: failingSource{storeDown}, Now: fixedClock(signedAt)}
	_, err := v.Verify(context.Background(), r, []byte(iamBody))
	var e *sigv4.Error
	if !errors.Is(err, storeDown) || errors.As(err, &e) {
		t.Fatalf("err = %v, want the store's own error, not a wire error", err)
	}
	// A wrapped ErrUnknownAccessKey is still an unknown key.
	v.Credentials = failingSource{errors.Join(errors.New("no such key"), sigv4.ErrUnknownAccessKey)}
	_, err = v.Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "InvalidClientTokenId", 403, "The security token included in the request is invalid.")
}

// TestMalformedAuthorization covers AWS's answers to broken Authorization
// headers and dates, checked before any key is looked up.
func TestMalformedAuthorization(t *testing.T) {
	t.Parallel()
	const cred = "Credential=" + testKeyID + "/20260304/us-east-1/iam/aws4_request"
	const good = "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x-amz-date, Signature=" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		name    string
		auth    string
		date    string // X-Amz-Date; "-" for none
		code    string
		status  int
		message string
	}{
		{"bearer token", "Bearer abc", "20260304T102030Z", "IncompleteSignature", 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=Bearer abc"},
		{"no date either", "AWS4-HMAC-SHA256 " + cred, "-", "IncompleteSignature", 400,
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 " + cred},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", "20260304T102030Z", "IncompleteSignature", 400,
			"Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host"},
		{"missing equal sign", "AWS4-HMAC-SHA256 Credential= " + testKeyID + "/20260304/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00", "20260304T102030Z",
			"IncompleteSignature", 400,
			"'" + testKeyID + "/20260304/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential= " + testKeyID + "/20260304/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00'."},
		{"bad date", good, "2026-03-04T10:20:30Z", "IncompleteSignature", 400,
			"Date must be in ISO-8601 'basic format'. Got '2026-03-04T10:20:30Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"impossible date", good, "20261304T102030Z", "IncompleteSignature", 400,
			"Date must be in ISO-8601 'basic format'. Got '20261304T102030Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"host not signed", strings.Replace(good, "host;", "", 1), "20260304T102030Z", "SignatureDoesNotMatch", 403,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"unsupported algorithm", strings.Replace(good, "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1), "20260304T102030Z", "IncompleteSignature", 400,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "},
		{"credential with four parts", strings.Replace(good, "/iam/aws4_request", "/aws4_request", 1), "20260304T102030Z", "IncompleteSignature", 400,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + testKeyID + "/20260304/us-east-1/aws4_request'"},
		{"wrong terminator", strings.Replace(good, "aws4_request", "aws5_request", 1), "20260304T102030Z", "SignatureDoesNotMatch", 403,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "},
		{"scope date differs", good, "20260305T001500Z", "SignatureDoesNotMatch", 403,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260304' != '20260305', from '20260305T001500Z'."},
		{"terminator and date", strings.Replace(good, "aws4_request", "aws5_request", 1), "20260305T001500Z", "SignatureDoesNotMatch", 403,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260304' != '20260305', from '20260305T001500Z'."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", nil)
			r.Header.Set("Authorization", c.auth)
			if c.date != "-" {
				r.Header.Set("X-Amz-Date", c.date)
			}
			now := signedAt
			if c.date == "20260305T001500Z" {
				now = time.Date(2026, 3, 5, 0, 15, 0, 0, time.UTC)
			}
			_, err := verifier(now).Verify(context.Background(), r, nil)
			wantError(t, err, c.code, c.status, c.message)
		})
	}
}

func TestScopeChecksAgainstConfiguration(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, testCreds)
	v := verifier(signedAt)
	v.Services = []string{"sts"}
	v.ValidRegion = func(region string) bool { return region == "eu-west-1" }
	_, err := v.Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "SignatureDoesNotMatch", 403,
		"Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'sts'. ")

	v.Services = []string{"iam", "sts"}
	v.ValidRegion = func(string) bool { return true }
	if _, err := v.Verify(context.Background(), r, []byte(iamBody)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

// TestDateHeader signs with the Date header instead of X-Amz-Date. The
// signature is computed here step by step from the SigV4 documentation,
// independently of the package.
func TestDateHeader(t *testing.T) {
	t.Parallel()
	const host = "127.0.0.1:4599"
	date := signedAt.Format(http.TimeFormat) // Wed, 04 Mar 2026 10:20:30 GMT
	canonical := "POST\n/\n\n" +
		"content-type:application/x-www-form-urlencoded; charset=utf-8\n" +
		"date:" + date + "\n" +
		"host:" + host + "\n\n" +
		"content-type;date;host\n" + sha256Hex(iamBody)
	sts := "AWS4-HMAC-SHA256\n20260304T102030Z\n20260304/us-east-1/iam/aws4_request\n" + sha256Hex(canonical)
	key := []byte("AWS4" + testSecret)
	for _, part := range []string{"20260304", "us-east-1", "iam", "aws4_request"} {
		key = hmacSHA256(key, part)
	}
	sig := hex.EncodeToString(hmacSHA256(key, sts))

	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(iamBody))
	r.Host = host
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("Date", date)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKeyID+"/20260304/us-east-1/iam/aws4_request, SignedHeaders=content-type;date;host, Signature="+sig)
	res, err := verifier(signedAt.Add(time.Minute)).Verify(context.Background(), r, []byte(iamBody))
	if err != nil {
		t.Fatalf("Verify with Date header: %v", err)
	}
	if !res.Date.Equal(signedAt) {
		t.Fatalf("date %v", res.Date)
	}

	r.Header.Set("Date", "yesterday")
	_, err = verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	wantError(t, err, "IncompleteSignature", 400,
		"Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601")
}

func TestMissingAuthentication(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPost, "/?Action=GetCallerIdentity", nil)
	_, err := verifier(signedAt).Verify(context.Background(), r, nil)
	wantError(t, err, "MissingAuthenticationToken", 403, "Request is missing Authentication Token")
	if !errors.Is(err, sigv4.ErrMissingAuthentication) {
		t.Fatal("not ErrMissingAuthentication")
	}
}

func TestAmbiguousRequests(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		mutate  func(r *http.Request)
		code    string
		message string
	}{
		{"repeated query parameter", func(r *http.Request) { r.URL.RawQuery = "Action=ListUsers&Action=DeleteUser" },
			"InvalidQueryParameter", "The query string parameter 'Action' is given more than once."},
		{"header and presigned query", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Credential=" + testKeyID + "%2F20260304%2Fus-east-1%2Fiam%2Faws4_request"
		},
			"InvalidParameterCombination", "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified"},
		{"two Authorization headers", func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			"IncompleteSignature", "The request has more than one Authorization header."},
		{"token in header and query", func(r *http.Request) {
			r.Header.Set("X-Amz-Security-Token", "a")
			r.URL.RawQuery = "X-Amz-Security-Token=b"
		}, "InvalidQueryParameter", "The query string parameter 'X-Amz-Security-Token' is given more than once."},
		{"bad escape", func(r *http.Request) { r.URL.RawQuery = "Action=List%zzUsers" },
			"MalformedQueryString", "The query string contains a syntax error: invalid %-escape"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := signedPOST(t, iamBody, testCreds)
			c.mutate(r)
			_, err := verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
			wantError(t, err, c.code, 400, c.message)
		})
	}
}

func TestRepeatedQueryParameter(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodGet, "/?Param1=value2&Param1=Value1", nil)
	r.Host = "example.amazonaws.com"
	if err := sigv4.Sign(r, nil, testCreds, "us-east-1", "service", signedAt); err != nil {
		t.Fatal(err)
	}
	_, err := verifier(signedAt).Verify(context.Background(), r, nil)
	wantError(t, err, "InvalidQueryParameter", 400, "The query string parameter 'Param1' is given more than once.")
	v := verifier(signedAt)
	v.AllowRepeatedQueryParameters = true
	if _, err := v.Verify(context.Background(), r, nil); err != nil {
		t.Fatalf("with AllowRepeatedQueryParameters: %v", err)
	}
}

func TestPayloadHashHeader(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, declared string
		allowUnsigned        bool
		code                 string
	}{
		{"matching hash", iamBody, "", false, ""},
		{"unsigned payload, empty body", "", sigv4.UnsignedPayload, false, ""},
		{"unsigned payload with a body", iamBody, sigv4.UnsignedPayload, false, "SignatureDoesNotMatch"},
		{"unsigned payload allowed", iamBody, sigv4.UnsignedPayload, true, ""},
		{"streaming payload", iamBody, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", false, "XAmzContentSHA256Mismatch"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
			declared := c.declared
			if declared == "" {
				declared = sha256Hex(c.body)
			}
			r.Header.Set("X-Amz-Content-Sha256", declared)
			if err := sigv4.Sign(r, []byte(c.body), testCreds, "us-east-1", "iam", signedAt); err != nil {
				t.Fatal(err)
			}
			v := verifier(signedAt)
			v.AllowUnsignedPayload = c.allowUnsigned
			_, err := v.Verify(context.Background(), r, []byte(c.body))
			if c.code == "" {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			var e *sigv4.Error
			if !errors.As(err, &e) || e.Code() != c.code || !errors.Is(err, sigv4.ErrPayloadMismatch) {
				t.Fatalf("err = %v, want %s", err, c.code)
			}
		})
	}
}

func TestSecurityTokenReported(t *testing.T) {
	t.Parallel()
	creds := testCreds
	creds.SessionToken = "FwoGZXIvYXdzEXAMPLETOKEN//+=="
	r := signedPOST(t, iamBody, creds)
	res, err := verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	if err != nil {
		t.Fatal(err)
	}
	if res.SecurityToken != creds.SessionToken || !res.SecurityTokenSigned {
		t.Fatalf("token %q signed %v", res.SecurityToken, res.SecurityTokenSigned)
	}
	// Swapping the signed token breaks the signature.
	r.Header.Set("X-Amz-Security-Token", "another")
	_, err = verifier(signedAt).Verify(context.Background(), r, []byte(iamBody))
	if !errors.Is(err, sigv4.ErrSignatureMismatch) {
		t.Fatalf("swapped token: err = %v", err)
	}
}

func TestVerifierWithoutCredentials(t *testing.T) {
	t.Parallel()
	r := signedPOST(t, iamBody, testCreds)
	var v sigv4.Verifier
	_, err := v.Verify(context.Background(), r, []byte(iamBody))
	var e *sigv4.Error
	if err == nil || errors.As(err, &e) {
		t.Fatalf("err = %v, want a configuration error", err)
	}
}
