package iam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

// AWS's quotas on OpenID Connect providers (IAM User Guide, "IAM and AWS
// STS quotas"; the API reference of CreateOpenIDConnectProvider).
const (
	maxOIDCClientIDs   = 100
	maxOIDCThumbprints = 5
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

var _ = family((*Service).oidcOperations)

// The NoSuchEntity messages of OpenID Connect providers differ by
// operation (localstack's recorded AWS responses): DeleteOpenIDConnect
// Provider words it as msgNoSuchOIDCDelete, the others as GetOpenIDConnect
// Provider does. The store reports a duplicate by ARN, and AWS names the
// URL the caller gave, so CreateOpenIDConnectProvider words that itself.
var _ = entity(store.KindOIDCProvider, "OpenIDConnect Provider not found for arn %s", "")

const msgNoSuchOIDCDelete = "OpenId connect Provider %s cannot be found."

// maxOIDCProviders is AWS's quota of OpenID Connect providers per account
// (IAM User Guide, "IAM and AWS STS quotas").
const maxOIDCProviders = 100

func (s *Service) oidcOperations(t service.Table) {
	t["CreateOpenIDConnectProvider"] = service.Op(s.createOIDCProvider)
	t["GetOpenIDConnectProvider"] = service.Op(s.getOIDCProvider)
	t["DeleteOpenIDConnectProvider"] = service.Op(s.deleteOIDCProvider)
	t["ListOpenIDConnectProviders"] = service.Op(s.listOIDCProviders)
	t["AddClientIDToOpenIDConnectProvider"] = service.Op(s.addOIDCClientID)
	t["RemoveClientIDFromOpenIDConnectProvider"] = service.Op(s.removeOIDCClientID)
	t["UpdateOpenIDConnectProviderThumbprint"] = service.Op(s.updateOIDCThumbprints)
	t["TagOpenIDConnectProvider"] = service.Op(s.tagOIDCProvider)
	t["UntagOpenIDConnectProvider"] = service.Op(s.untagOIDCProvider)
	t["ListOpenIDConnectProviderTags"] = service.Op(s.listOIDCProviderTags)
}

// oidcARN checks the form of an OpenID Connect provider ARN given to an
// operation. An ARN of another account passes, and names no provider of
// the caller's (the store looks providers up within the account).
func oidcARN(s string) (string, error) {
	if _, err := parseProviderARN(s, "oidc-provider"); err != nil {
		return "", err
	}
	return s, nil
}

// oidcRef is the tag reference of an OpenID Connect provider.
func oidcRef(c *service.Call, providerArn string) store.ResourceRef {
	return store.ResourceRef{Account: c.AccountID, Kind: store.KindOIDCProvider, ID: providerArn}
}

// countUpTo counts a list's items, reading pages until it has seen limit
// of them (enough to tell whether a quota of limit is reached).
func countUpTo[T any](limit int, list func(store.ListOptions) (store.Page[T], error)) (int, error) {
	n := 0
	opts := store.ListOptions{MaxItems: limit}
	for n < limit {
		p, err := list(opts)
		if err != nil {
			return 0, err
		}
		n += len(p.Items)
		if !p.Truncated() {
			break
		}
		opts.Marker = p.Marker
	}
	return n, nil
}

func (s *Service) createOIDCProvider(ctx context.Context, c *service.Call, in *iamapi.CreateOpenIDConnectProviderRequest) (*iamapi.CreateOpenIDConnectProviderResponse, error) {
	id, err := oidcProviderID(in.Url)
	if err != nil {
		return nil, err
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	clients := uniqueStrings(in.ClientIDList)
	if len(clients) > maxOIDCClientIDs {
		return nil, clientIDQuota()
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	// Without thumbprints AWS fetches the provider's certificate chain;
	// iamd does not reach out to the network from an API call, and keeps
	// the list empty (AWS itself verifies most providers against trusted
	// root CAs instead of thumbprints; IAM User Guide, "Obtain the
	// thumbprint for an OpenID Connect identity provider").
	p := store.OIDCProvider{
		Account:     c.AccountID,
		ARN:         oidcProviderARN(c.Partition, c.AccountID, id),
		URL:         in.Url,
		ClientIDs:   clients,
		Thumbprints: uniqueStrings(in.ThumbprintList),
		Created:     c.Now,
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		n, err := countUpTo(maxOIDCProviders, func(o store.ListOptions) (store.Page[store.OIDCProvider], error) {
			return tx.ListOIDCProviders(c.AccountID, o)
		})
		if err != nil {
			return err
		}
		if n >= maxOIDCProviders {
			return wireError("LimitExceeded", "Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", maxOIDCProviders)
		}
		if err := tx.CreateOIDCProvider(p); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				// localstack's recorded AWS response.
				return wireError("EntityAlreadyExists", "Provider with url %s already exists.", in.Url)
			}
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(oidcRef(c, p.ARN), tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateOpenIDConnectProviderResponse{OpenIDConnectProviderArn: &p.ARN, Tags: apiTags(tags)}, nil
}

func (s *Service) getOIDCProvider(ctx context.Context, c *service.Call, in *iamapi.GetOpenIDConnectProviderRequest) (*iamapi.GetOpenIDConnectProviderResponse, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	var p store.OIDCProvider
	var tags []store.Tag
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = tx.GetOIDCProvider(c.AccountID, providerArn); err != nil {
			return err
		}
		tags, err = allTags(tx, oidcRef(c, providerArn))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	// The Url is shown without its scheme, as the ARN holds it.
	return &iamapi.GetOpenIDConnectProviderResponse{
		Url:            ptr(strings.TrimPrefix(p.URL, "https://")),
		ClientIDList:   nonNil(p.ClientIDs),
		ThumbprintList: nonNil(p.Thumbprints),
		CreateDate:     ptr(p.Created),
		Tags:           nonNil(apiTags(tags)),
	}, nil
}

// nonNil returns an empty list for nil, so that a list member the
// response always carries is encoded as an empty element rather than
// left out.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Service) deleteOIDCProvider(ctx context.Context, c *service.Call, in *iamapi.DeleteOpenIDConnectProviderRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteOIDCProvider(c.AccountID, providerArn) })
	if errors.Is(err, store.ErrNotFound) {
		return nil, wireError("NoSuchEntity", msgNoSuchOIDCDelete, providerArn)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listOIDCProviders(ctx context.Context, c *service.Call, in *iamapi.ListOpenIDConnectProvidersRequest) (*iamapi.ListOpenIDConnectProvidersResponse, error) {
	out := &iamapi.ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: []iamapi.OpenIDConnectProviderListEntry{}}
	// The operation has no pagination: every provider (at most 100) in one
	// answer.
	err := s.store.View(ctx, func(tx store.Tx) error {
		out.OpenIDConnectProviderList = out.OpenIDConnectProviderList[:0]
		opts := store.ListOptions{MaxItems: 1000}
		for {
			p, err := tx.ListOIDCProviders(c.AccountID, opts)
			if err != nil {
				return err
			}
			for _, op := range p.Items {
				out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList, iamapi.OpenIDConnectProviderListEntry{Arn: ptr(op.ARN)})
			}
			if !p.Truncated() {
				return nil
			}
			opts.Marker = p.Marker
		}
	})
	if err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

func (s *Service) addOIDCClientID(ctx context.Context, c *service.Call, in *iamapi.AddClientIDToOpenIDConnectProviderRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetOIDCProvider(c.AccountID, providerArn)
		if err != nil {
			return err
		}
		// Adding a client id the provider has is not an error (the API
		// reference: the operation is idempotent), and not a new one for
		// the quota.
		if slices.Contains(p.ClientIDs, in.ClientID) {
			return nil
		}
		if len(p.ClientIDs) >= maxOIDCClientIDs {
			return clientIDQuota()
		}
		return tx.AddOIDCClientID(c.AccountID, providerArn, in.ClientID)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) removeOIDCClientID(ctx context.Context, c *service.Call, in *iamapi.RemoveClientIDFromOpenIDConnectProviderRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		// Removing an absent client id is not an error (the API reference:
		// the operation is idempotent), but the provider must exist.
		if _, err := tx.GetOIDCProvider(c.AccountID, providerArn); err != nil {
			return err
		}
		return tx.RemoveOIDCClientID(c.AccountID, providerArn, in.ClientID)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) updateOIDCThumbprints(ctx context.Context, c *service.Call, in *iamapi.UpdateOpenIDConnectProviderThumbprintRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	if err := checkThumbprints(in.ThumbprintList); err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetOIDCProvider(c.AccountID, providerArn); err != nil {
			return err
		}
		return tx.SetOIDCThumbprints(c.AccountID, providerArn, uniqueStrings(in.ThumbprintList))
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) tagOIDCProvider(ctx context.Context, c *service.Call, in *iamapi.TagOpenIDConnectProviderRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetOIDCProvider(c.AccountID, providerArn); err != nil {
			return err
		}
		return tagProvider(tx, oidcRef(c, providerArn), tags)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// tagProvider adds tags to an identity provider within AWS's quota of 50;
// IAM words the quota of providers differently from the TagsPer... of
// other resources.
func tagProvider(tx store.Tx, ref store.ResourceRef, tags []store.Tag) error {
	return tagWithin(tx, ref, tags, providerTagLimit)
}

func (s *Service) untagOIDCProvider(ctx context.Context, c *service.Call, in *iamapi.UntagOpenIDConnectProviderRequest) (*service.Empty, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	return s.untagResource(ctx, oidcTagged(c, providerArn), in.TagKeys)
}

func (s *Service) listOIDCProviderTags(ctx context.Context, c *service.Call, in *iamapi.ListOpenIDConnectProviderTagsRequest) (*iamapi.ListOpenIDConnectProviderTagsResponse, error) {
	providerArn, err := oidcARN(in.OpenIDConnectProviderArn)
	if err != nil {
		return nil, err
	}
	tp, err := s.listResourceTags(ctx, oidcTagged(c, providerArn), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListOpenIDConnectProviderTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}

// oidcTagged resolves the provider for its tag operations: it must exist in
// the caller's account.
func oidcTagged(c *service.Call, arn string) resolveTagged {
	return func(tx store.Tx) (store.ResourceRef, error) {
		if _, err := tx.GetOIDCProvider(c.AccountID, arn); err != nil {
			return store.ResourceRef{}, err
		}
		return oidcRef(c, arn), nil
	}
}
