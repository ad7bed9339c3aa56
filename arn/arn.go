// Package arn parses, builds and matches Amazon Resource Names.
//
// An ARN has six colon-separated parts:
//
//	arn:partition:service:region:account-id:resource
//
// The resource part may itself contain colons and slashes. The package is
// shared by the policy engine (Resource elements, Arn* condition operators,
// principals) and by the IAM and STS services (building the ARNs of users,
// roles and sessions), so it depends on the standard library only.
package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ErrMalformed is wrapped by every error Parse returns, so that callers can
// tell a malformed ARN from other failures with errors.Is.
var ErrMalformed = errors.New("malformed ARN")

// ARN is a parsed Amazon Resource Name. Its zero value is not a valid ARN.
type ARN struct {
	// Partition is the AWS partition, e.g. "aws" or "aws-cn".
	Partition string
	// Service is the service namespace, e.g. "iam" or "s3".
	Service string
	// Region is the region code, empty for global resources such as IAM's.
	Region string
	// AccountID is the 12-digit account, empty for some resources (S3
	// buckets) and "aws" for AWS managed policies.
	AccountID string
	// Resource is everything after the fifth colon, e.g. "user/alice" or
	// "log-group:name:log-stream:x". It may contain colons and slashes.
	Resource string
}

// Parse splits s into its six parts. It requires the "arn:" prefix, five
// colons, and a non-empty partition, service and resource; region and
// account may be empty, as in "arn:aws:s3:::bucket". It does not check that
// the partition is one AWS knows (see ValidPartition): callers that need to
// reject "arn:foo:..." do so themselves.
func Parse(s string) (ARN, error) {
	if !strings.HasPrefix(s, "arn:") {
		return ARN{}, fmt.Errorf("%w %q: it does not start with \"arn:\"", ErrMalformed, s)
	}
	rest := s[len("arn:"):]
	var parts [4]string
	for i := range parts {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return ARN{}, fmt.Errorf("%w %q: it has fewer than six colon-separated parts", ErrMalformed, s)
		}
		parts[i] = rest[:j]
		rest = rest[j+1:]
	}
	a := ARN{Partition: parts[0], Service: parts[1], Region: parts[2], AccountID: parts[3], Resource: rest}
	switch {
	case a.Partition == "":
		return ARN{}, fmt.Errorf("%w %q: the partition is empty", ErrMalformed, s)
	case a.Service == "":
		return ARN{}, fmt.Errorf("%w %q: the service is empty", ErrMalformed, s)
	case a.Resource == "":
		return ARN{}, fmt.Errorf("%w %q: the resource is empty", ErrMalformed, s)
	}
	return a, nil
}

// String joins the six parts back into "arn:partition:service:region:account-id:resource".
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.AccountID + ":" + a.Resource
}

// partitions lists the partitions AWS publishes, with the region prefix
// that selects each. Longer prefixes come first so that "us-isob-" is not
// taken for "us-iso-".
var partitions = []struct {
	name         string
	regionPrefix string
}{
	{"aws-us-gov", "us-gov-"},
	{"aws-iso-b", "us-isob-"},
	{"aws-iso-f", "us-isof-"},
	{"aws-iso-e", "eu-isoe-"},
	{"aws-iso", "us-iso-"},
	{"aws-cn", "cn-"},
	{"aws-eusc", "eusc-"},
	{"aws", ""},
}

// PartitionOf returns the partition a region belongs to: "aws-cn" for
// "cn-north-1", "aws-us-gov" for "us-gov-west-1", the ISO partitions for
// their regions, and "aws" for everything else (including the empty
// region), because that is where an unknown region most likely lives.
func PartitionOf(region string) string {
	for _, p := range partitions {
		if p.regionPrefix != "" && strings.HasPrefix(region, p.regionPrefix) {
			return p.name
		}
	}
	return "aws"
}

// ValidPartition reports whether p is one of the partitions AWS publishes.
// Policy validation uses it to reject resources such as "arn:foo:s3:::b".
func ValidPartition(p string) bool {
	for _, q := range partitions {
		if q.name == p {
			return true
		}
	}
	return false
}

// Partitions returns the names of the partitions AWS publishes, "aws" last.
func Partitions() []string {
	out := make([]string, len(partitions))
	for i, p := range partitions {
		out[i] = p.name
	}
	return out
}

// ValidAccountID reports whether s is a 12-digit AWS account id, the form
// that principals ("AWS": "123456789012") and ARNs use.
func ValidAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
