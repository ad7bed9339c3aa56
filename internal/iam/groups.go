package iam

import (
	"context"
	"errors"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).groupOperations)

func (s *Service) groupOperations(t service.Table) {
	t["CreateGroup"] = service.Op(s.createGroup)
	t["GetGroup"] = service.Op(s.getGroup)
	t["UpdateGroup"] = service.Op(s.updateGroup)
	t["DeleteGroup"] = service.Op(s.deleteGroup)
	t["ListGroups"] = service.Op(s.listGroups)
	t["AddUserToGroup"] = service.Op(s.addUserToGroup)
	t["RemoveUserFromGroup"] = service.Op(s.removeUserFromGroup)
	t["ListGroupsForUser"] = service.Op(s.listGroupsForUser)
}

func apiGroup(c *service.Call, g store.Group) iamapi.Group {
	return iamapi.Group{
		Path:       g.Path,
		GroupName:  g.Name,
		GroupId:    g.ID,
		Arn:        groupARN(c.Partition, g.Account, g.Path, g.Name),
		CreateDate: g.Created,
	}
}

func (s *Service) createGroup(ctx context.Context, c *service.Call, in *iamapi.CreateGroupRequest) (*iamapi.CreateGroupResponse, error) {
	g := store.Group{
		Account: c.AccountID,
		ID:      awsid.Unique(awsid.Group),
		Name:    in.GroupName,
		Path:    pathOr(in.Path),
		Created: c.Now,
	}
	if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.CreateGroup(g) }); err != nil {
		return nil, storeError(err)
	}
	out := apiGroup(c, g)
	return &iamapi.CreateGroupResponse{Group: out}, nil
}

// getGroup returns the group and one page of its members.
func (s *Service) getGroup(ctx context.Context, c *service.Call, in *iamapi.GetGroupRequest) (*iamapi.GetGroupResponse, error) {
	var g store.Group
	var p store.Page[store.User]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if g, err = tx.GetGroup(c.AccountID, in.GroupName); err != nil {
			return err
		}
		p, err = tx.ListGroupMembers(c.AccountID, in.GroupName, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	group := apiGroup(c, g)
	out := &iamapi.GetGroupResponse{Group: group, Users: make([]iamapi.User, 0, len(p.Items))}
	for _, u := range p.Items {
		out.Users = append(out.Users, apiUser(c, u, nil))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

func (s *Service) updateGroup(ctx context.Context, c *service.Call, in *iamapi.UpdateGroupRequest) (*service.Empty, error) {
	upd := store.GroupUpdate{NewName: str(in.NewGroupName), NewPath: str(in.NewPath)}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if upd == (store.GroupUpdate{}) {
			_, err := tx.GetGroup(c.AccountID, in.GroupName)
			return err
		}
		_, err := tx.UpdateGroup(c.AccountID, in.GroupName, upd)
		return err
	})
	if err != nil {
		if errors.Is(err, store.ErrAlreadyExists) {
			return nil, wireError("EntityAlreadyExists", "Group with name %s already exists.", upd.NewName)
		}
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteGroup(ctx context.Context, c *service.Call, in *iamapi.DeleteGroupRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		deps, err := tx.GroupDependencies(c.AccountID, in.GroupName)
		if err != nil {
			return err
		}
		switch {
		case deps.Members > 0:
			return wireError("DeleteConflict", "Cannot delete entity, must remove users from group first.")
		case deps.InlinePolicies > 0:
			return wireError("DeleteConflict", "Cannot delete entity, must delete policies first.")
		case deps.AttachedPolicies > 0:
			return wireError("DeleteConflict", "Cannot delete entity, must detach all policies first.")
		}
		return tx.DeleteGroup(c.AccountID, in.GroupName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listGroups(ctx context.Context, c *service.Call, in *iamapi.ListGroupsRequest) (*iamapi.ListGroupsResponse, error) {
	var p store.Page[store.Group]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListGroups(c.AccountID, pathPage(in.PathPrefix, in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListGroupsResponse{Groups: make([]iamapi.Group, 0, len(p.Items))}
	for _, g := range p.Items {
		out.Groups = append(out.Groups, apiGroup(c, g))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

func (s *Service) addUserToGroup(ctx context.Context, c *service.Call, in *iamapi.AddUserToGroupRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		// Existence first, so that the quota check below counts a real
		// user's groups and a missing group is reported as such.
		if _, err := tx.GetGroup(c.AccountID, in.GroupName); err != nil {
			return err
		}
		if _, err := tx.GetUser(c.AccountID, in.UserName); err != nil {
			return err
		}
		n, err := tx.CountGroupsForUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		if n >= maxGroupsPerUser && !isMember(tx, c.AccountID, in.GroupName, in.UserName) {
			return wireError("LimitExceeded", "Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return tx.AddUserToGroup(c.AccountID, in.GroupName, in.UserName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// isMember reports whether the user is already in the group, so that a
// repeated AddUserToGroup at the quota stays the no-op it is.
func isMember(tx store.Tx, account, group, user string) bool {
	opts := store.ListOptions{MaxItems: maxGroupsPerUser}
	p, err := tx.ListGroupsForUser(account, user, opts)
	if err != nil {
		return false
	}
	for _, g := range p.Items {
		if store.FoldName(g.Name) == store.FoldName(group) {
			return true
		}
	}
	return false
}

func (s *Service) removeUserFromGroup(ctx context.Context, c *service.Call, in *iamapi.RemoveUserFromGroupRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return tx.RemoveUserFromGroup(c.AccountID, in.GroupName, in.UserName)
	})
	if err != nil {
		var se *store.Error
		if errors.As(err, &se) && se.Kind == store.KindMembership {
			return nil, wireError("NoSuchEntity", "The user with name %s cannot be found in group %s.", in.UserName, in.GroupName)
		}
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) listGroupsForUser(ctx context.Context, c *service.Call, in *iamapi.ListGroupsForUserRequest) (*iamapi.ListGroupsForUserResponse, error) {
	var p store.Page[store.Group]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListGroupsForUser(c.AccountID, in.UserName, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListGroupsForUserResponse{Groups: make([]iamapi.Group, 0, len(p.Items))}
	for _, g := range p.Items {
		out.Groups = append(out.Groups, apiGroup(c, g))
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}
