package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).instanceProfileOperations)

// AWS's messages for instance profiles, as the SDKs print them
// (skyplane#724: "Instance Profile skyplane-aws-f5bf0b19_profile cannot be
// found."; AWSGoat#49: "Instance Profile AWS_GOAT_ec2_profile already
// exists.").
var _ = entity(store.KindInstanceProfile, "Instance Profile %s cannot be found.", "Instance Profile %s already exists.")

// AWS's instance profile quotas (IAM User Guide, "IAM and AWS STS quotas").
// The one-role limit's message is AWS's (karpenter and Terraform match on
// "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1").
const (
	maxInstanceProfilesPerAccount = 1000
	maxRolesPerInstanceProfile    = 1
)

func (s *Service) instanceProfileOperations(t service.Table) {
	t["CreateInstanceProfile"] = service.Op(s.createInstanceProfile)
	t["GetInstanceProfile"] = service.Op(s.getInstanceProfile)
	t["DeleteInstanceProfile"] = service.Op(s.deleteInstanceProfile)
	t["ListInstanceProfiles"] = service.Op(s.listInstanceProfiles)
	t["AddRoleToInstanceProfile"] = service.Op(s.addRoleToInstanceProfile)
	t["RemoveRoleFromInstanceProfile"] = service.Op(s.removeRoleFromInstanceProfile)
	t["ListInstanceProfilesForRole"] = service.Op(s.listInstanceProfilesForRole)
	t["TagInstanceProfile"] = service.Op(s.tagInstanceProfile)
	t["UntagInstanceProfile"] = service.Op(s.untagInstanceProfile)
	t["ListInstanceProfileTags"] = service.Op(s.listInstanceProfileTags)
}

// instanceProfileARN is the ARN of an instance profile.
func instanceProfileARN(partition, account, path, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:instance-profile%s%s", partition, account, path, name)
}

func profileRef(p store.InstanceProfile) store.ResourceRef {
	return store.ResourceRef{Account: p.Account, Kind: store.KindInstanceProfile, ID: p.ID}
}

// apiInstanceProfile renders a profile with its role (read inside the
// caller's transaction) and, where the operation returns them, its tags.
// Roles is never nil: the element is required, and empty for a profile
// without a role.
func apiInstanceProfile(tx store.Tx, c *service.Call, p store.InstanceProfile, tags []store.Tag) (iamapi.InstanceProfile, error) {
	out := apiEmptyInstanceProfile(c, p, tags)
	if p.RoleID != "" {
		r, err := tx.GetRoleByID(p.RoleID)
		if err != nil {
			return out, err
		}
		out.Roles = append(out.Roles, apiRole(c, r))
	}
	return out, nil
}

// apiEmptyInstanceProfile renders a profile without its role.
func apiEmptyInstanceProfile(c *service.Call, p store.InstanceProfile, tags []store.Tag) iamapi.InstanceProfile {
	return iamapi.InstanceProfile{
		Path:                p.Path,
		InstanceProfileName: p.Name,
		InstanceProfileId:   p.ID,
		Arn:                 instanceProfileARN(c.Partition, p.Account, p.Path, p.Name),
		CreateDate:          p.Created,
		Roles:               []iamapi.Role{},
		Tags:                apiTags(tags),
	}
}

// apiInstanceProfiles renders one page of profiles, without their tags as
// the list operations answer.
func apiInstanceProfiles(tx store.Tx, c *service.Call, ps []store.InstanceProfile) ([]iamapi.InstanceProfile, error) {
	out := make([]iamapi.InstanceProfile, 0, len(ps))
	for _, p := range ps {
		ap, err := apiInstanceProfile(tx, c, p, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, ap)
	}
	return out, nil
}

func (s *Service) createInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	p := store.InstanceProfile{
		Account: c.AccountID,
		ID:      awsid.Unique(awsid.InstanceProfile),
		Name:    in.InstanceProfileName,
		Path:    pathOr(in.Path),
		Created: c.Now,
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		n, err := tx.CountInstanceProfiles(c.AccountID)
		if err != nil {
			return err
		}
		if n >= maxInstanceProfilesPerAccount {
			return wireError("LimitExceeded", "Cannot exceed quota for InstanceProfilesPerAccount: %d", maxInstanceProfilesPerAccount)
		}
		if err := tx.CreateInstanceProfile(p); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(profileRef(p), tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: apiEmptyInstanceProfile(c, p, tags)}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	var out iamapi.InstanceProfile
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		tags, err := allTags(tx, profileRef(p))
		if err != nil {
			return err
		}
		out, err = apiInstanceProfile(tx, c, p, tags)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: out}, nil
}

func (s *Service) deleteInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.DeleteInstanceProfileRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if p.RoleID != "" {
			return wireError("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
		}
		return tx.DeleteInstanceProfile(c.AccountID, in.InstanceProfileName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listInstanceProfiles(ctx context.Context, c *service.Call, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	out := &iamapi.ListInstanceProfilesResponse{}
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := tx.ListInstanceProfiles(c.AccountID, pathPage(in.PathPrefix, in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		if out.InstanceProfiles, err = apiInstanceProfiles(tx, c, p.Items); err != nil {
			return err
		}
		out.IsTruncated, out.Marker = truncation(p)
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

// addRoleToInstanceProfile puts a role in a profile, which holds one role
// at most: a profile that has a role, the same one or another, is at its
// quota.
func (s *Service) addRoleToInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.AddRoleToInstanceProfileRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		r, err := tx.GetRole(c.AccountID, in.RoleName)
		if err != nil {
			return err
		}
		if isServiceLinked(r) {
			// A service-linked role is for its service only.
			return protectedRole(r.Name)
		}
		if p.RoleID != "" {
			return wireError("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerInstanceProfile)
		}
		return tx.AddRoleToInstanceProfile(c.AccountID, in.InstanceProfileName, in.RoleName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName); err != nil {
			return err
		}
		if _, err := tx.GetRole(c.AccountID, in.RoleName); err != nil {
			return err
		}
		return tx.RemoveRoleFromInstanceProfile(c.AccountID, in.InstanceProfileName, in.RoleName)
	})
	var se *store.Error
	if errors.As(err, &se) && se.Kind == store.KindProfileRole {
		// The role exists but is not in the profile. AWS's wording for
		// this is not on record; this one follows its NoSuchEntity
		// messages.
		return nil, wireError("NoSuchEntity", "The role with name %s cannot be found in instance profile %s.", in.RoleName, in.InstanceProfileName)
	}
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, c *service.Call, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	out := &iamapi.ListInstanceProfilesForRoleResponse{}
	err := s.store.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetRole(c.AccountID, in.RoleName); err != nil {
			return err
		}
		p, err := tx.ListInstanceProfilesForRole(c.AccountID, in.RoleName, page(in.Marker, in.MaxItems))
		if err != nil {
			return err
		}
		if out.InstanceProfiles, err = apiInstanceProfiles(tx, c, p.Items); err != nil {
			return err
		}
		out.IsTruncated, out.Marker = truncation(p)
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	return out, nil
}

func (s *Service) tagInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.TagInstanceProfileRequest) (*service.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return err
		}
		return tagResource(tx, profileRef(p), tags, "InstanceProfile")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagInstanceProfile(ctx context.Context, c *service.Call, in *iamapi.UntagInstanceProfileRequest) (*service.Empty, error) {
	return s.untagResource(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		p, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return profileRef(p), nil
	}, in.TagKeys)
}

func (s *Service) listInstanceProfileTags(ctx context.Context, c *service.Call, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	tp, err := s.listResourceTags(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		ip, err := tx.GetInstanceProfile(c.AccountID, in.InstanceProfileName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return profileRef(ip), nil
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfileTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}
