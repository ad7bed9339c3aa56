package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamd/iamd/sigv4"
)

// sigServer is a minimal Query API endpoint: it verifies every request with
// sigv4 and answers AWS's XML, with the Date header from its own (possibly
// skewed) clock, as aws-sdk-go-v2's clock skew correction needs.
type sigServer struct {
	*httptest.Server
	verifier *sigv4.Verifier
	now      func() time.Time

	mu       sync.Mutex
	attempts int
	results  []*sigv4.Result
}

func newSigServer(t *testing.T, skew time.Duration) *sigServer {
	t.Helper()
	s := &sigServer{now: func() time.Time { return time.Now().Add(skew) }}
	s.verifier = &sigv4.Verifier{Credentials: testKeys, Now: s.now}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *sigServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	res, err := s.verifier.Verify(r.Context(), r, body)
	s.mu.Lock()
	s.attempts++
	if err == nil {
		s.results = append(s.results, res)
	}
	s.mu.Unlock()
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	w.Header().Set("Content-Type", "text/xml")
	if err != nil {
		var e *sigv4.Error
		if !errors.As(err, &e) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(e.Status())
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
			e.Code(), xmlEscape(e.Message()))
		return
	}
	switch res.Service {
	case "sts":
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>`+
			`</GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	default:
		fmt.Fprintf(w, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users/>`+
			`<IsTruncated>false</IsTruncated></ListUsersResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></ListUsersResponse>`)
	}
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "'", "&apos;").Replace(s)
}

func (s *sigServer) counts() (attempts, ok int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts, len(s.results)
}

func sdkConfig(url, keyID, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}, nil
		}),
	}
}

// TestSDKClients drives the server with aws-sdk-go-v2's STS and IAM clients.
func TestSDKClients(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cases := []struct {
		name           string
		keyID, secret  string
		token          string
		code           string
		serverSkew     time.Duration
		wantAttempts   int
		wantTokenSaved bool
	}{
		{name: "valid", keyID: testKeyID, secret: testSecret, wantAttempts: 1},
		{name: "session token", keyID: testKeyID, secret: testSecret, token: "FwoGZXIvYXdzEXAMPLE", wantAttempts: 1, wantTokenSaved: true},
		{name: "wrong secret", keyID: testKeyID, secret: "wrong", code: "SignatureDoesNotMatch", wantAttempts: 1},
		{name: "unknown key", keyID: "AKIAUNKNOWNKEY000000", secret: testSecret, code: "InvalidClientTokenId", wantAttempts: 1},
		// The SDK reads the server's Date header from the SignatureDoesNotMatch
		// answer, corrects its clock and succeeds on the retry.
		{name: "server clock 20 minutes ahead", keyID: testKeyID, secret: testSecret, serverSkew: 20 * time.Minute, wantAttempts: 2},
		{name: "server clock 20 minutes behind", keyID: testKeyID, secret: testSecret, serverSkew: -20 * time.Minute, wantAttempts: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for _, service := range []string{"sts", "iam"} {
				srv := newSigServer(t, c.serverSkew)
				cfg := sdkConfig(srv.URL, c.keyID, c.secret, c.token)
				var err error
				if service == "sts" {
					_, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				} else {
					_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/division abc/ünïcode+&=/")})
				}
				attempts, ok := srv.counts()
				if c.code != "" {
					var apiErr smithy.APIError
					if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.code {
						t.Fatalf("%s: err = %v, want %s", service, err, c.code)
					}
				} else if err != nil || ok != 1 {
					t.Fatalf("%s: err = %v, verified %d", service, err, ok)
				}
				if attempts != c.wantAttempts {
					t.Fatalf("%s: %d attempts, want %d", service, attempts, c.wantAttempts)
				}
				if ok == 1 {
					res := srv.results[0]
					if res.Service != service || res.Region != "us-east-1" || res.AccessKeyID != c.keyID {
						t.Fatalf("%s: result %+v", service, res)
					}
					if c.wantTokenSaved && (res.SecurityToken != c.token || !res.SecurityTokenSigned) {
						t.Fatalf("%s: token %q signed %v", service, res.SecurityToken, res.SecurityTokenSigned)
					}
				}
			}
		})
	}
}

// TestSDKSigner signs requests with aws-sdk-go-v2's signer directly, over
// shapes the clients above do not produce, and sends them over HTTP.
func TestSDKSigner(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret}
	cases := []struct {
		name, method, path, query, body, contentType string
		extraHeaders                                 map[string]string
	}{
		{name: "form POST", method: http.MethodPost, path: "/", body: iamBody, contentType: "application/x-www-form-urlencoded; charset=utf-8"},
		{name: "GET with parameters", method: http.MethodGet, path: "/", query: "Action=ListUsers&Version=2010-05-08&MaxItems=10"},
		{name: "query needing escapes", method: http.MethodGet, path: "/",
			query: "Action=ListUsers&PathPrefix=%2Fa%20b%2F%E2%82%AC%2B%26&Version=2010-05-08"},
		{name: "path with escapes", method: http.MethodGet, path: "/some%20path/x%2Fy", query: "Action=ListUsers"},
		{name: "extra headers", method: http.MethodPost, path: "/", body: iamBody, contentType: "application/x-www-form-urlencoded",
			extraHeaders: map[string]string{"X-Amz-Target": "  spaced   value ", "X-Custom": "a,b"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			srv := newSigServer(t, 0)
			u := srv.URL + c.path
			if c.query != "" {
				u += "?" + c.query
			}
			req, err := http.NewRequest(c.method, u, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			for k, v := range c.extraHeaders {
				req.Header.Set(k, v)
			}
			if err := signer.SignHTTP(ctx, creds, req, sha256Hex(c.body), "iam", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, out)
			}
		})
	}
}

// TestSDKPresign verifies a URL presigned by aws-sdk-go-v2 (the shape EKS
// tokens and Vault's AWS auth use) and by the STS client's presigner.
func TestSDKPresign(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := newSigServer(t, 0)

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	creds := aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: testSecret, SessionToken: "tok"}
	u, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, sha256Hex(""), "sts", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("signer presign: status %d", resp.StatusCode)
	}

	presigner := sts.NewPresignClient(sts.NewFromConfig(sdkConfig(srv.URL, testKeyID, testSecret, "")))
	p, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	hreq, _ := http.NewRequest(p.Method, p.URL, nil)
	for k, v := range p.SignedHeader {
		hreq.Header[k] = v
	}
	resp, err = srv.Client().Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("STS presigner: status %d", resp.StatusCode)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.results) != 2 || !srv.results[0].Presigned || srv.results[0].SecurityToken != "tok" || !srv.results[1].Presigned {
		t.Fatalf("results %+v", srv.results)
	}
}
