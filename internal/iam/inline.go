package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

var _ = family((*Service).inlineOperations)

func (s *Service) inlineOperations(t service.Table) {
	t["PutUserPolicy"] = service.Op(s.putUserPolicy)
	t["GetUserPolicy"] = service.Op(s.getUserPolicy)
	t["DeleteUserPolicy"] = service.Op(s.deleteUserPolicy)
	t["ListUserPolicies"] = service.Op(s.listUserPolicies)
	t["PutGroupPolicy"] = service.Op(s.putGroupPolicy)
	t["GetGroupPolicy"] = service.Op(s.getGroupPolicy)
	t["DeleteGroupPolicy"] = service.Op(s.deleteGroupPolicy)
	t["ListGroupPolicies"] = service.Op(s.listGroupPolicies)
	t["PutRolePolicy"] = service.Op(s.putRolePolicy)
	t["GetRolePolicy"] = service.Op(s.getRolePolicy)
	t["DeleteRolePolicy"] = service.Op(s.deleteRolePolicy)
	t["ListRolePolicies"] = service.Op(s.listRolePolicies)
}

// inlineLimit is the quota on the sum of an entity's inline policies.
func inlineLimit(k store.Kind) policy.SizeLimit {
	switch k {
	case store.KindUser:
		return policy.UserInlineLimit
	case store.KindGroup:
		return policy.GroupInlineLimit
	}
	return policy.RoleInlineLimit
}

// inlineError answers a missing inline policy as AWS does for the kind of
// entity ("The role policy with name p cannot be found.", aws-cli#6139 and
// localstack's recorded AWS responses); other errors are the store's.
func inlineError(err error, e store.Entity, name string) error {
	var se *store.Error
	if errors.As(err, &se) && se.Kind == store.KindInlinePolicy && errors.Is(err, store.ErrNotFound) {
		return wireError("NoSuchEntity", "The %s policy with name %s cannot be found.", strings.ToLower(holderWord(e.Kind)), name)
	}
	return storeError(err)
}

// putInline validates the document as an identity policy and stores it,
// adding it or replacing the entity's policy of that name, within AWS's
// quota on the size of all the entity's inline policies together.
func (s *Service) putInline(ctx context.Context, c *service.Call, e store.Entity, name, doc string) error {
	// A document over the quota on its own is refused before it is
	// parsed, as managed and trust policies are; the sum with the
	// entity's other policies is checked below.
	if err := policy.CheckSize(inlineLimit(e.Kind), e.Name, []byte(doc)); err != nil {
		return documentError(err)
	}
	if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil {
		return documentError(err)
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkModifiable(tx, c.AccountID, e); err != nil {
			return err
		}
		docs := [][]byte{[]byte(doc)}
		opts := store.ListOptions{MaxItems: 1000}
		for {
			p, err := tx.ListInlinePolicies(c.AccountID, e, opts) // and the entity exists
			if err != nil {
				return err
			}
			for _, ip := range p.Items {
				if store.FoldName(ip.Name) != store.FoldName(name) { // the one replaced does not count
					docs = append(docs, []byte(ip.Document))
				}
			}
			if !p.Truncated() {
				break
			}
			opts.Marker = p.Marker
		}
		if err := policy.CheckSize(inlineLimit(e.Kind), e.Name, docs...); err != nil {
			return documentError(err)
		}
		return tx.PutInlinePolicy(c.AccountID, e, store.InlinePolicy{Name: name, Document: doc})
	})
	return storeError(err)
}

// getInline returns the named inline policy; its document is URL-encoded,
// as IAM returns documents.
func (s *Service) getInline(ctx context.Context, c *service.Call, e store.Entity, name string) (store.InlinePolicy, error) {
	var p store.InlinePolicy
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.GetInlinePolicy(c.AccountID, e, name)
		return err
	})
	if err != nil {
		return store.InlinePolicy{}, inlineError(err, e, name)
	}
	p.Document = encodePolicyDocument(p.Document)
	return p, nil
}

func (s *Service) deleteInline(ctx context.Context, c *service.Call, e store.Entity, name string) error {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkModifiable(tx, c.AccountID, e); err != nil {
			return err
		}
		return tx.DeleteInlinePolicy(c.AccountID, e, name)
	})
	return inlineError(err, e, name)
}

// listInline lists one page of the names of an entity's inline policies.
func (s *Service) listInline(ctx context.Context, c *service.Call, e store.Entity, marker *string, maxItems *int32) ([]string, *bool, *string, error) {
	var p store.Page[store.InlinePolicy]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListInlinePolicies(c.AccountID, e, page(marker, maxItems))
		return err
	})
	if err != nil {
		return nil, nil, nil, storeError(err)
	}
	names := make([]string, 0, len(p.Items))
	for _, ip := range p.Items {
		names = append(names, ip.Name)
	}
	truncated, next := truncation(p)
	return names, truncated, next, nil
}

func (s *Service) putUserPolicy(ctx context.Context, c *service.Call, in *iamapi.PutUserPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.putInline(ctx, c, userEntity(in.UserName), in.PolicyName, in.PolicyDocument)
}

func (s *Service) getUserPolicy(ctx context.Context, c *service.Call, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
	p, err := s.getInline(ctx, c, userEntity(in.UserName), in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyResponse{UserName: in.UserName, PolicyName: p.Name, PolicyDocument: p.Document}, nil
}

func (s *Service) deleteUserPolicy(ctx context.Context, c *service.Call, in *iamapi.DeleteUserPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.deleteInline(ctx, c, userEntity(in.UserName), in.PolicyName)
}

func (s *Service) listUserPolicies(ctx context.Context, c *service.Call, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
	names, truncated, marker, err := s.listInline(ctx, c, userEntity(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesResponse{PolicyNames: names, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) putGroupPolicy(ctx context.Context, c *service.Call, in *iamapi.PutGroupPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.putInline(ctx, c, groupEntity(in.GroupName), in.PolicyName, in.PolicyDocument)
}

func (s *Service) getGroupPolicy(ctx context.Context, c *service.Call, in *iamapi.GetGroupPolicyRequest) (*iamapi.GetGroupPolicyResponse, error) {
	p, err := s.getInline(ctx, c, groupEntity(in.GroupName), in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetGroupPolicyResponse{GroupName: in.GroupName, PolicyName: p.Name, PolicyDocument: p.Document}, nil
}

func (s *Service) deleteGroupPolicy(ctx context.Context, c *service.Call, in *iamapi.DeleteGroupPolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.deleteInline(ctx, c, groupEntity(in.GroupName), in.PolicyName)
}

func (s *Service) listGroupPolicies(ctx context.Context, c *service.Call, in *iamapi.ListGroupPoliciesRequest) (*iamapi.ListGroupPoliciesResponse, error) {
	names, truncated, marker, err := s.listInline(ctx, c, groupEntity(in.GroupName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupPoliciesResponse{PolicyNames: names, IsTruncated: truncated, Marker: marker}, nil
}

func (s *Service) putRolePolicy(ctx context.Context, c *service.Call, in *iamapi.PutRolePolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.putInline(ctx, c, roleEntity(in.RoleName), in.PolicyName, in.PolicyDocument)
}

func (s *Service) getRolePolicy(ctx context.Context, c *service.Call, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	p, err := s.getInline(ctx, c, roleEntity(in.RoleName), in.PolicyName)
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyResponse{RoleName: in.RoleName, PolicyName: p.Name, PolicyDocument: p.Document}, nil
}

func (s *Service) deleteRolePolicy(ctx context.Context, c *service.Call, in *iamapi.DeleteRolePolicyRequest) (*service.Empty, error) {
	return &service.Empty{}, s.deleteInline(ctx, c, roleEntity(in.RoleName), in.PolicyName)
}

func (s *Service) listRolePolicies(ctx context.Context, c *service.Call, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	names, truncated, marker, err := s.listInline(ctx, c, roleEntity(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesResponse{PolicyNames: names, IsTruncated: truncated, Marker: marker}, nil
}
