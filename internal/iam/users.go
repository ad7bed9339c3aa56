package iam

import (
	"context"
	"errors"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).userOperations)

func (s *Service) userOperations(t service.Table) {
	t["CreateUser"] = service.Op(s.createUser)
	t["GetUser"] = service.Op(s.getUser)
	t["UpdateUser"] = service.Op(s.updateUser)
	t["DeleteUser"] = service.Op(s.deleteUser)
	t["ListUsers"] = service.Op(s.listUsers)
	t["TagUser"] = service.Op(s.tagUser)
	t["UntagUser"] = service.Op(s.untagUser)
	t["ListUserTags"] = service.Op(s.listUserTags)
}

// apiUser renders a stored user (with its tags, where the operation returns
// them) as the model's User.
func apiUser(c *service.Call, u store.User, tags []store.Tag) iamapi.User {
	out := iamapi.User{
		Path:       u.Path,
		UserName:   u.Name,
		UserId:     u.ID,
		Arn:        userARN(c.Partition, u.Account, u.Path, u.Name),
		CreateDate: u.Created,
		Tags:       apiTags(tags),
	}
	if !u.PasswordLastUsed.IsZero() {
		t := u.PasswordLastUsed
		out.PasswordLastUsed = &t
	}
	out.PermissionsBoundary = apiBoundary(u.PermissionsBoundary)
	return out
}

func ptr[T any](v T) *T { return &v }

// emulatorDefaultUser is the user moto reports for GetUser without a name
// when the caller's key is unknown.
const emulatorDefaultUser = "default_user"

func (s *Service) createUser(ctx context.Context, c *service.Call, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	u := store.User{
		Account: c.AccountID,
		ID:      awsid.Unique(awsid.User),
		Name:    in.UserName,
		Path:    pathOr(in.Path),
		Created: c.Now,
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != nil {
			arn, err := boundaryPolicy(tx, c, *in.PermissionsBoundary)
			if err != nil {
				return err
			}
			u.PermissionsBoundary = arn
		}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		if len(tags) > 0 {
			return tx.TagResource(store.ResourceRef{Account: c.AccountID, Kind: store.KindUser, ID: u.ID}, tags)
		}
		return nil
	})
	if err != nil {
		return nil, storeError(err)
	}
	user := apiUser(c, u, tags)
	return &iamapi.CreateUserResponse{User: &user}, nil
}

func (s *Service) getUser(ctx context.Context, c *service.Call, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	name := str(in.UserName)
	if name == "" {
		if c.Caller.Type == service.Root {
			return &iamapi.GetUserResponse{User: *rootUser(c)}, nil
		}
		if c.Caller.Emulated {
			// moto answers for its stand-in identity with a user that
			// does not exist in the account; suites written against it
			// expect that (docs/emulator.md).
			return &iamapi.GetUserResponse{User: iamapi.User{
				Path: "/", UserName: emulatorDefaultUser, UserId: c.Caller.UserID, CreateDate: c.Now,
				Arn: userARN(c.Partition, c.AccountID, "/", emulatorDefaultUser),
			}}, nil
		}
		var err error
		if name, err = callerUserName(c); err != nil {
			return nil, err
		}
	}
	var u store.User
	var tags []store.Tag
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if u, err = tx.GetUser(c.AccountID, name); err != nil {
			return err
		}
		tags, err = allTags(tx, store.ResourceRef{Account: c.AccountID, Kind: store.KindUser, ID: u.ID})
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	user := apiUser(c, u, tags)
	return &iamapi.GetUserResponse{User: user}, nil
}

// rootUser is GetUser's answer for the root user: its ARN and the account
// id as its user id, without a name or path.
func rootUser(c *service.Call) *iamapi.User {
	return &iamapi.User{
		UserId:     c.AccountID,
		Arn:        c.Caller.ARN,
		CreateDate: c.Now,
	}
}

func (s *Service) updateUser(ctx context.Context, c *service.Call, in *iamapi.UpdateUserRequest) (*service.Empty, error) {
	upd := store.UserUpdate{NewName: str(in.NewUserName), NewPath: str(in.NewPath)}
	if upd == (store.UserUpdate{}) {
		return &service.Empty{}, s.store.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetUser(c.AccountID, in.UserName)
			return storeError(err)
		})
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		_, err := tx.UpdateUser(c.AccountID, in.UserName, upd)
		return err
	})
	if err != nil {
		var se *store.Error
		if errors.As(err, &se) && errors.Is(err, store.ErrAlreadyExists) {
			return nil, wireError("EntityAlreadyExists", "User with name %s already exists.", upd.NewName)
		}
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteUser(ctx context.Context, c *service.Call, in *iamapi.DeleteUserRequest) (*service.Empty, error) {
	err := s.store.Update(ctx, func(tx store.Tx) error {
		deps, err := tx.UserDependencies(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		if msg := userConflict(deps); msg != "" {
			return wireError("DeleteConflict", "Cannot delete entity, must %s first.", msg)
		}
		return tx.DeleteUser(c.AccountID, in.UserName)
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

// userConflict names what must go first, in the order the DeleteUser API
// reference lists a user's dependents, with AWS's wording.
func userConflict(d store.UserDependencies) string {
	switch {
	case d.LoginProfile:
		return "delete login profile"
	case d.AccessKeys > 0:
		return "delete access keys"
	case d.SigningCertificates > 0:
		return "delete signing certificates"
	case d.SSHPublicKeys > 0, d.ServiceSpecificCredentials > 0:
		return "remove referenced objects"
	case d.MFADevices > 0:
		return "delete MFA device"
	case d.InlinePolicies > 0:
		return "delete policies"
	case d.AttachedPolicies > 0:
		return "detach all policies"
	case d.Groups > 0:
		return "remove users from group"
	}
	return ""
}

func (s *Service) listUsers(ctx context.Context, c *service.Call, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	var p store.Page[store.User]
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListUsers(c.AccountID, pathPage(in.PathPrefix, in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListUsersResponse{Users: make([]iamapi.User, 0, len(p.Items))}
	for _, u := range p.Items {
		// ListUsers does not return tags (the API reference says to call
		// ListUserTags), nor the permissions boundary.
		user := apiUser(c, u, nil)
		user.PermissionsBoundary = nil
		out.Users = append(out.Users, user)
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

func (s *Service) tagUser(ctx context.Context, c *service.Call, in *iamapi.TagUserRequest) (*service.Empty, error) {
	tags, err := checkTags(in.Tags)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		return tagResource(tx, store.ResourceRef{Account: c.AccountID, Kind: store.KindUser, ID: u.ID}, tags, "User")
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &service.Empty{}, nil
}

func (s *Service) untagUser(ctx context.Context, c *service.Call, in *iamapi.UntagUserRequest) (*service.Empty, error) {
	return s.untagResource(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return store.ResourceRef{Account: c.AccountID, Kind: store.KindUser, ID: u.ID}, nil
	}, in.TagKeys)
}

func (s *Service) listUserTags(ctx context.Context, c *service.Call, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	tp, err := s.listResourceTags(ctx, func(tx store.Tx) (store.ResourceRef, error) {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return store.ResourceRef{}, err
		}
		return store.ResourceRef{Account: c.AccountID, Kind: store.KindUser, ID: u.ID}, nil
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserTagsResponse{Tags: tp.Tags, IsTruncated: tp.IsTruncated, Marker: tp.Marker}, nil
}
