package sigv4_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/iamd/iamd/sigv4"
)

// staticSecrets is the simplest CredentialSource; a server looks keys up
// in its store.
type staticSecrets map[string]string

func (s staticSecrets) Secret(_ context.Context, id string) ([]byte, error) {
	secret, ok := s[id]
	if !ok {
		return nil, sigv4.ErrUnknownAccessKey
	}
	return []byte(secret), nil
}

// A server verifies every signed request and renders failures as AWS does.
func ExampleVerifier_Verify() {
	now := time.Date(2026, 3, 4, 10, 20, 30, 0, time.UTC)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds := sigv4.Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	_ = sigv4.Sign(r, []byte(body), creds, "us-east-1", "sts", now)

	v := &sigv4.Verifier{
		Credentials: staticSecrets{creds.AccessKeyID: creds.SecretAccessKey},
		Now:         func() time.Time { return now.Add(20 * time.Minute) },
	}
	_, err := v.Verify(context.Background(), r, []byte(body))
	var e *sigv4.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status(), e.Code())
		fmt.Println(e.Message())
	}

	v.Now = func() time.Time { return now }
	res, err := v.Verify(context.Background(), r, []byte(body))
	fmt.Println(res.AccessKeyID, res.Service, res.Partition, err)
	// Output:
	// 403 SignatureDoesNotMatch
	// Signature expired: 20260304T102030Z is now earlier than 20260304T102530Z (20260304T104030Z - 15 min.)
	// AKIAIOSFODNN7EXAMPLE sts aws <nil>
}

// ParseCredentialScope lets a server route by service before verifying.
func ExampleParseCredentialScope() {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/cn-north-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	scope, ok := sigv4.ParseCredentialScope(r)
	fmt.Println(ok, scope.Service, scope.Region, scope.Partition())
	// Output: true iam cn-north-1 aws-cn
}
