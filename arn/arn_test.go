package arn_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/iamd/iamd/arn"
)

// Cases follow the IAM User Guide page "IAM identifiers" (ARN format) and
// the "AWS JSON policy elements: Resource" page.
func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want arn.ARN
		err  bool
	}{
		{"iam user", "arn:aws:iam::123456789012:user/division/alice",
			arn.ARN{Partition: "aws", Service: "iam", AccountID: "123456789012", Resource: "user/division/alice"}, false},
		{"s3 bucket without region or account", "arn:aws:s3:::amzn-s3-demo-bucket",
			arn.ARN{Partition: "aws", Service: "s3", Resource: "amzn-s3-demo-bucket"}, false},
		{"resource with colons", "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x",
			arn.ARN{Partition: "aws", Service: "logs", Region: "us-east-1", AccountID: "123456789012", Resource: "log-group:app:log-stream:x"}, false},
		{"china partition", "arn:aws-cn:iam::123456789012:role/r",
			arn.ARN{Partition: "aws-cn", Service: "iam", AccountID: "123456789012", Resource: "role/r"}, false},
		{"assumed role session", "arn:aws:sts::123456789012:assumed-role/r/s",
			arn.ARN{Partition: "aws", Service: "sts", AccountID: "123456789012", Resource: "assumed-role/r/s"}, false},
		{"no prefix", "aws:iam::123456789012:user/a", arn.ARN{}, true},
		{"too few parts", "arn:aws:iam::123456789012", arn.ARN{}, true},
		{"empty partition", "arn::iam::123456789012:user/a", arn.ARN{}, true},
		{"empty service", "arn:aws:::123456789012:user/a", arn.ARN{}, true},
		{"empty resource", "arn:aws:iam::123456789012:", arn.ARN{}, true},
		{"empty string", "", arn.ARN{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := arn.Parse(c.in)
			if c.err {
				if !errors.Is(err, arn.ErrMalformed) {
					t.Fatalf("Parse(%q) error = %v, want ErrMalformed", c.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if got != c.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
			}
			if got.String() != c.in {
				t.Fatalf("String() = %q, want %q", got.String(), c.in)
			}
		})
	}
}

// Cases follow AWS's partition list (the "aws", "aws-cn", "aws-us-gov" and
// ISO partitions of the AWS General Reference, "Regions and Zones").
func TestPartitionOf(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"us-east-1":       "aws",
		"eu-west-3":       "aws",
		"":                "aws",
		"cn-north-1":      "aws-cn",
		"cn-northwest-1":  "aws-cn",
		"us-gov-west-1":   "aws-us-gov",
		"us-iso-east-1":   "aws-iso",
		"us-isob-east-1":  "aws-iso-b",
		"eu-isoe-west-1":  "aws-iso-e",
		"us-isof-south-1": "aws-iso-f",
		"eusc-de-east-1":  "aws-eusc",
	}
	for region, want := range cases {
		if got := arn.PartitionOf(region); got != want {
			t.Errorf("PartitionOf(%q) = %q, want %q", region, got, want)
		}
		if !arn.ValidPartition(want) {
			t.Errorf("ValidPartition(%q) = false", want)
		}
	}
	for _, bad := range []string{"", "AWS", "aws-xx", "*", "s3"} {
		if arn.ValidPartition(bad) {
			t.Errorf("ValidPartition(%q) = true", bad)
		}
	}
	if ps := arn.Partitions(); ps[len(ps)-1] != "aws" || len(ps) != 8 {
		t.Errorf("Partitions() = %v", ps)
	}
}

func TestValidAccountID(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"123456789012": true, "000000000000": true, "12345678901": false,
		"1234567890123": false, "12345678901a": false, "": false, "aws": false,
	} {
		if got := arn.ValidAccountID(s); got != want {
			t.Errorf("ValidAccountID(%q) = %v, want %v", s, got, want)
		}
	}
}

// Cases from "IAM JSON policy elements: Resource" (wildcards in any ARN
// segment; "*" in the resource part) and "IAM JSON policy elements:
// Condition operators" (ARN condition operators match part by part: the
// someservice/finance example).
func TestMatch(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"star matches all", "*", "arn:aws:s3:::b/k", true},
		{"star matches non-ARN", "*", "*", true},
		{"exact", "arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/Bob", true},
		{"case-sensitive", "arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/Bob", false},
		{"users under a path", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/accounting/sub/Ann", true},
		{"users under another path", "arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/sales/Ann", false},
		{"all objects of a bucket", "arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket/a/b:c", true},
		{"bucket itself is not an object", "arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket", false},
		{"wildcard region and account", "arn:aws:dynamodb:*:*:table/MyTable", "arn:aws:dynamodb:us-east-2:123456789012:table/MyTable", true},
		{"question mark is one character", "arn:aws:sqs:us-east-?:123456789012:queue1", "arn:aws:sqs:us-east-2:123456789012:queue1", true},
		{"question mark is not two", "arn:aws:sqs:us-east-?:123456789012:queue1", "arn:aws:sqs:us-east-22:123456789012:queue1", false},
		{"star stays inside the region part", "arn:aws:someservice:*:111122223333:finance/*",
			"arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt", false},
		{"resource star crosses colons", "arn:aws:logs:*:*:log-group:app*", "arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x", true},
		{"short pattern trailing star crosses colons", "arn:aws:s3:*", "arn:aws:s3:::bucket/key", true},
		{"short pattern needs matching head", "arn:aws:s3:*", "arn:aws:iam::123456789012:user/a", false},
		{"value with too few parts", "arn:aws:s3:::b", "arn:aws:s3", false},
		{"non-ARN value", "arn:aws:s3:::b", "*", false},
		{"empty region literal", "arn:aws:s3:::b", "arn:aws:s3:us-east-1::b", false},
		{"wildcard partition", "arn:*:s3:::b", "arn:aws-cn:s3:::b", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := arn.Match(c.pattern, c.value); got != c.want {
				t.Fatalf("Match(%q, %q) = %v, want %v", c.pattern, c.value, got, c.want)
			}
		})
	}
}

func TestWildcard(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, value string
		want           bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"a*", "abc", true},
		{"*c", "abc", true},
		{"a*c", "ac", true},
		{"a*c", "ab", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"a??", "aé€", true},
		{"*é", "café", true},
		{"?", "€", true},
		{"*a*b*c*", "xaxbxcx", true},
		{"*a*b*c*", "xcxbxax", false},
		{"ab*ab", "ab", false},
		{"ab*ab", "abab", true},
		{"*ab?", "abab", false},
		{"*ab?", "ababx", true},
		{"**", "anything", true},
		{"a*?", "a", false},
		{"a*?", "ab", true},
	}
	for _, c := range cases {
		if got := arn.Wildcard(c.pattern, c.value); got != c.want {
			t.Errorf("Wildcard(%q, %q) = %v, want %v", c.pattern, c.value, got, c.want)
		}
	}
}

// TestWildcardLinear is the regression test from issue 3: a backtracking
// matcher takes exponential time on this input. The test asserts the
// answers; the speed shows as the test finishing at all (go test's timeout
// would kill a backtracking implementation).
func TestWildcardLinear(t *testing.T) {
	t.Parallel()
	value := strings.Repeat("a", 60)
	if arn.Wildcard("*a*a*a*a*a*a*a*b", value) {
		t.Fatal("matched a value without b")
	}
	if !arn.Wildcard("*a*a*a*a*a*a*a*b", value+"b") {
		t.Fatal("did not match the value ending in b")
	}
	long := strings.Repeat("a", 100000)
	if arn.Wildcard(strings.Repeat("*a", 200)+"*b", long) {
		t.Fatal("matched a long value without b")
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k")
	f.Add("*a*a*a*b", "aaaaaaaaaa")
	f.Add("arn:*:*:*:*:*", "arn:aws:iam::1:user/x")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		// A pattern without wildcards matches only itself.
		if !strings.ContainsAny(pattern, "*?") {
			if arn.Wildcard(pattern, value) != (pattern == value) {
				t.Fatalf("Wildcard(%q, %q) disagrees with equality", pattern, value)
			}
		}
		// Every value matches itself when it has no wildcard characters.
		if !strings.ContainsAny(value, "*?") && !arn.Match(value, value) {
			t.Fatalf("Match(%q, itself) = false", value)
		}
		arn.Match(pattern, value)
		if a, err := arn.Parse(value); err == nil && a.String() != value {
			t.Fatalf("Parse(%q).String() = %q", value, a.String())
		}
	})
}
