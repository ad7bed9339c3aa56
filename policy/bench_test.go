package policy_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamd/iamd/policy"
)

// benchSet builds 10 identity-based policies of 10 statements each, all
// about S3 (so the service index does not skip them), with conditions and
// policy variables; only the last statement of the last policy allows the
// request.
func benchSet(tb testing.TB) (policy.Request, policy.PolicySet) {
	var set policy.PolicySet
	for p := 0; p < 10; p++ {
		var stmts []string
		for s := 0; s < 10; s++ {
			bucket := fmt.Sprintf("bucket-%d-%d", p, s)
			if p == 9 && s == 9 {
				bucket = "target"
			}
			stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:List*"],
			 "Resource":["arn:aws:s3:::%s/home/${aws:username}/*","arn:aws:s3:::%s/shared/*"],
			 "Condition":{"StringEquals":{"aws:PrincipalTag/team":["blue","${aws:PrincipalTag/team-alias, 'none'}"]},
			              "IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8::/32"]},
			              "Bool":{"aws:SecureTransport":"true"}}}`, s, bucket, bucket))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		set.Identity = append(set.Identity, mustParse(tb, policy.Identity, doc))
	}
	var ctx policy.Context
	for k, v := range map[string]string{
		"aws:username": "alice", "aws:userid": "AIDAEXAMPLE", "aws:PrincipalTag/team": "blue",
		"aws:SourceIp": "203.0.113.7", "aws:SecureTransport": "true", "aws:PrincipalArn": "arn:aws:iam::111122223333:user/alice",
		"aws:PrincipalAccount": "111122223333", "aws:RequestedRegion": "us-east-1", "aws:CurrentTime": "2026-01-01T00:00:00Z",
		"aws:EpochTime": "1767225600", "aws:PrincipalType": "User", "aws:UserAgent": "aws-cli/2",
	} {
		ctx.Set(k, v)
	}
	r := policy.Request{Principal: alice, Action: "s3:GetObject", Resource: "arn:aws:s3:::target/home/alice/notes.txt", Context: ctx}
	return r, set
}

func BenchmarkEvaluate(b *testing.B) {
	r, set := benchSet(b)
	if d := policy.Evaluate(r, set); d.Effect != policy.Allow {
		b.Fatalf("setup: %v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		policy.Evaluate(r, set)
	}
}

func BenchmarkEvaluateImplicitDeny(b *testing.B) {
	r, set := benchSet(b)
	r.Resource = "arn:aws:s3:::nowhere/x"
	if d := policy.Evaluate(r, set); d.Effect != policy.ImplicitDeny {
		b.Fatalf("setup: %v", d)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		policy.Evaluate(r, set)
	}
}

// sixKB returns a policy of about 6 KB (the managed policy quota).
func sixKB() []byte {
	var stmts []string
	for i := 0; len(strings.Join(stmts, ",")) < 5900; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"Stmt%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket-%d/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"t%d"},"IpAddress":{"aws:SourceIp":"10.%d.0.0/16"}}}`, i, i, i, i%256))
	}
	return []byte(`{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`)
}

func BenchmarkParse6KB(b *testing.B) {
	doc := sixKB()
	if _, err := policy.Parse(doc, policy.Managed); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := policy.Parse(doc, policy.Managed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNStatements is the comparison workload of issue 3 (run against
// cedar-go and minio in bench/): N Allow statements
// {Action: s3:GetObject, Resource: arn:aws:s3:::bucket-i/*}, the request
// matching only the last.
func BenchmarkNStatements(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			stmts := make([]string, n)
			for i := range stmts {
				stmts[i] = fmt.Sprintf(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket-%d/*"}`, i)
			}
			p := mustParse(b, policy.Identity, `{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`)
			set := policy.PolicySet{Identity: []*policy.Policy{p}}
			r := policy.Request{Principal: alice, Action: "s3:GetObject", Resource: fmt.Sprintf("arn:aws:s3:::bucket-%d/key", n-1)}
			if d := policy.Evaluate(r, set); d.Effect != policy.Allow {
				b.Fatalf("setup: %v", d)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				policy.Evaluate(r, set)
			}
		})
	}
}
