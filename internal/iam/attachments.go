package iam

import (
	"context"
	"strings"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).attachmentOperations)

// A detach of a policy the entity does not have names the policy, as AWS
// does (localstack's recorded AWS responses: "Policy
// arn:aws:iam::111111111111:policy/p was not found.").
var _ = entity(store.KindAttachment, "Policy %s was not found.", "")

func (s *Service) attachmentOperations(t service.Table) {
	t["AttachUserPolicy"] = service.Op(s.attachUserPolicy)
	t["DetachUserPolicy"] = service.Op(s.detachUserPolicy)
	t["ListAttachedUserPolicies"] = service.Op(s.listAttachedUserPolicies)
	t["AttachGroupPolicy"] = service.Op(s.attachGroupPolicy)
	t["DetachGroupPolicy"] = service.Op(s.detachGroupPolicy)
	t["ListAttachedGroupPolicies"] = service.Op(s.listAttachedGroupPolicies)
	t["AttachRolePolicy"] = service.Op(s.attachRolePolicy)
	t["DetachRolePolicy"] = service.Op(s.detachRolePolicy)
	t["ListAttachedRolePolicies"] = service.Op(s.listAttachedRolePolicies)
}

// holderWord is how AWS's quota names and messages spell each kind of
// policy holder ("PoliciesPerUser", "Customer Role").
func holderWord(k store.Kind) string {
	switch k {
	case store.KindUser:
		return "User"
	case store.KindGroup:
		return "Group"
	}
	return "Role"
}

// attach attaches a managed policy to a user, group or role: idempotent,
// within AWS's quota of 10 managed policies per entity.
func (s *Service) attach(ctx context.Context, c *service.Call, e store.Entity, policyARN string) error {
	ref, err := parsePolicyARN(policyARN)
	if err != nil {
		return err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkModifiable(tx, c.AccountID, e); err != nil {
			return err
		}
		n, err := tx.CountAttachedPolicies(c.AccountID, e) // and the entity exists
		if err != nil {
			return err
		}
		p, err := attachablePolicy(tx, c, ref)
		if err != nil {
			return err
		}
		if p.AWSManaged && strings.HasPrefix(p.Path, "/aws-service-role/") {
			// Policies of service-linked roles are for those roles only
			// (aws-cdk#6131: "Cannot attach a Service Role Policy to a
			// Customer Role.", PolicyNotAttachable). The user and group
			// wordings follow the role's; AWS's are not on record.
			return wireError("PolicyNotAttachable", "Cannot attach a Service Role Policy to a Customer %s.", holderWord(e.Kind))
		}
		if n >= maxAttachedPolicies {
			attached, err := isAttached(tx, c.AccountID, e, p.ARN)
			if err != nil {
				return err
			}
			if !attached {
				return wireError("LimitExceeded", "Cannot exceed quota for PoliciesPer%s: %d", holderWord(e.Kind), maxAttachedPolicies)
			}
		}
		return tx.AttachPolicy(c.AccountID, e, store.AttachedPolicy{ARN: p.ARN, Name: p.Name, Path: p.Path})
	})
	return storeError(err)
}

// checkModifiable refuses a change to the policies of a service-linked
// role, which only the role's service makes (see protectedRole).
func checkModifiable(tx store.Tx, account string, e store.Entity) error {
	if e.Kind != store.KindRole {
		return nil
	}
	r, err := tx.GetRole(account, e.Name)
	if err != nil {
		return err
	}
	if isServiceLinked(r) {
		return protectedRole(r.Name)
	}
	return nil
}

// isAttached reports whether the entity has the policy, so that attaching
// it again at the quota stays the no-op an attach of an attached policy is.
func isAttached(tx store.Tx, account string, e store.Entity, policyARN string) (bool, error) {
	p, err := tx.ListAttachedPolicies(account, e, store.PathListOptions{MaxItems: 1000})
	if err != nil {
		return false, err
	}
	for _, a := range p.Items {
		if a.ARN == policyARN {
			return true, nil
		}
	}
	return false, nil
}

// detach detaches a managed policy. The ARN is checked for form first, as
// AWS does; an entity that does not have the policy answers NoSuchEntity
// naming the policy.
func (s *Service) detach(ctx context.Context, c *service.Call, e store.Entity, policyARN string) error {
	if _, err := parsePolicyARN(policyARN); err != nil {
		return err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkModifiable(tx, c.AccountID, e); err != nil {
			return err
		}
		return tx.DetachPolicy(c.AccountID, e, policyARN)
	})
	return storeError(err)
}

// listAttached lists one page of an entity's attached managed policies.
func (s *Service) listAttached(ctx context.Context, c *service.Call, e store.Entity, prefix, marker *string, maxItems *int32) ([]iamapi.AttachedPolicy, *bool, *string, error) {
	var p store.Page[store.AttachedPolicy]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListAttachedPolicies(c.AccountID, e, pathPage(prefix, marker, maxItems))
		return err
	})
	if err != nil {
		return nil, nil, nil, storeError(err)
	}
	out := make([]iamapi.AttachedPolicy, 0, len(p.Items))
	for _, a := range p.Items {
		out = append(out, iamapi.AttachedPolicy{PolicyName: ptr(a.Name), PolicyArn: ptr(a.ARN)})
	}
	truncated, next := truncation(p)
	return out, truncated, next, nil
}

func userEntity(name string) store.Entity  { return store.Entity{Kind: store.KindUser, Name: name} }
func groupEntity(name string) store.Entity { return store.Entity{Kind: store.KindGroup, Name: name} }
func roleEntity(name string) store.Entity  { return store.Entity{Kind: store.KindRole, Name: name} }

func (s *Service) attachUserPolicy(ctx context.Context, c *service.Call, in *iamapi.AttachUserPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.attach(ctx, c, userEntity(in.UserName), in.PolicyArn)
}

func (s *Service) detachUserPolicy(ctx context.Context, c *service.Call, in *iamapi.DetachUserPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.detach(ctx, c, userEntity(in.UserName), in.PolicyArn)
}

func (s *Service) listAttachedUserPolicies(ctx context.Context, c *service.Call, in *iamapi.ListAttachedUserPoliciesRequest) (*iamapi.ListAttachedUserPoliciesResponse, error) {
	items, truncated, marker, err := s.listAttached(ctx, c, userEntity(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: items, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) attachGroupPolicy(ctx context.Context, c *service.Call, in *iamapi.AttachGroupPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.attach(ctx, c, groupEntity(in.GroupName), in.PolicyArn)
}

func (s *Service) detachGroupPolicy(ctx context.Context, c *service.Call, in *iamapi.DetachGroupPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.detach(ctx, c, groupEntity(in.GroupName), in.PolicyArn)
}

func (s *Service) listAttachedGroupPolicies(ctx context.Context, c *service.Call, in *iamapi.ListAttachedGroupPoliciesRequest) (*iamapi.ListAttachedGroupPoliciesResponse, error) {
	items, truncated, marker, err := s.listAttached(ctx, c, groupEntity(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedGroupPoliciesResponse{AttachedPolicies: items, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) attachRolePolicy(ctx context.Context, c *service.Call, in *iamapi.AttachRolePolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.attach(ctx, c, roleEntity(in.RoleName), in.PolicyArn)
}

func (s *Service) detachRolePolicy(ctx context.Context, c *service.Call, in *iamapi.DetachRolePolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.detach(ctx, c, roleEntity(in.RoleName), in.PolicyArn)
}

func (s *Service) listAttachedRolePolicies(ctx context.Context, c *service.Call, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	items, truncated, marker, err := s.listAttached(ctx, c, roleEntity(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: items, IsTruncated: truncated, Marker: marker}, nil
}
