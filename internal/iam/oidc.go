package iam

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/iamd/iamd/arn"
)

// AWS's quotas on OpenID Connect providers (IAM User Guide, "IAM and AWS
// STS quotas"; the API reference of CreateOpenIDConnectProvider).
const (
	maxOIDCClientIDs   = 100
	maxOIDCThumbprints = 5
	// maxProviderTags is the tag quota of identity providers, which IAM
	// reports in words of its own (see providerTagLimit).
	maxProviderTags = 50
)

// oidcProviderID is the identity of an OpenID Connect provider within its
// account: the URL without its https:// scheme, as the provider's ARN
// (arn:aws:iam::123456789012:oidc-provider/server.example.com/path) and
// GetOpenIDConnectProvider's Url show it. The API reference requires the
// https scheme and allows a path but no query; IAM answers anything else
// with a ValidationError worded as localstack recorded it from AWS for
// "example.org" ("Invalid Open ID Connect Provider URL").
func oidcProviderID(raw string) (string, error) {
	invalid := wireError("ValidationError", "Invalid Open ID Connect Provider URL")
	rest, ok := strings.CutPrefix(raw, "https://")
	if !ok {
		return "", invalid
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(rest, " \t\r\n#?") {
		return "", invalid
	}
	return rest, nil
}

// checkThumbprints applies the rules on a provider's thumbprint list the
// model leaves to the service. The model fixes each thumbprint at 40
// characters; a thumbprint is the hex-encoded SHA-1 hash of a certificate,
// so anything but hex digits is refused. IAM keeps at most five, and words
// the error as it does ("fewer than 5", sic; localstack's recorded AWS
// response for six thumbprints).
func checkThumbprints(list []string) error {
	if len(list) > maxOIDCThumbprints {
		return wireError("InvalidInput", "Thumbprint list must contain fewer than %d entries.", maxOIDCThumbprints)
	}
	for _, t := range list {
		for i := 0; i < len(t); i++ {
			c := t[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return wireError("InvalidInput", "Thumbprint %s is not a hex-encoded SHA-1 hash.", t)
			}
		}
	}
	return nil
}

// uniqueStrings returns the list without repeated entries, in the order of
// their first appearance: a provider's client ids and thumbprints are sets.
func uniqueStrings(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// clientIDQuota is IAM's answer to a provider with more than 100 client ids
// (localstack's recorded AWS response).
func clientIDQuota() error {
	return wireError("LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxOIDCClientIDs)
}

// providerTagLimit is IAM's answer to tagging an OpenID Connect or SAML
// provider beyond 50 tags, which differs from the TagsPerUser wording of
// users (localstack's recorded AWS response for an OIDC provider).
func providerTagLimit() error {
	return wireError("LimitExceeded", "The number of tags has reached the maximum limit.")
}

// providerARN is an identity provider's ARN taken apart.
type providerARN struct {
	Partition string
	Account   string
	ID        string // the OIDC provider's host/path, or the SAML provider's name
}

// parseProviderARN takes apart the ARN of an identity provider of the kind
// ("oidc-provider" or "saml-provider"). A string that is not an ARN is a
// ValidationError and an ARN of something else InvalidInput, worded as
// AWS words them for policy ARNs (see parsePolicyARN).
func parseProviderARN(s, kind string) (providerARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return providerARN{}, wireError("ValidationError", "ARN %s is not valid.", s)
	}
	id, ok := strings.CutPrefix(a.Resource, kind+"/")
	if !ok || id == "" || a.Service != "iam" || a.Region != "" || !arn.ValidPartition(a.Partition) || !arn.ValidAccountID(a.AccountID) {
		return providerARN{}, wireError("InvalidInput", "ARN %s is not valid.", s)
	}
	return providerARN{Partition: a.Partition, Account: a.AccountID, ID: id}, nil
}

// oidcProviderARN builds the ARN of an OpenID Connect provider.
func oidcProviderARN(partition, account, id string) string {
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, id)
}
