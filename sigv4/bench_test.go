package sigv4_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iamd/iamd/sigv4"
)

// BenchmarkVerify measures one typical IAM Query request: a form POST of
// about 300 bytes with content-type, host and x-amz-date signed.
func BenchmarkVerify(b *testing.B) {
	body := "Action=CreateUser&Version=2010-05-08&UserName=alice-from-engineering&Path=%2Fdivision_abc%2Fsubdivision_xyz%2F" +
		"&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3A123456789012%3Apolicy%2Fboundary&Tags.member.1.Key=team&Tags.member.1.Value=platform" +
		"&Tags.member.2.Key=cost-center&Tags.member.2.Value=12345&Tags.member.3.Key=owner&Tags.member.3.Value=alice%40example.com"
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Host = "127.0.0.1:4599"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	r.Header.Set("User-Agent", "aws-sdk-go-v2/1.47.7 os/linux lang/go#1.26 api/iam#1.64.8")
	if err := sigv4.Sign(r, []byte(body), testCreds, "us-east-1", "iam", signedAt); err != nil {
		b.Fatal(err)
	}
	v := &sigv4.Verifier{Credentials: testKeys, Now: fixedClock(signedAt)}
	ctx := context.Background()
	payload := []byte(body)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, r, payload); err != nil {
			b.Fatal(err)
		}
	}
}
