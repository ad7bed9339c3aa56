package policycmp

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/cedar-policy/cedar-go"
	minio "github.com/minio/pkg/v3/policy"
)

// cedarSetup parses the Cedar policies and builds the request once, outside
// the measured loop.
func cedarSetup(tb testing.TB, n int, target string) (*cedar.PolicySet, cedar.Request) {
	tb.Helper()
	ps, err := cedar.NewPolicySetFromBytes("bench.cedar", []byte(cedarPolicies(n)))
	if err != nil {
		tb.Fatal(err)
	}
	req := cedar.Request{
		Principal: cedar.NewEntityUID("User", "alice"),
		Action:    cedar.NewEntityUID("Action", "s3:GetObject"),
		Resource:  cedar.NewEntityUID("Object", cedar.String(target)),
		Context:   cedar.NewRecord(cedar.RecordMap{"arn": cedar.String(target)}),
	}
	return ps, req
}

// minioSetup parses the AWS document with minio's parser and builds its
// S3-shaped request arguments.
func minioSetup(tb testing.TB, n int, bucketName string) (*minio.Policy, minio.Args) {
	tb.Helper()
	p, err := minio.ParseConfig(bytes.NewReader(iamDocument(n)))
	if err != nil {
		tb.Fatal(err)
	}
	args := minio.Args{
		AccountName:     "alice",
		Action:          minio.GetObjectAction,
		BucketName:      bucketName,
		ObjectName:      objectKey,
		ConditionValues: map[string][]string{},
	}
	return p, args
}

// TestPeersDecide checks that the peers allow the request for the last bucket
// and deny one for a bucket no statement names, so the benchmarks measure
// real decisions.
func TestPeersDecide(t *testing.T) {
	for _, n := range Sizes {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			ps, req := cedarSetup(t, n, objectARN(n))
			if d, _ := cedar.Authorize(ps, cedar.EntityMap{}, req); d != cedar.Allow {
				t.Errorf("cedar-go: %v, want allow", d)
			}
			ps, req = cedarSetup(t, n, "arn:aws:s3:::other-bucket/"+objectKey)
			if d, _ := cedar.Authorize(ps, cedar.EntityMap{}, req); d != cedar.Deny {
				t.Errorf("cedar-go other bucket: %v, want deny", d)
			}
			p, args := minioSetup(t, n, bucket(n))
			if !p.IsAllowed(args) {
				t.Error("minio: denied, want allowed")
			}
			args.BucketName = "other-bucket"
			if p.IsAllowed(args) {
				t.Error("minio other bucket: allowed, want denied")
			}
		})
	}
}
