package sigv4_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/sigv4"
)

func TestParseCredentialScope(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		auth   string
		target string
		want   sigv4.Scope
		ok     bool
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=00", "/",
			sigv4.Scope{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "iam", Terminator: "aws4_request"}, true},
		{"presigned", "", "/?Action=GetCallerIdentity&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fcn-north-1%2Fsts%2Faws4_request",
			sigv4.Scope{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "cn-north-1", Service: "sts", Terminator: "aws4_request"}, true},
		{"trailing slash ignored", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request/, Signature=00", "/",
			sigv4.Scope{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "iam", Terminator: "aws4_request"}, true},
		{"unsigned", "", "/?Action=ListUsers", sigv4.Scope{}, false},
		{"four parts", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/iam/aws4_request", "/", sigv4.Scope{}, false},
		{"no credential", "AWS4-HMAC-SHA256 Signature=00", "/", sigv4.Scope{}, false},
		{"bad query", "", "/?X-Amz-Credential=%zz", sigv4.Scope{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest(http.MethodGet, c.target, nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			got, ok := sigv4.ParseCredentialScope(r)
			if got != c.want || ok != c.ok {
				t.Fatalf("got %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestPartition(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"us-east-1":       "aws",
		"eu-central-2":    "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"us-isof-south-1": "aws-iso-f",
		"eu-isoe-west-1":  "aws-iso-e",
		"eusc-de-east-1":  "aws-eusc",
		"":                "aws",
	}
	for region, want := range cases {
		if got := sigv4.Partition(region); got != want {
			t.Errorf("Partition(%q) = %q, want %q", region, got, want)
		}
		// The arn package keeps the same table for ARNs; they must agree.
		if got := arn.PartitionOf(region); got != want {
			t.Errorf("arn.PartitionOf(%q) = %q, want %q", region, got, want)
		}
	}
	s := sigv4.Scope{Region: "us-gov-east-1"}
	if s.Partition() != "aws-us-gov" || s.String() != "/us-gov-east-1//" {
		t.Errorf("scope helpers: %q %q", s.Partition(), s.String())
	}
}
