package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/iamd/iamd/arn"
	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
	"github.com/iamd/iamd/policy/managed"
)

// AWS's quotas on managed policies (IAM User Guide, "IAM and AWS STS
// quotas").
const (
	maxAttachedPolicies = 10   // per user, group or role
	maxPolicyVersions   = 5    // per managed policy
	maxCustomerPolicies = 1500 // customer managed policies per account
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
	// awsDocument is an AWS managed policy's default version's document,
	// shared with package managed (2.6 MB for all of them, so listing
	// does not copy it).
	awsDocument []byte
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
		awsDocument:    p.Document,
	}
}

// customerPolicy renders a stored customer managed policy.
func customerPolicy(p store.Policy) managedPolicy {
	return managedPolicy{
		ARN:            p.ARN,
		Name:           p.Name,
		Path:           p.Path,
		ID:             p.ID,
		DefaultVersion: p.DefaultVersion,
		Attachable:     true,
		Description:    p.Description,
		Created:        p.Created,
		Updated:        p.Updated,
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
	p, err := tx.GetPolicy(c.AccountID, ref.ARN)
	if errors.Is(err, store.ErrNotFound) {
		return managedPolicy{}, errNoPolicy
	}
	if err != nil {
		return managedPolicy{}, err
	}
	return customerPolicy(p), nil
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

// ownPolicy parses the ARN of a policy an operation changes: a customer
// managed policy of the caller's account. AWS's own policies are refused
// as AWS refuses a write to another account's resource.
func ownPolicy(c *service.Call, action, s string) (policyARN, error) {
	ref, err := parsePolicyARN(s)
	if err != nil {
		return policyARN{}, err
	}
	if ref.AWSManaged() && ref.Partition == c.Partition {
		if _, ok := managed.ByARN(s); ok {
			return policyARN{}, accessDenied(c, action, "policy "+s)
		}
	}
	return ref, nil
}

// policyNotFound is AWS's answer to GetPolicy, TagPolicy and the other
// operations on a policy when there is none (localstack's recorded AWS
// responses; the AWS CLI's "Policy arn:aws:iam::1:policy/p was not
// found.").
func policyNotFound(arn string) error {
	return wireError("NoSuchEntity", "Policy %s was not found.", arn)
}

// versionNotFound is AWS's answer when a policy version, or its policy, is
// not there (localstack's recorded AWS responses).
func versionNotFound(arn, version string) error {
	return wireError("NoSuchEntity", "Policy %s version %s does not exist or is not attachable.", arn, version)
}

// accessDenied is AWS's answer to a change to an AWS managed policy: the
// policy belongs to AWS's account, and no resource-based policy there
// grants another account the action, so IAM refuses it as it refuses any
// cross-account IAM write. The wording is that of AWS's AccessDenied
// messages for a missing resource-based grant; the exact answer of IAM to
// an administrator deleting an AWS managed policy is not on record.
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

// checkManagedDocument validates a managed policy version's document:
// within the 6,144-character quota, then by the managed policy rules
// (Version 2012-10-17), in the order roles.go checks trust policies.
func checkManagedDocument(doc string) error {
	if err := policy.CheckSize(policy.ManagedLimit, "", []byte(doc)); err != nil {
		return documentError(err)
	}
	_, err := policy.Parse([]byte(doc), policy.Managed)
	return documentError(err)
}

// checkPolicyTags applies the tag rules the model cannot express to tags
// on a managed policy. Unlike users' and roles', policies' tag keys are
// case sensitive ("a" and "A" are two tags), and AWS's duplicate message
// says nothing about case (localstack's recorded AWS responses).
func checkPolicyTags(in []iamapi.Tag) ([]store.Tag, error) {
	seen := make(map[string]bool, len(in))
	out := make([]store.Tag, 0, len(in))
	for _, t := range in {
		if seen[t.Key] {
			return nil, wireError("InvalidInput", "Duplicate tag keys found.")
		}
		seen[t.Key] = true
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, wireError("InvalidInput", "User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS use.")
		}
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out, nil
}

var _ = family((*Service).policyOperations)

func (s *Service) policyOperations(t service.Table) {
	t["CreatePolicy"] = service.Op(s.createPolicy)
	t["GetPolicy"] = service.Op(s.getPolicy)
	t["DeletePolicy"] = service.Op(s.deletePolicy)
	t["ListPolicies"] = service.Op(s.listPolicies)
	t["CreatePolicyVersion"] = service.Op(s.createPolicyVersion)
	t["GetPolicyVersion"] = service.Op(s.getPolicyVersion)
	t["DeletePolicyVersion"] = service.Op(s.deletePolicyVersion)
	t["SetDefaultPolicyVersion"] = service.Op(s.setDefaultPolicyVersion)
	t["ListPolicyVersions"] = service.Op(s.listPolicyVersions)
	t["TagPolicy"] = service.Op(s.tagPolicy)
	t["UntagPolicy"] = service.Op(s.untagPolicy)
	t["ListPolicyTags"] = service.Op(s.listPolicyTags)
	t["ListEntitiesForPolicy"] = service.Op(s.listEntitiesForPolicy)
}

// policyUsage is how the account uses a managed policy: the entities it is
// attached to, and the users and roles whose permissions boundary it is.
type policyUsage struct {
	Attachments int
	Boundaries  int
}

// usageOf counts the account's uses of a policy.
func usageOf(tx store.Tx, account, arn string) (policyUsage, error) {
	var u policyUsage
	var err error
	if u.Attachments, err = tx.CountPolicyAttachments(account, arn); err != nil {
		return u, err
	}
	u.Boundaries, err = tx.CountPermissionsBoundaryUses(account, arn)
	return u, err
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

// createPolicy creates a customer managed policy with its document as the
// default version v1. The response carries the tags given, but not the
// description, which only GetPolicy returns (localstack's recorded AWS
// responses).
func (s *Service) createPolicy(ctx context.Context, c *service.Call, in *iamapi.CreatePolicyRequest) (*iamapi.CreatePolicyResponse, error) {
	tags, err := checkPolicyTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	p := store.Policy{
		Account:        c.AccountID,
		ID:             awsid.Unique(awsid.ManagedPolicy),
		Name:           in.PolicyName,
		Path:           path,
		ARN:            managedPolicyARN(c.Partition, c.AccountID, path, in.PolicyName),
		Description:    str(in.Description),
		Created:        c.Now,
		Updated:        c.Now,
		DefaultVersion: "v1",
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.CountPolicies(c.AccountID)
		if err != nil {
			return err
		}
		if n >= maxCustomerPolicies {
			// The quota's name follows AWS's UsersPerAccount and
			// RolesPerAccount messages; this one is not on record.
			return wireError("LimitExceeded", "Cannot exceed quota for PoliciesPerAccount: %d", maxCustomerPolicies)
		}
		if err := tx.CreatePolicy(p, in.PolicyDocument); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				return wireError("EntityAlreadyExists", "A policy called %s already exists. Duplicate names are not allowed.", in.PolicyName)
			}
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(store.ResourceRef{Account: c.AccountID, Kind: store.KindPolicy, ID: p.ID}, tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := apiPolicy(customerPolicy(p), policyUsage{})
	out.Tags = apiTags(tags)
	return &iamapi.CreatePolicyResponse{Policy: &out}, nil
}

func (s *Service) getPolicy(ctx context.Context, c *service.Call, in *iamapi.GetPolicyRequest) (*iamapi.GetPolicyResponse, error) {
	var out iamapi.Policy
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := findPolicy(tx, c, in.PolicyArn)
		if err != nil {
			return err
		}
		u, err := usageOf(tx, c.AccountID, p.ARN)
		if err != nil {
			return err
		}
		out = apiPolicy(p, u)
		if p.Description != "" {
			out.Description = ptr(p.Description)
		}
		// GetPolicy answers an empty Tags element for a policy without
		// tags (localstack's recorded AWS responses), AWS managed ones
		// included.
		out.Tags = []iamapi.Tag{}
		if !p.AWSManaged {
			tags, err := allTags(tx, store.ResourceRef{Account: c.AccountID, Kind: store.KindPolicy, ID: p.ID})
			if err != nil {
				return err
			}
			out.Tags = append(out.Tags, apiTags(tags)...)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetPolicyResponse{Policy: &out}, nil
}

// deletePolicy deletes a customer managed policy and its default version.
// AWS refuses while the policy is attached, or is a user's or role's
// permissions boundary (gruntwork-io/cloud-nuke#972: "Cannot delete a
// policy attached to entities."), and while versions other than the
// default remain.
func (s *Service) deletePolicy(ctx context.Context, c *service.Call, in *iamapi.DeletePolicyRequest) (*service.Empty, error) {
	ref, err := ownPolicy(c, "DeletePolicy", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := lookupPolicy(tx, c, ref); err != nil {
			return err
		}
		deps, err := tx.PolicyDependencies(c.AccountID, ref.ARN)
		if err != nil {
			return err
		}
		switch {
		case deps.Attachments > 0 || deps.BoundaryUses > 0:
			return wireError("DeleteConflict", "Cannot delete a policy attached to entities.")
		case deps.NonDefaultVersions > 0:
			return wireError("DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		return tx.DeletePolicy(c.AccountID, ref.ARN)
	})
	if errors.Is(err, errNoPolicy) {
		return nil, policyNotFound(in.PolicyArn)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// policyVersion is one version of a managed policy.
type policyVersion struct {
	ID       string // "v1", "v2", ...
	Document string
	Default  bool
	Created  time.Time
}

// awsDefaultVersion is the one version iamd has of an AWS managed policy:
// the catalog AWS publishes holds the default version only.
func awsDefaultVersion(p managedPolicy) policyVersion {
	return policyVersion{ID: p.DefaultVersion, Document: string(p.awsDocument), Default: true, Created: p.Updated}
}

func storedVersion(v store.PolicyVersion) policyVersion {
	return policyVersion{ID: v.ID, Document: v.Document, Default: v.IsDefault, Created: v.Created}
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

// createPolicyVersion adds a version to a customer managed policy, within
// AWS's quota of five versions, and makes it the default if asked. The
// response carries no document (localstack's recorded AWS responses).
func (s *Service) createPolicyVersion(ctx context.Context, c *service.Call, in *iamapi.CreatePolicyVersionRequest) (*iamapi.CreatePolicyVersionResponse, error) {
	ref, err := ownPolicy(c, "CreatePolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	if err := checkManagedDocument(in.PolicyDocument); err != nil {
		return nil, err
	}
	var v store.PolicyVersion
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := lookupPolicy(tx, c, ref); err != nil {
			return err
		}
		n, err := tx.CountPolicyVersions(c.AccountID, ref.ARN)
		if err != nil {
			return err
		}
		if n >= maxPolicyVersions {
			return wireError("LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
		}
		v, err = tx.CreatePolicyVersion(c.AccountID, ref.ARN, in.PolicyDocument, c.Now, in.SetAsDefault != nil && *in.SetAsDefault)
		return err
	})
	if errors.Is(err, errNoPolicy) {
		return nil, policyNotFound(in.PolicyArn)
	}
	if err != nil {
		return nil, storeError(err)
	}
	out := apiVersion(storedVersion(v), false)
	return &iamapi.CreatePolicyVersionResponse{PolicyVersion: &out}, nil
}

// policyVersionOf finds one version of a policy; errNoPolicy when the
// policy or the version is not there.
func policyVersionOf(tx store.Tx, c *service.Call, ref policyARN, id string) (policyVersion, error) {
	p, err := lookupPolicy(tx, c, ref)
	if err != nil {
		return policyVersion{}, err
	}
	if p.AWSManaged {
		if v := awsDefaultVersion(p); v.ID == id {
			return v, nil
		}
		return policyVersion{}, errNoPolicy
	}
	v, err := tx.GetPolicyVersion(c.AccountID, p.ARN, id)
	if errors.Is(err, store.ErrNotFound) {
		return policyVersion{}, errNoPolicy
	}
	return storedVersion(v), err
}

func (s *Service) getPolicyVersion(ctx context.Context, c *service.Call, in *iamapi.GetPolicyVersionRequest) (*iamapi.GetPolicyVersionResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	var v policyVersion
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		v, err = policyVersionOf(tx, c, ref, in.VersionId)
		return err
	})
	if errors.Is(err, errNoPolicy) {
		return nil, versionNotFound(in.PolicyArn, in.VersionId)
	}
	if err != nil {
		return nil, storeError(err)
	}
	out := apiVersion(v, true)
	return &iamapi.GetPolicyVersionResponse{PolicyVersion: &out}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, c *service.Call, in *iamapi.DeletePolicyVersionRequest) (*service.Empty, error) {
	ref, err := ownPolicy(c, "DeletePolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		v, err := policyVersionOf(tx, c, ref, in.VersionId)
		if err != nil {
			return err
		}
		if v.Default {
			return wireError("DeleteConflict", "Cannot delete the default version of a policy.")
		}
		return tx.DeletePolicyVersion(c.AccountID, ref.ARN, in.VersionId)
	})
	if errors.Is(err, errNoPolicy) {
		return nil, versionNotFound(in.PolicyArn, in.VersionId)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, c *service.Call, in *iamapi.SetDefaultPolicyVersionRequest) (*service.Empty, error) {
	ref, err := ownPolicy(c, "SetDefaultPolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		v, err := policyVersionOf(tx, c, ref, in.VersionId)
		if err != nil || v.Default {
			return err
		}
		return tx.SetDefaultPolicyVersion(c.AccountID, ref.ARN, in.VersionId, c.Now)
	})
	if errors.Is(err, errNoPolicy) {
		return nil, versionNotFound(in.PolicyArn, in.VersionId)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// listPolicyVersions lists a policy's versions, newest first (localstack's
// recorded AWS responses).
func (s *Service) listPolicyVersions(ctx context.Context, c *service.Call, in *iamapi.ListPolicyVersionsRequest) (*iamapi.ListPolicyVersionsResponse, error) {
	var vs []policyVersion
	var next string
	err := s.store.View(ctx, func(tx store.Tx) error {
		vs, next = vs[:0], ""
		p, err := findPolicy(tx, c, in.PolicyArn)
		if err != nil {
			return err
		}
		if p.AWSManaged {
			if str(in.Marker) != "" {
				return badMarker()
			}
			vs = append(vs, awsDefaultVersion(p))
			return nil
		}
		pg, err := tx.ListPolicyVersions(c.AccountID, p.ARN, page(in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		for _, v := range pg.Items {
			vs = append(vs, storedVersion(v))
		}
		next = pg.Marker
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListPolicyVersionsResponse{Versions: make([]iamapi.PolicyVersion, 0, len(vs)), IsTruncated: ptr(next != "")}
	for _, v := range vs {
		out.Versions = append(out.Versions, apiVersion(v, false))
	}
	if next != "" {
		out.Marker = ptr(next)
	}
	return out, nil
}

// taggedPolicy finds the customer managed policy a tag operation acts on.
func taggedPolicy(tx store.Tx, c *service.Call, ref policyARN) (store.ResourceRef, error) {
	p, err := lookupPolicy(tx, c, ref)
	if errors.Is(err, errNoPolicy) {
		return store.ResourceRef{}, policyNotFound(ref.ARN)
	}
	if err != nil {
		return store.ResourceRef{}, err
	}
	return store.ResourceRef{Account: c.AccountID, Kind: store.KindPolicy, ID: p.ID}, nil
}

func (s *Service) tagPolicy(ctx context.Context, c *service.Call, in *iamapi.TagPolicyRequest) (*service.Empty, error) {
	ref, err := ownPolicy(c, "TagPolicy", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	tags, err := checkPolicyTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		r, err := taggedPolicy(tx, c, ref)
		if err != nil {
			return err
		}
		return tagResource(tx, r, tags, "Policy")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagPolicy(ctx context.Context, c *service.Call, in *iamapi.UntagPolicyRequest) (*service.Empty, error) {
	ref, err := ownPolicy(c, "UntagPolicy", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	return s.untagResource(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		r, err := taggedPolicy(tx, c, ref)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return r, nil
	}, in.TagKeys)
}

// listPolicyTags lists a customer managed policy's tags; an AWS managed
// policy has none.
func (s *Service) listPolicyTags(ctx context.Context, c *service.Call, in *iamapi.ListPolicyTagsRequest) (*iamapi.ListPolicyTagsResponse, error) {
	var p store.Page[store.Tag]
	err := s.store.View(ctx, func(tx store.Tx) error {
		mp, err := findPolicy(tx, c, in.PolicyArn)
		if err != nil || mp.AWSManaged {
			p = store.Page[store.Tag]{}
			return err
		}
		p, err = tx.ListTags(store.ResourceRef{Account: c.AccountID, Kind: store.KindPolicy, ID: mp.ID}, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListPolicyTagsResponse{Tags: apiTags(p.Items)}
	if out.Tags == nil {
		out.Tags = []iamapi.Tag{}
	}
	out.IsTruncated, out.Marker = truncation(p)
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

// policyLister gathers one page of ListPolicies: the AWS managed policies
// (by name), then the account's customer managed ones (in the store's
// order).
type policyLister struct {
	tx     store.Tx
	c      *service.Call
	prefix string
	use    store.PolicyUse
	limit  int
	out    []iamapi.Policy
}

// policyUse maps ListPolicies' OnlyAttached and PolicyUsageFilter onto the
// store's filter: OnlyAttached keeps the policies attached to an entity or
// used as a boundary, or only one of the two when PolicyUsageFilter names
// it; without OnlyAttached every policy is listed.
func policyUse(onlyAttached bool, usage string) store.PolicyUse {
	switch {
	case !onlyAttached:
		return store.AnyUse
	case usage == iamapi.PolicyUsageTypePermissionsPolicy:
		return store.AttachedAsPermissions
	case usage == iamapi.PolicyUsageTypePermissionsBoundary:
		return store.UsedAsBoundary
	}
	return store.AttachedOrBoundary
}

// keeps reports whether the use filter keeps a policy used so.
func keeps(use store.PolicyUse, u policyUsage) bool {
	switch use {
	case store.AttachedOrBoundary:
		return u.Attachments > 0 || u.Boundaries > 0
	case store.AttachedAsPermissions:
		return u.Attachments > 0
	case store.UsedAsBoundary:
		return u.Boundaries > 0
	}
	return true
}

// awsPart adds the AWS managed policies after the named one and returns
// the marker key of the next page, "" when the AWS managed policies end
// within this page.
func (l *policyLister) awsPart(after string) (string, error) {
	all := awsPolicies()
	for i := sort.Search(len(all), func(i int) bool { return all[i].Name > after }); i < len(all); i++ {
		if !strings.HasPrefix(all[i].Path, l.prefix) {
			continue
		}
		p := awsManagedPolicy(l.c.Partition, all[i])
		var u policyUsage
		var err error
		if u.Attachments, err = l.tx.CountPolicyAttachments(l.c.AccountID, p.ARN); err != nil {
			return "", err
		}
		if l.use == store.AttachedAsPermissions && u.Attachments == 0 {
			continue // no need to count its boundary uses
		}
		if u.Boundaries, err = l.tx.CountPermissionsBoundaryUses(l.c.AccountID, p.ARN); err != nil {
			return "", err
		}
		if !keeps(l.use, u) {
			continue
		}
		if len(l.out) == l.limit { // one more exists: the page is full
			return "aws:" + *l.out[l.limit-1].PolicyName, nil
		}
		l.out = append(l.out, apiPolicy(p, u))
	}
	return "", nil
}

// localPart fills the page with the account's customer managed policies
// from the store's marker on, and returns the marker key of the next page.
// The store applies the filters, so one read fills the page.
func (l *policyLister) localPart(marker string) (string, error) {
	if len(l.out) == l.limit {
		return "local:" + marker, nil
	}
	p, err := l.tx.ListPolicies(l.c.AccountID, store.PolicyListOptions{
		PathPrefix: l.prefix, Use: l.use, Marker: marker, MaxItems: l.limit - len(l.out),
	})
	if err != nil {
		return "", err
	}
	for _, sp := range p.Items {
		l.out = append(l.out, apiPolicy(customerPolicy(sp), policyUsage{Attachments: sp.AttachmentCount, Boundaries: sp.PermissionsBoundaryUsageCount}))
	}
	if p.Marker == "" {
		return "", nil
	}
	return "local:" + p.Marker, nil
}

// listPolicies lists the AWS managed and customer managed policies,
// filtered by scope, path and use. Its marker says which part the next
// page starts in, and where.
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
	case part != "aws" && part != "local", part == "aws" && scope == iamapi.PolicyScopeTypeLocal:
		return nil, badMarker()
	}
	var next string
	var out []iamapi.Policy
	err = s.store.View(ctx, func(tx store.Tx) error {
		l := &policyLister{
			tx: tx, c: c, prefix: pathOr(in.PathPrefix), limit: pageSize(in.MaxItems),
			use: policyUse(in.OnlyAttached != nil && *in.OnlyAttached, str(in.PolicyUsageFilter)),
		}
		var err error
		next, out = "", nil
		if part == "aws" {
			next, err = l.awsPart(after)
			if err != nil || next != "" || scope == iamapi.PolicyScopeTypeAws {
				out = l.out
				return err
			}
			after = ""
		}
		next, err = l.localPart(after)
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

// forEachBounded calls fn for each user and role of the account under the
// path prefix that has a permissions boundary. The store has no list of
// the users and roles by boundary, so this reads the account's users and
// roles.
func forEachBounded(tx store.Tx, account, prefix string, fn func(e policyEntity, boundary string)) error {
	opts := store.PathListOptions{PathPrefix: prefix, MaxItems: 1000}
	for {
		p, err := tx.ListUsers(account, opts)
		if err != nil {
			return err
		}
		for _, u := range p.Items {
			if u.PermissionsBoundary != "" {
				fn(policyEntity{Kind: store.KindUser, Name: u.Name, ID: u.ID}, u.PermissionsBoundary)
			}
		}
		if !p.Truncated() {
			break
		}
		opts.Marker = p.Marker
	}
	opts.Marker = ""
	for {
		p, err := tx.ListRoles(account, opts)
		if err != nil {
			return err
		}
		for _, r := range p.Items {
			if r.PermissionsBoundary != "" {
				fn(policyEntity{Kind: store.KindRole, Name: r.Name, ID: r.ID}, r.PermissionsBoundary)
			}
		}
		if !p.Truncated() {
			return nil
		}
		opts.Marker = p.Marker
	}
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
		if err != nil || kind == "none" {
			return err
		}
		seen := map[string]bool{}
		add := func(e policyEntity) {
			if !seen[e.ID] && (kind == "" || e.Kind == kind) {
				seen[e.ID] = true
				entities = append(entities, e)
			}
		}
		if usage != iamapi.PolicyUsageTypePermissionsBoundary {
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
		if usage != iamapi.PolicyUsageTypePermissionsPolicy {
			err := forEachBounded(tx, c.AccountID, prefix, func(e policyEntity, boundary string) {
				if boundary == p.ARN {
					add(e)
				}
			})
			if err != nil {
				return err
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

// entityPath returns the path of a user, group or role, for PathPrefix.
func entityPath(tx store.Tx, e policyEntity) (string, error) {
	switch e.Kind {
	case store.KindUser:
		u, err := tx.GetUserByID(e.ID)
		return u.Path, err
	case store.KindGroup:
		g, err := tx.GetGroupByID(e.ID)
		return g.Path, err
	case store.KindRole:
		r, err := tx.GetRoleByID(e.ID)
		return r.Path, err
	}
	return "", fmt.Errorf("iam: no path lookup for %s %s", e.Kind, e.Name)
}
