package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
)

func TestParsePolicyARN(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, arn      string
		code           string // "" when valid
		account        string
		path, wantName string
	}{
		{name: "AWS managed", arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", account: "aws", path: "/", wantName: "ReadOnlyAccess"},
		{name: "with path", arn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess", account: "aws", path: "/job-function/", wantName: "ViewOnlyAccess"},
		{name: "customer, deep path", arn: "arn:aws-cn:iam::123456789012:policy/a/b/p", account: "123456789012", path: "/a/b/", wantName: "p"},
		{name: "not an ARN", arn: "longpolicynamebutnoarn", code: "ValidationError"},
		{name: "role", arn: "arn:aws:iam::123456789012:role/admin", code: "InvalidInput"},
		{name: "other service", arn: "arn:aws:s3:::policy/x", code: "InvalidInput"},
		{name: "region", arn: "arn:aws:iam:us-east-1:123456789012:policy/x", code: "InvalidInput"},
		{name: "bad account", arn: "arn:aws:iam::12345:policy/x", code: "InvalidInput"},
		{name: "unknown partition", arn: "arn:foo:iam::aws:policy/x", code: "InvalidInput"},
		{name: "no name", arn: "arn:aws:iam::aws:policy/path/", code: "InvalidInput"},
		{name: "empty path segment", arn: "arn:aws:iam::aws:policy//x", code: "InvalidInput"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := parsePolicyARN(tc.arn)
			if tc.code != "" {
				var we *awsquery.Error
				if !errors.As(err, &we) || we.Code != tc.code || we.Message != "ARN "+tc.arn+" is not valid." {
					t.Fatalf("parsePolicyARN(%q) = %+v, %v; want %s", tc.arn, p, err, tc.code)
				}
				return
			}
			if err != nil || p.Account != tc.account || p.Path != tc.path || p.Name != tc.wantName || p.ARN != tc.arn {
				t.Fatalf("parsePolicyARN(%q) = %+v, %v", tc.arn, p, err)
			}
			if got := managedPolicyARN(p.Partition, p.Account, p.Path, p.Name); got != tc.arn {
				t.Errorf("rebuilt ARN %q, want %q", got, tc.arn)
			}
		})
	}
}

func TestEncodePolicyDocument(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, doc, want string }{
		{"spaces are %20", `{"a": "b c"}`, "%7B%22a%22%3A%20%22b%20c%22%7D"},
		{"plus and star", `{"k":"a+b*"}`, "%7B%22k%22%3A%22a%2Bb%2A%22%7D"},
		{"newlines", "{\n}", "%7B%0A%7D"},
		{"unreserved kept", "AZaz09-_.~", "AZaz09-_.~"},
		{"UTF-8", `"é"`, "%22%C3%A9%22"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := encodePolicyDocument(tc.doc)
			if got != tc.want {
				t.Errorf("encodePolicyDocument(%q) = %q, want %q", tc.doc, got, tc.want)
			}
			if back, err := url.PathUnescape(got); err != nil || back != tc.doc {
				t.Errorf("decodes to %q, %v", back, err)
			}
		})
	}
}

func TestMarkers(t *testing.T) {
	t.Parallel()
	m := encodeMarker("policies", "aws:ReadOnlyAccess")
	if key, err := decodeMarker("policies", &m); err != nil || key != "aws:ReadOnlyAccess" {
		t.Fatalf("round trip: %q, %v", key, err)
	}
	for _, bad := range []string{"forged", encodeMarker("entities", "user/AIDA"), "!!!", encodeMarker("policies", "")} {
		if _, err := decodeMarker("policies", &bad); err == nil {
			t.Errorf("marker %q accepted", bad)
		}
	}
	if key, err := decodeMarker("policies", nil); err != nil || key != "" {
		t.Errorf("no marker: %q, %v", key, err)
	}
}

// call runs one operation of the service with an input struct, as the
// server does after decoding.
func call[In any](b testing.TB, s *Service, c *service.Call, action string, in *In) any {
	b.Helper()
	out, err := s.Operations()[action](context.Background(), c, func(dst any) error {
		*dst.(*In) = *in
		return nil
	})
	if err != nil {
		b.Fatalf("%s: %v", action, err)
	}
	return out
}

// newTestService returns the IAM service over a temporary SQLite store
// with one account, and a call from that account's root user.
func newTestService(tb testing.TB) (*Service, *service.Call) {
	tb.Helper()
	st, err := sqlite.OpenTemp()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	const account = "123456789012"
	now := time.Now()
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: account, Created: now})
	}); err != nil {
		tb.Fatal(err)
	}
	c := &service.Call{AccountID: account, Partition: "aws", Now: now,
		Caller: service.Principal{Type: service.Root, AccountID: account, ARN: "arn:aws:iam::" + account + ":root"}}
	return New(st, nil), c
}

// TestCustomerPolicyQuota fills an account with AWS's default quota of
// 1,500 customer managed policies (through the store, in one transaction)
// and checks that CreatePolicy refuses one more.
func TestCustomerPolicyQuota(t *testing.T) {
	t.Parallel()
	s, c := newTestService(t)
	err := s.store.Update(context.Background(), func(tx store.Tx) error {
		for i := range maxCustomerPolicies {
			name := fmt.Sprintf("p%04d", i)
			p := store.Policy{Account: c.AccountID, ID: fmt.Sprintf("ANPAQUOTA%012d", i), Name: name, Path: "/",
				ARN: managedPolicyARN("aws", c.AccountID, "/", name), Created: c.Now, Updated: c.Now, DefaultVersion: "v1"}
			if err := tx.CreatePolicy(p, `{"Version":"2012-10-17","Statement":[]}`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Operations()["CreatePolicy"](context.Background(), c, func(dst any) error {
		*dst.(*iamapi.CreatePolicyRequest) = iamapi.CreatePolicyRequest{PolicyName: "one-more",
			PolicyDocument: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`}
		return nil
	})
	var we *awsquery.Error
	if !errors.As(err, &we) || we.Code != "LimitExceeded" || we.Message != "Cannot exceed quota for PoliciesPerAccount: 1500" || we.Status != 409 {
		t.Fatalf("CreatePolicy over the quota: %v", err)
	}
}

// BenchmarkListPolicies lists every AWS managed policy (1,452) in pages of
// 1,000, and the default first page of 100, against an SQLite store: the
// catalog is decoded once, so a page costs its filtering and the usage
// counts of the policies on it.
func BenchmarkListPolicies(b *testing.B) {
	s, c := newTestService(b)
	awsPolicies() // the one-time decode is not what is measured

	b.Run("all AWS managed, pages of 1000", func(b *testing.B) {
		for b.Loop() {
			var marker *string
			n := 0
			for {
				out := call(b, s, c, "ListPolicies", &iamapi.ListPoliciesRequest{
					Scope: ptr(iamapi.PolicyScopeTypeAws), MaxItems: ptr(int32(1000)), Marker: marker,
				}).(*iamapi.ListPoliciesResponse)
				n += len(out.Policies)
				if !*out.IsTruncated {
					break
				}
				marker = out.Marker
			}
			if n != len(awsPolicies()) {
				b.Fatalf("listed %d policies", n)
			}
		}
	})
	b.Run("first page of 100", func(b *testing.B) {
		for b.Loop() {
			call(b, s, c, "ListPolicies", &iamapi.ListPoliciesRequest{})
		}
	})
	b.Run("OnlyAttached", func(b *testing.B) {
		for b.Loop() {
			call(b, s, c, "ListPolicies", &iamapi.ListPoliciesRequest{OnlyAttached: ptr(true)})
		}
	})
}
