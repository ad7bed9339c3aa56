package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/policy"
)

var _ = family((*Service).roleOperations)

// AWS's messages for roles (GetRole, CreateRole, as the AWS CLI prints
// them, e.g. databrickslabs/ucx#1711).
var _ = entity(store.KindRole, "The role with name %s cannot be found.", "Role with name %s already exists.")

// AWS's role quotas and defaults (IAM User Guide, "IAM and AWS STS quotas";
// CreateRole's API reference for the session duration).
const (
	maxRolesPerAccount        = 1000
	defaultMaxSessionDuration = 3600
)

func (s *Service) roleOperations(t service.Table) {
	t["CreateRole"] = service.Op(s.createRole)
	t["GetRole"] = service.Op(s.getRole)
	t["UpdateRole"] = service.Op(s.updateRole)
	t["UpdateRoleDescription"] = service.Op(s.updateRoleDescription)
	t["DeleteRole"] = service.Op(s.deleteRole)
	t["ListRoles"] = service.Op(s.listRoles)
	t["UpdateAssumeRolePolicy"] = service.Op(s.updateAssumeRolePolicy)
	t["TagRole"] = service.Op(s.tagRole)
	t["UntagRole"] = service.Op(s.untagRole)
	t["ListRoleTags"] = service.Op(s.listRoleTags)
	t["PutRolePermissionsBoundary"] = service.Op(s.putRolePermissionsBoundary)
	t["DeleteRolePermissionsBoundary"] = service.Op(s.deleteRolePermissionsBoundary)
}

// roleARN is the ARN of an IAM role.
func roleARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role%s%s", partition, account, path, name)
}

func roleRef(r store.Role) store.ResourceRef {
	return store.ResourceRef{Account: r.Account, Kind: store.KindRole, ID: r.ID}
}

// apiRole renders a stored role as ListRoles and the instance profile
// operations return it: without its tags, boundary and last use, which
// the list operations leave out (ListRoles' API reference).
func apiRole(c *service.Call, r store.Role) iamapi.Role {
	out := iamapi.Role{
		Path:                     r.Path,
		RoleName:                 r.Name,
		RoleId:                   r.ID,
		Arn:                      roleARN(c.Partition, r.Account, r.Path, r.Name),
		CreateDate:               r.Created,
		AssumeRolePolicyDocument: ptr(encodePolicyDocument(r.AssumeRolePolicy)),
		MaxSessionDuration:       ptr(int32(r.MaxSessionDuration)),
	}
	if r.Description != "" {
		out.Description = ptr(r.Description)
	}
	return out
}

// apiRoleDetail renders a role as GetRole does: with its tags, its
// boundary and RoleLastUsed, which is an empty element until the role is
// first used (as the AWS CLI shows it, "RoleLastUsed": {}).
func apiRoleDetail(c *service.Call, r store.Role, tags []store.Tag) iamapi.Role {
	out := apiRole(c, r)
	out.Tags = apiTags(tags)
	out.PermissionsBoundary = apiBoundary(r.PermissionsBoundary)
	out.RoleLastUsed = &iamapi.RoleLastUsed{}
	if !r.LastUsed.IsZero() {
		out.RoleLastUsed.LastUsedDate = ptr(r.LastUsed)
		out.RoleLastUsed.Region = ptr(r.LastUsedRegion)
	}
	return out
}

// isServiceLinked reports whether a role is service-linked. Only
// CreateServiceLinkedRole puts a role under /aws-service-role/ (CreateRole
// refuses the prefix), so the path tells.
func isServiceLinked(r store.Role) bool {
	return strings.HasPrefix(r.Path, serviceLinkedPath)
}

// protectedRole is AWS's answer to a change it reserves for the service a
// role is linked to (aws-nuke#331 and #49 quote it for DeleteRolePolicy and
// DetachRolePolicy on service-linked roles).
func protectedRole(name string) error {
	return wireError("UnmodifiableEntity", "Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", name)
}

// checkTrustPolicy validates a role trust policy as CreateRole and
// UpdateAssumeRolePolicy do: within the ACLSizePerRole quota, then as a
// trust policy (Principal required, no Resource, STS actions only).
func checkTrustPolicy(doc string) error {
	if err := policy.CheckSize(policy.TrustPolicyLimit, "", []byte(doc)); err != nil {
		return documentError(err)
	}
	if _, err := policy.Parse([]byte(doc), policy.Trust); err != nil {
		return documentError(err)
	}
	return nil
}

// createRoleTx stores a new role within the account's quota of roles.
func createRoleTx(tx store.Tx, r store.Role) error {
	n, err := tx.CountRoles(r.Account)
	if err != nil {
		return err
	}
	if n >= maxRolesPerAccount {
		return wireError("LimitExceeded", "Cannot exceed quota for RolesPerAccount: %d", maxRolesPerAccount)
	}
	return tx.CreateRole(r)
}

func (s *Service) createRole(ctx context.Context, c *service.Call, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	path := pathOr(in.Path)
	if strings.HasPrefix(path, serviceLinkedPath) {
		return nil, wireError("InvalidInput", "Path prefix '%s' can only be used for AWS Service linked Roles", serviceLinkedPath)
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	if err := checkTrustPolicy(in.AssumeRolePolicyDocument); err != nil {
		return nil, err
	}
	r := store.Role{
		Account:            c.AccountID,
		ID:                 awsid.Unique(awsid.Role),
		Name:               in.RoleName,
		Path:               path,
		Created:            c.Now,
		AssumeRolePolicy:   in.AssumeRolePolicyDocument,
		Description:        str(in.Description),
		MaxSessionDuration: defaultMaxSessionDuration,
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = int(*in.MaxSessionDuration)
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != nil {
			arn, err := boundaryPolicy(tx, c, *in.PermissionsBoundary)
			if err != nil {
				return err
			}
			r.PermissionsBoundary = arn
		}
		if err := createRoleTx(tx, r); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(roleRef(r), tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := apiRole(c, r)
	out.Tags = apiTags(tags)
	out.PermissionsBoundary = apiBoundary(r.PermissionsBoundary)
	return &iamapi.CreateRoleResponse{Role: out}, nil
}

// roleWithTags reads a role and its tags in one transaction.
func roleWithTags(tx store.Tx, account, name string) (store.Role, []store.Tag, error) {
	r, err := tx.GetRole(account, name)
	if err != nil {
		return r, nil, err
	}
	tags, err := allTags(tx, roleRef(r))
	return r, tags, err
}

func (s *Service) getRole(ctx context.Context, c *service.Call, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	var r store.Role
	var tags []store.Tag
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		r, tags, err = roleWithTags(tx, c.AccountID, in.RoleName)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetRoleResponse{Role: apiRoleDetail(c, r, tags)}, nil
}

// updateRoleTx applies an update to a role. The description of a
// service-linked role is the customer's to edit (the IAM User Guide's
// "Editing a service-linked role description"); anything else of it is the
// service's.
func updateRoleTx(tx store.Tx, account, name string, upd store.RoleUpdate) (store.Role, error) {
	r, err := tx.GetRole(account, name)
	if err != nil {
		return r, err
	}
	if isServiceLinked(r) && (upd.MaxSessionDuration != 0 || upd.AssumeRolePolicy != "") {
		return r, protectedRole(r.Name)
	}
	if upd == (store.RoleUpdate{}) {
		return r, nil
	}
	return tx.UpdateRole(account, name, upd)
}

func (s *Service) updateRole(ctx context.Context, c *service.Call, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	upd := store.RoleUpdate{Description: in.Description}
	if in.MaxSessionDuration != nil {
		upd.MaxSessionDuration = int(*in.MaxSessionDuration)
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		_, err := updateRoleTx(tx, c.AccountID, in.RoleName, upd)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

// updateRoleDescription is the older form of UpdateRole for the
// description alone; it answers the updated role.
func (s *Service) updateRoleDescription(ctx context.Context, c *service.Call, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	var r store.Role
	var tags []store.Tag
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = updateRoleTx(tx, c.AccountID, in.RoleName, store.RoleUpdate{Description: &in.Description}); err != nil {
			return err
		}
		tags, err = allTags(tx, roleRef(r))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := apiRoleDetail(c, r, tags)
	return &iamapi.UpdateRoleDescriptionResponse{Role: &out}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, c *service.Call, in *iamapi.UpdateAssumeRolePolicyRequest) (*service.Empty, error) {
	if err := checkTrustPolicy(in.PolicyDocument); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		_, err := updateRoleTx(tx, c.AccountID, in.RoleName, store.RoleUpdate{AssumeRolePolicy: in.PolicyDocument})
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteRole(ctx context.Context, c *service.Call, in *iamapi.DeleteRoleRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if isServiceLinked(r) {
			// Only the service deletes it, through DeleteServiceLinkedRole.
			return protectedRole(r.Name)
		}
		deps, err := tx.RoleDependencies(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if msg := roleConflict(deps); msg != "" {
			return wireError("DeleteConflict", "Cannot delete entity, must %s first.", msg)
		}
		return tx.DeleteRole(c.AccountID, in.RoleName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// roleConflict names what must go first, in the order DeleteRole's API
// reference lists a role's dependents, with AWS's wording.
func roleConflict(d store.RoleDependencies) string {
	switch {
	case d.InlinePolicies > 0:
		return "delete policies"
	case d.AttachedPolicies > 0:
		return "detach all policies"
	case d.InstanceProfiles > 0:
		return "remove roles from instance profile"
	}
	return ""
}

func (s *Service) listRoles(ctx context.Context, c *service.Call, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	var p store.Page[store.Role]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListRoles(c.AccountID, pathPage(in.PathPrefix, in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListRolesResponse{Roles: make([]iamapi.Role, 0, len(p.Items))}
	for _, r := range p.Items {
		out.Roles = append(out.Roles, apiRole(c, r))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

func (s *Service) tagRole(ctx context.Context, c *service.Call, in *iamapi.TagRoleRequest) (*service.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		return tagResource(tx, roleRef(r), tags, "Role")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagRole(ctx context.Context, c *service.Call, in *iamapi.UntagRoleRequest) (*service.Empty, error) {
	return s.untagResource(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return roleRef(r), nil
	}, in.TagKeys)
}

func (s *Service) listRoleTags(ctx context.Context, c *service.Call, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	tp, err := s.listResourceTags(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return roleRef(r), nil
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRoleTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}

// putRolePermissionsBoundary sets a role's boundary to a managed policy
// the account can use (see boundaryPolicy for AWS's answers when it
// cannot).
func (s *Service) putRolePermissionsBoundary(ctx context.Context, c *service.Call, in *iamapi.PutRolePermissionsBoundaryRequest) (*service.Empty, error) {
	if _, err := parsePolicyARN(in.PermissionsBoundary); err != nil {
		return nil, err
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if isServiceLinked(r) {
			return protectedRole(r.Name)
		}
		arn, err := boundaryPolicy(tx, c, in.PermissionsBoundary)
		if err != nil {
			return err
		}
		return tx.SetRolePermissionsBoundary(c.AccountID, in.RoleName, arn)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// deleteRolePermissionsBoundary removes a role's boundary; a role without
// one is left as it is.
func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, c *service.Call, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if isServiceLinked(r) {
			return protectedRole(r.Name)
		}
		return tx.SetRolePermissionsBoundary(c.AccountID, in.RoleName, "")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}
