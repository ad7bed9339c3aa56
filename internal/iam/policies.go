package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// AWS's quotas on managed policies (IAM User Guide, "IAM and AWS STS
// quotas").
const (
	maxAttachedPolicies = 10 // per user, group or role
)

// policyARN is a managed policy ARN taken apart:
// arn:PARTITION:iam::ACCOUNT:policy/PATH/NAME, where ACCOUNT is "aws" for
// the AWS managed policies.
type policyARN struct {
	ARN       string // as the caller gave it
	Partition string
	Account   string
	Path      string // "/" or "/a/b/"
	Name      string
}

// AWSManaged reports whether the ARN names an AWS managed policy.
func (p policyARN) AWSManaged() bool { return p.Account == "aws" }

// parsePolicyARN checks the form of a managed policy ARN. AWS answers
// ValidationError for a string that is not an ARN at all (localstack's
// recorded AWS responses: "ARN longpolicynamebutnoarn is not valid.") and
// InvalidInput for an ARN that is not a policy's ("ARN
// arn:aws:iam::111111111111:not_a_policy/invalid is not valid.").
func parsePolicyARN(s string) (policyARN, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return policyARN{}, wireError("ValidationError", "ARN %s is not valid.", s)
	}
	invalid := wireError("InvalidInput", "ARN %s is not valid.", s)
	rest, ok := strings.CutPrefix(a.Resource, "policy/")
	if !ok || a.Service != "iam" || a.Region != "" || !arn.ValidPartition(a.Partition) ||
		(a.AccountID != "aws" && !arn.ValidAccountID(a.AccountID)) {
		return policyARN{}, invalid
	}
	i := strings.LastIndexByte(rest, '/')
	p := policyARN{ARN: s, Partition: a.Partition, Account: a.AccountID, Path: "/" + rest[:i+1], Name: rest[i+1:]}
	if p.Name == "" || strings.Contains(p.Path, "//") {
		return policyARN{}, invalid
	}
	return p, nil
}

// managedPolicyARN builds the ARN of a managed policy; account is "aws" for
// the AWS managed ones.
func managedPolicyARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:policy%s%s", partition, account, path, name)
}

// managedPolicy is a managed policy as the operations see it, AWS managed
// (from package managed) or customer managed (from the store).
type managedPolicy struct {
	ARN            string // in the caller's partition
	Name           string
	Path           string
	ID             string
	DefaultVersion string
	Attachable     bool
	AWSManaged     bool
	Description    string
	Created        time.Time
	Updated        time.Time
	// Document is the default version's document as stored (the AWS
	// managed policies' as AWS returns it).
	Document string
}

// awsPolicies is the catalog of AWS managed policies, sorted by name,
// decoded once on first use (package managed decodes its embedded data
// once; this keeps one shared copy of the slice rather than one per call).
var awsPolicies = sync.OnceValue(managed.All)

// awsManagedPolicy renders an AWS managed policy in the caller's partition.
func awsManagedPolicy(partition string, p managed.Policy) managedPolicy {
	return managedPolicy{
		ARN:            managedPolicyARN(partition, "aws", p.Path, p.Name),
		Name:           p.Name,
		Path:           p.Path,
		ID:             p.PolicyID,
		DefaultVersion: p.DefaultVersionID,
		Attachable:     p.IsAttachable,
		AWSManaged:     true,
		Created:        p.CreateDate,
		Updated:        p.UpdateDate,
		Document:       string(p.Document),
	}
}

// errNoPolicy reports that lookupPolicy found no policy with the ARN; each
// operation words the NoSuchEntity answer as AWS does for it.
var errNoPolicy = errors.New("no such managed policy")

// lookupPolicy finds the managed policy an ARN names: an AWS managed
// policy, or a customer managed policy of the caller's account. An ARN in
// another partition or account names nothing the caller can use.
func lookupPolicy(tx store.Tx, c *service.Call, ref policyARN) (managedPolicy, error) {
	if ref.Partition != c.Partition {
		return managedPolicy{}, errNoPolicy
	}
	if ref.AWSManaged() {
		p, ok := managed.ByARN(ref.ARN)
		if !ok {
			return managedPolicy{}, errNoPolicy
		}
		return awsManagedPolicy(c.Partition, p), nil
	}
	if ref.Account != c.AccountID {
		return managedPolicy{}, errNoPolicy
	}
	return lookupCustomerPolicy(tx, c, ref)
}

// lookupCustomerPolicy finds a customer managed policy of the caller's
// account. The store keeps no customer managed policies yet (the store's
// policy family is still to come), so none exists: CreatePolicy is not
// served until it does.
func lookupCustomerPolicy(_ store.Tx, _ *service.Call, _ policyARN) (managedPolicy, error) {
	return managedPolicy{}, errNoPolicy
}

// attachablePolicy finds the policy an ARN names, answering as AWS's
// attach operations and ListEntitiesForPolicy do when there is none or it
// cannot be attached.
func attachablePolicy(tx store.Tx, c *service.Call, ref policyARN) (managedPolicy, error) {
	p, err := lookupPolicy(tx, c, ref)
	if errors.Is(err, errNoPolicy) || err == nil && !p.Attachable {
		return managedPolicy{}, wireError("NoSuchEntity", "Policy %s does not exist or is not attachable.", ref.ARN)
	}
	return p, err
}

// accessDenied is AWS's answer to a change to an AWS managed policy: the
// policy belongs to AWS's account, and no resource-based policy there
// grants another account the action, so IAM refuses it as it refuses any
// cross-account IAM write. The wording is that of AWS's AccessDenied
// messages for a missing resource-based grant.
func accessDenied(c *service.Call, action, resource string) error {
	return &awsquery.Error{
		Code:    "AccessDenied",
		Message: fmt.Sprintf("User: %s is not authorized to perform: iam:%s on resource: %s because no resource-based policy allows the iam:%s action", c.Caller.ARN, action, resource, action),
		Status:  403,
		Sender:  true,
	}
}

// encodePolicyDocument URL-encodes a policy document the way IAM returns
// documents (GetPolicyVersion, Get*Policy, GetAccountAuthorizationDetails):
// RFC 3986 percent-encoding of every byte outside the unreserved set, so
// that spaces are %20 and never "+". The SDKs and the AWS CLI decode it.
func encodePolicyDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// documentError turns the policy library's verdict on a document into
// AWS's error: MalformedPolicyDocument (400) with the message IAM gives for
// the document's first problem, or LimitExceeded (409) for a size quota.
func documentError(err error) error {
	var pe *policy.Error
	var se *policy.SizeError
	switch {
	case errors.As(err, &pe):
		return wireError("MalformedPolicyDocument", "%s", pe.Message)
	case errors.As(err, &se):
		return wireError("LimitExceeded", "%s", se.Message)
	}
	return err
}

var _ = family((*Service).policyOperations)

func (s *Service) policyOperations(t service.Table) {
	t["GetPolicy"] = service.Op(s.getPolicy)
	t["GetPolicyVersion"] = service.Op(s.getPolicyVersion)
	t["ListPolicyVersions"] = service.Op(s.listPolicyVersions)
	t["ListPolicies"] = service.Op(s.listPolicies)
	t["ListEntitiesForPolicy"] = service.Op(s.listEntitiesForPolicy)
}

// policyVersion is one version of a managed policy.
type policyVersion struct {
	ID       string // "v1", "v2", ...
	Document string
	Default  bool
	Created  time.Time
}

// policyVersions returns a policy's versions, newest first, as
// ListPolicyVersions orders them (localstack's recorded AWS responses). Of
// an AWS managed policy iamd has the default version only: the catalog
// AWS publishes holds no other.
func policyVersions(tx store.Tx, c *service.Call, p managedPolicy) ([]policyVersion, error) {
	if p.AWSManaged {
		return []policyVersion{{ID: p.DefaultVersion, Document: p.Document, Default: true, Created: p.Updated}}, nil
	}
	return customerPolicyVersions(tx, c, p)
}

// customerPolicyVersions lists a customer managed policy's versions; see
// lookupCustomerPolicy.
func customerPolicyVersions(_ store.Tx, _ *service.Call, _ managedPolicy) ([]policyVersion, error) {
	return nil, errNoPolicy
}

// policyNotFound is AWS's answer to GetPolicy, TagPolicy and the other
// operations on a policy when there is none (localstack's recorded AWS
// responses; the AWS CLI's "Policy arn:aws:iam::1:policy/p was not
// found.").
func policyNotFound(arn string) error {
	return wireError("NoSuchEntity", "Policy %s was not found.", arn)
}

// versionNotFound is AWS's answer when a policy version, or its policy, is
// not there.
func versionNotFound(arn, version string) error {
	return wireError("NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, version)
}

// findPolicy parses the ARN and finds the policy, answering
// policyNotFound when there is none.
func findPolicy(tx store.Tx, c *service.Call, s string) (managedPolicy, error) {
	ref, err := parsePolicyARN(s)
	if err != nil {
		return managedPolicy{}, err
	}
	p, err := lookupPolicy(tx, c, ref)
	if errors.Is(err, errNoPolicy) {
		return managedPolicy{}, policyNotFound(s)
	}
	return p, err
}

// policyUsage is how the account uses a managed policy: the entities it is
// attached to, and the users and roles whose permissions boundary it is.
type policyUsage struct {
	Attachments int
	Boundaries  int
}

// boundaryUses counts, for each policy ARN, the account's users and roles
// that have it as their permissions boundary. The store has no index on
// boundaries, so this reads the account's users once per call.
func boundaryUses(tx store.Tx, account string) (map[string]int, error) {
	uses := map[string]int{}
	opts := store.PathListOptions{MaxItems: 1000}
	for {
		p, err := tx.ListUsers(account, opts)
		if err != nil {
			return nil, err
		}
		for _, u := range p.Items {
			if u.PermissionsBoundary != "" {
				uses[u.PermissionsBoundary]++
			}
		}
		if !p.Truncated() {
			return uses, nil
		}
		opts.Marker = p.Marker
	}
}

// apiPolicy renders a managed policy as ListPolicies and GetPolicy return
// it; tags and the description are GetPolicy's alone.
func apiPolicy(p managedPolicy, u policyUsage) iamapi.Policy {
	return iamapi.Policy{
		PolicyName:                    ptr(p.Name),
		PolicyId:                      ptr(p.ID),
		Arn:                           ptr(p.ARN),
		Path:                          ptr(p.Path),
		DefaultVersionId:              ptr(p.DefaultVersion),
		AttachmentCount:               ptr(int32(u.Attachments)),
		PermissionsBoundaryUsageCount: ptr(int32(u.Boundaries)),
		IsAttachable:                  ptr(p.Attachable),
		CreateDate:                    ptr(p.Created),
		UpdateDate:                    ptr(p.Updated),
	}
}

func (s *Service) getPolicy(ctx context.Context, c *service.Call, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	var out iamapi.Policy
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := findPolicy(tx, c, in.PolicyArn)
		if err != nil {
			return err
		}
		var u policyUsage
		if u.Attachments, err = tx.CountPolicyAttachments(c.AccountID, p.ARN); err != nil {
			return err
		}
		uses, err := boundaryUses(tx, c.AccountID)
		if err != nil {
			return err
		}
		u.Boundaries = uses[p.ARN]
		out = apiPolicy(p, u)
		if p.Description != "" {
			out.Description = ptr(p.Description)
		}
		if !p.AWSManaged {
			tags, err := allTags(tx, store.ResourceRef{Account: c.AccountID, Kind: store.KindPolicy, ID: p.ID})
			if err != nil {
				return err
			}
			out.Tags = apiTags(tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetPolicyResponse{Policy: &out}, nil
}

// apiVersion renders a policy version; the document, URL-encoded, only
// where the operation returns it.
func apiVersion(v policyVersion, withDocument bool) iamapi.PolicyVersion {
	out := iamapi.PolicyVersion{VersionId: ptr(v.ID), IsDefaultVersion: ptr(v.Default), CreateDate: ptr(v.Created)}
	if withDocument {
		out.Document = ptr(encodePolicyDocument(v.Document))
	}
	return out
}

func (s *Service) getPolicyVersion(ctx context.Context, c *service.Call, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var out iamapi.PolicyVersion
	err = s.store.View(ctx, func(tx store.Tx) error {
		p, err := lookupPolicy(tx, c, ref)
		if err != nil {
			return err
		}
		vs, err := policyVersions(tx, c, p)
		if err != nil {
			return err
		}
		for _, v := range vs {
			if v.ID == in.VersionId {
				out = apiVersion(v, true)
				return nil
			}
		}
		return errNoPolicy
	})
	if errors.Is(err, errNoPolicy) {
		return nil, versionNotFound(in.PolicyArn, in.VersionId)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: &out}, nil
}

func (s *Service) listPolicyVersions(ctx context.Context, c *service.Call, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	var vs []policyVersion
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := findPolicy(tx, c, in.PolicyArn)
		if err != nil {
			return err
		}
		vs, err = policyVersions(tx, c, p)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	// A policy has at most five versions: one page, whatever MaxItems
	// asks, unless it asks for fewer.
	start, err := offsetMarker("versions", in.Marker, len(vs))
	if err != nil {
		return nil, err
	}
	end := min(start+pageSize(in.MaxItems), len(vs))
	out := &iamapi.ListPolicyVersionsResponse{Versions: make([]iamapi.PolicyVersion, 0, end-start)}
	for _, v := range vs[start:end] {
		out.Versions = append(out.Versions, apiVersion(v, false))
	}
	out.IsTruncated = ptr(end < len(vs))
	if end < len(vs) {
		out.Marker = ptr(encodeOffsetMarker("versions", end))
	}
	return out, nil
}

// pageSize is a list's MaxItems, AWS's default 100 when absent.
func pageSize(maxItems *int32) int {
	if maxItems == nil || *maxItems <= 0 {
		return store.DefaultMaxItems
	}
	return int(*maxItems)
}

// badMarker is the answer to a Marker iamd did not issue.
func badMarker() error {
	return wireError("InvalidInput", "Invalid value for parameter Marker.")
}

// encodeMarker makes an opaque marker of a list's name and the key of the
// last item of a page, for lists iamd pages itself rather than the store.
func encodeMarker(list, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(list + "\x00" + key))
}

// decodeMarker returns the key of a marker encodeMarker made for list; ""
// for no marker.
func decodeMarker(list string, marker *string) (string, error) {
	if marker == nil || *marker == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*marker)
	if err != nil {
		return "", badMarker()
	}
	key, ok := strings.CutPrefix(string(b), list+"\x00")
	if !ok || key == "" {
		return "", badMarker()
	}
	return key, nil
}

func encodeOffsetMarker(list string, offset int) string {
	return encodeMarker(list, strconv.Itoa(offset))
}

// offsetMarker decodes a marker of a short list paged by position.
func offsetMarker(list string, marker *string, n int) (int, error) {
	key, err := decodeMarker(list, marker)
	if err != nil || key == "" {
		return 0, err
	}
	i, err := strconv.Atoi(key)
	if err != nil || i <= 0 || i > n {
		return 0, badMarker()
	}
	return i, nil
}

// policyLister gathers one page of ListPolicies, applying the filters
// that need the account's usage of each policy.
type policyLister struct {
	tx           store.Tx
	c            *service.Call
	prefix       string
	onlyAttached bool
	usage        string // PolicyUsageFilter
	limit        int
	boundaries   map[string]int
	out          []iamapi.Policy
}

// kept returns the policy's usage and whether the filters keep it.
// OnlyAttached keeps the policies attached to an entity or used as a
// boundary, or only one of the two when PolicyUsageFilter names it.
func (l *policyLister) kept(p managedPolicy) (policyUsage, bool, error) {
	if !strings.HasPrefix(p.Path, l.prefix) {
		return policyUsage{}, false, nil
	}
	n, err := l.tx.CountPolicyAttachments(l.c.AccountID, p.ARN)
	if err != nil {
		return policyUsage{}, false, err
	}
	u := policyUsage{Attachments: n, Boundaries: l.boundaries[p.ARN]}
	if !l.onlyAttached {
		return u, true, nil
	}
	switch l.usage {
	case iamapi.PolicyUsageTypePermissionsPolicy:
		return u, u.Attachments > 0, nil
	case iamapi.PolicyUsageTypePermissionsBoundary:
		return u, u.Boundaries > 0, nil
	}
	return u, u.Attachments > 0 || u.Boundaries > 0, nil
}

// awsPart adds the AWS managed policies after the named one and returns
// the marker key of the next page, "" when the AWS managed policies end
// within this page.
func (l *policyLister) awsPart(after string) (string, error) {
	all := awsPolicies()
	for i := sort.Search(len(all), func(i int) bool { return all[i].Name > after }); i < len(all); i++ {
		p := awsManagedPolicy(l.c.Partition, all[i])
		u, ok, err := l.kept(p)
		if err != nil || !ok {
			if err != nil {
				return "", err
			}
			continue
		}
		if len(l.out) == l.limit { // one more exists: the page is full
			return "aws:" + *l.out[l.limit-1].PolicyName, nil
		}
		l.out = append(l.out, apiPolicy(p, u))
	}
	return "", nil
}

// localPart adds the account's customer managed policies from the store
// marker on and returns the marker key of the next page. The store keeps
// no customer managed policies yet (see lookupCustomerPolicy), so there
// are none to add.
func (l *policyLister) localPart(_ string) (string, error) {
	return "", nil
}

// listPolicies lists the AWS managed policies (by name) and then the
// account's customer managed ones (in the store's order), filtered by
// scope, path and use. Its marker says which part the next page starts in,
// and where.
func (s *Service) listPolicies(ctx context.Context, c *service.Call, in *iamapi.ListPoliciesRequest) (*iamapi.ListPoliciesResponse, error) {
	scope := str(in.Scope)
	key, err := decodeMarker("policies", in.Marker)
	if err != nil {
		return nil, err
	}
	part, after, _ := strings.Cut(key, ":")
	switch {
	case key == "" && scope != iamapi.PolicyScopeTypeLocal:
		part = "aws"
	case key == "":
		part = "local"
	case part != "aws" && part != "local":
		return nil, badMarker()
	}
	var next string
	var out []iamapi.Policy
	err = s.store.View(ctx, func(tx store.Tx) error {
		l := &policyLister{
			tx: tx, c: c, prefix: pathOr(in.PathPrefix), limit: pageSize(in.MaxItems),
			onlyAttached: in.OnlyAttached != nil && *in.OnlyAttached, usage: str(in.PolicyUsageFilter),
		}
		var err error
		if l.boundaries, err = boundaryUses(tx, c.AccountID); err != nil {
			return err
		}
		next = ""
		if part == "aws" {
			if next, err = l.awsPart(after); err != nil || next != "" || scope == iamapi.PolicyScopeTypeAws {
				out = l.out
				return err
			}
			after = ""
		}
		if len(l.out) == l.limit {
			next = "local:" // the customer managed policies start the next page
		} else {
			next, err = l.localPart(after)
		}
		out = l.out
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	resp := &iamapi.ListPoliciesResponse{Policies: out, IsTruncated: ptr(next != "")}
	if resp.Policies == nil {
		resp.Policies = []iamapi.Policy{}
	}
	if next != "" {
		resp.Marker = ptr(encodeMarker("policies", next))
	}
	return resp, nil
}

// policyEntity is a user, group or role that uses a managed policy.
type policyEntity struct {
	Kind store.Kind
	Name string
	ID   string
}

// listEntitiesForPolicy lists the users, groups and roles of the account
// that have the policy attached, or as their permissions boundary, or
// either. The entities of one policy in one account are few enough (AWS's
// quotas bound the account's users, groups and roles) to gather, filter
// and page in memory; the page's key is the last entity's kind and id.
func (s *Service) listEntitiesForPolicy(ctx context.Context, c *service.Call, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	after, err := decodeMarker("entities", in.Marker)
	if err != nil {
		return nil, err
	}
	var kind store.Kind
	switch str(in.EntityFilter) {
	case iamapi.EntityTypeUser:
		kind = store.KindUser
	case iamapi.EntityTypeGroup:
		kind = store.KindGroup
	case iamapi.EntityTypeRole:
		kind = store.KindRole
	case iamapi.EntityTypeLocalManagedPolicy, iamapi.EntityTypeAWSManagedPolicy:
		kind = "none" // policies use no policies: nothing to list
	}
	usage := str(in.PolicyUsageFilter)
	prefix := pathOr(in.PathPrefix)
	var entities []policyEntity
	err = s.store.View(ctx, func(tx store.Tx) error {
		entities = entities[:0]
		p, err := attachablePolicy(tx, c, ref)
		if err != nil {
			return err
		}
		if kind == "none" {
			return nil
		}
		seen := map[string]bool{}
		add := func(e policyEntity) {
			if !seen[e.ID] && (kind == "" || e.Kind == kind) {
				seen[e.ID] = true
				entities = append(entities, e)
			}
		}
		if usage != iamapi.PolicyUsageTypePermissionsBoundary && kind != "none" {
			opts := store.ListOptions{MaxItems: 1000}
			for {
				pg, err := tx.ListEntitiesForPolicy(c.AccountID, p.ARN, kind, opts)
				if err != nil {
					return err
				}
				for _, e := range pg.Items {
					add(policyEntity(e))
				}
				if !pg.Truncated() {
					break
				}
				opts.Marker = pg.Marker
			}
		}
		if usage != iamapi.PolicyUsageTypePermissionsPolicy && (kind == "" || kind == store.KindUser) {
			opts := store.PathListOptions{PathPrefix: prefix, MaxItems: 1000}
			for {
				pg, err := tx.ListUsers(c.AccountID, opts)
				if err != nil {
					return err
				}
				for _, u := range pg.Items {
					if u.PermissionsBoundary == p.ARN {
						add(policyEntity{Kind: store.KindUser, Name: u.Name, ID: u.ID})
					}
				}
				if !pg.Truncated() {
					break
				}
				opts.Marker = pg.Marker
			}
		}
		if prefix == "/" {
			return nil
		}
		kept := entities[:0]
		for _, e := range entities {
			path, err := entityPath(tx, e)
			if err != nil {
				return err
			}
			if strings.HasPrefix(path, prefix) {
				kept = append(kept, e)
			}
		}
		entities = kept
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	sort.Slice(entities, func(i, j int) bool { return entityKey(entities[i]) < entityKey(entities[j]) })
	start := sort.Search(len(entities), func(i int) bool { return entityKey(entities[i]) > after })
	end := min(start+pageSize(in.MaxItems), len(entities))
	out := &iamapi.ListEntitiesForPolicyResponse{
		PolicyGroups: []iamapi.PolicyGroup{},
		PolicyUsers:  []iamapi.PolicyUser{},
		PolicyRoles:  []iamapi.PolicyRole{},
		IsTruncated:  ptr(end < len(entities)),
	}
	for _, e := range entities[start:end] {
		switch e.Kind {
		case store.KindUser:
			out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: ptr(e.Name), UserId: ptr(e.ID)})
		case store.KindGroup:
			out.PolicyGroups = append(out.PolicyGroups, iamapi.PolicyGroup{GroupName: ptr(e.Name), GroupId: ptr(e.ID)})
		case store.KindRole:
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: ptr(e.Name), RoleId: ptr(e.ID)})
		}
	}
	if end < len(entities) {
		out.Marker = ptr(encodeMarker("entities", entityKey(entities[end-1])))
	}
	return out, nil
}

// entityKey orders the entities of ListEntitiesForPolicy: by kind, then id.
func entityKey(e policyEntity) string { return string(e.Kind) + "/" + e.ID }

// entityPath returns the path of a user or group, for PathPrefix.
func entityPath(tx store.Tx, e policyEntity) (string, error) {
	switch e.Kind {
	case store.KindUser:
		u, err := tx.GetUserByID(e.ID)
		return u.Path, err
	case store.KindGroup:
		g, err := tx.GetGroupByID(e.ID)
		return g.Path, err
	}
	return "", fmt.Errorf("iam: no path lookup for %s %s", e.Kind, e.Name)
}
