package server_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamd/iamd/internal/account"
	"github.com/iamd/iamd/internal/server"
)

// TestSDKCorrectsClockSkew runs the server with a clock 20 minutes ahead of
// the client's: the first signature is refused as expired, and
// aws-sdk-go-v2 must recognise the error, learn the offset from the
// response's Date header and succeed on its retry, as it does against AWS.
func TestSDKCorrectsClockSkew(t *testing.T) {
	dir := t.TempDir()
	st, kr, err := server.OpenData(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	credsFile := filepath.Join(dir, "creds")
	created, err := account.Create(context.Background(), st, kr, account.Options{AdminCredentialsFile: func(string) string { return credsFile }})
	if err != nil {
		t.Fatal(err)
	}
	secret := readSecret(t, credsFile)
	skew := 20 * time.Minute
	h := server.New(server.Options{Store: st, Keyring: kr, APIs: server.DefaultAPIs(st, kr),
		Now: func() time.Time { return time.Now().Add(skew) }})
	ts := httptest.NewServer(h)
	defer ts.Close()
	// httptest's server stamps Date from the real clock; the SDK reads the
	// skew from that header, so put the server's clock into it too.
	ts.Config.Handler = dateShift(h, skew)

	client := sts.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(created.AdminKeyID, secret, ""),
		BaseEndpoint:     aws.String(ts.URL),
		RetryMaxAttempts: 3,
	})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("SDK did not recover from a 20-minute clock skew: %v", err)
	}
	if aws.ToString(out.Account) != created.AccountID {
		t.Fatalf("account %s, want %s", aws.ToString(out.Account), created.AccountID)
	}
}
