package sigv4

import (
	"net/http"
	"strings"

	"github.com/iamd/iamd/arn"
)

// Scope is a credential scope, AKID/YYYYMMDD/region/service/aws4_request:
// who signed, for which day, region and service.
type Scope struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	Region      string
	Service     string
	Terminator  string // "aws4_request" in every valid scope
}

// String is the scope without the access key, as it appears in the string
// to sign.
func (s Scope) String() string {
	return s.Date + "/" + s.Region + "/" + s.Service + "/" + s.Terminator
}

// Partition is the AWS partition of the scope's region (see Partition).
func (s Scope) Partition() string { return Partition(s.Region) }

// parseScope splits a credential into its five parts. AWS ignores trailing
// slashes (dynalite's record of DynamoDB's behaviour); anything but five
// parts is an error for the caller to report.
func parseScope(credential string) (Scope, bool) {
	c := strings.TrimRight(credential, "/")
	parts := strings.Split(c, "/")
	if len(parts) != 5 {
		return Scope{}, false
	}
	return Scope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}, true
}

// ParseCredentialScope reads the credential scope of a signed request, from
// the Authorization header or the presigned X-Amz-Credential parameter,
// without verifying anything, so that a server can route by service before
// it verifies. ok is false when the request carries no well-formed scope;
// Verify then reports what is wrong.
func ParseCredentialScope(r *http.Request) (scope Scope, ok bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		a, err := parseAuthorization(auth)
		if err != nil || !a.hasCredential {
			return Scope{}, false
		}
		return parseScope(a.credential)
	}
	if r.URL == nil {
		return Scope{}, false
	}
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return Scope{}, false
	}
	for _, p := range params {
		if p.name == "X-Amz-Credential" {
			return parseScope(p.value)
		}
	}
	return Scope{}, false
}

// Partition is the AWS partition a region belongs to, which ARNs carry:
// cn-* is aws-cn, us-gov-* aws-us-gov, us-iso-* aws-iso, us-isob-*
// aws-iso-b (and the newer isolated partitions), anything else aws. The
// table lives in package arn, iamd's other pure library, so that signing
// and ARNs can never disagree.
func Partition(region string) string { return arn.PartitionOf(region) }
