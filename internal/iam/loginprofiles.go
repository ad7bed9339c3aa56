package iam

import (
	"bytes"
	"context"
	"errors"

	"github.com/iamd/iamd/awsquery"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/password"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).loginProfileOperations)

// The login profile messages are AWS's (localstack's IAM provider records
// them from AWS: "Login Profile for User bob cannot be found.", "Login
// Profile for user bob already exists."; the case of "User"/"user"
// differs between the two in AWS too).
var _ = entity(store.KindLoginProfile, "Login Profile for User %s cannot be found.", "Login Profile for user %s already exists.")

func (s *Service) loginProfileOperations(t service.Table) {
	t["CreateLoginProfile"] = service.Op(s.createLoginProfile)
	t["GetLoginProfile"] = service.Op(s.getLoginProfile)
	t["UpdateLoginProfile"] = service.Op(s.updateLoginProfile)
	t["DeleteLoginProfile"] = service.Op(s.deleteLoginProfile)
	t["ChangePassword"] = service.Op(s.changePassword)
}

// passwordParams are the argon2id parameters new passwords are hashed
// with (package password documents and measures them).
var passwordParams = password.Default

// profileOwner is the user a login profile operation acts on: the named
// one, or the calling IAM user. Root's own password is not a login
// profile (AWS needs an AssumeRoot session for that), so root must name a
// user.
func profileOwner(c *service.Call, userName *string) (string, error) {
	if n := str(userName); n != "" {
		return n, nil
	}
	n, err := callerUserName(c)
	if err == nil && n == "" {
		err = wireError("ValidationError", "Must specify userName when calling with non-User credentials")
	}
	return n, err
}

// noLoginProfile is AWS's NoSuchEntity for a user without a password.
func noLoginProfile(user string) error {
	return wireError("NoSuchEntity", entityMessages[store.KindLoginProfile].notFound, user)
}

// profileError reports the store's errors of a login profile operation by
// the user name the caller gave.
func profileError(err error, user string) error {
	var se *store.Error
	if errors.As(err, &se) && se.Kind == store.KindLoginProfile {
		switch {
		case errors.Is(err, store.ErrNotFound):
			return noLoginProfile(user)
		case errors.Is(err, store.ErrAlreadyExists):
			return wireError("EntityAlreadyExists", entityMessages[store.KindLoginProfile].exists, user)
		}
	}
	if errors.As(err, &se) && se.Kind == store.KindUser && errors.Is(err, store.ErrNotFound) {
		return noSuchUser(user)
	}
	return storeError(err)
}

// hashPassword hashes a new password with argon2id. It runs before the
// transaction that stores the hash, because a hash costs about 50 ms of
// CPU and a write transaction holds the store's writer.
func hashPassword(pw string) ([]byte, error) {
	h, err := password.Hash(pw, passwordParams)
	return []byte(h), err
}

func (s *Service) createLoginProfile(ctx context.Context, c *service.Call, in *iamapi.CreateLoginProfileRequest) (*iamapi.CreateLoginProfileResponse, error) {
	user, err := profileOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if in.Password == nil {
		// Optional in the model only for AssumeRoot sessions, which
		// recover root's own password; an IAM user's profile needs one.
		return nil, wireError("ValidationError", "Password is required to create a login profile for an IAM user.")
	}
	hash, err := hashPassword(*in.Password)
	if err != nil {
		return nil, err
	}
	p := store.LoginProfile{
		Account:               c.AccountID,
		PasswordHash:          hash,
		PasswordResetRequired: in.PasswordResetRequired != nil && *in.PasswordResetRequired,
		Created:               c.Now,
		PasswordChanged:       c.Now,
	}
	var u store.User
	err = s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if u, err = tx.GetUser(c.AccountID, user); err != nil {
			return err
		}
		if _, err := tx.GetLoginProfile(c.AccountID, u.Name); err == nil {
			// Refused before the password is judged: a second profile is a
			// conflict whatever its password.
			return store.AlreadyExists(store.KindLoginProfile, user)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := checkNewPassword(tx, c.AccountID, *in.Password); err != nil {
			return err
		}
		return tx.CreateLoginProfile(c.AccountID, u.Name, p)
	})
	if err != nil {
		return nil, profileError(err, user)
	}
	return &iamapi.CreateLoginProfileResponse{LoginProfile: iamapi.LoginProfile{
		UserName:              u.Name,
		CreateDate:            p.Created,
		PasswordResetRequired: ptr(p.PasswordResetRequired),
	}}, nil
}

func (s *Service) getLoginProfile(ctx context.Context, c *service.Call, in *iamapi.GetLoginProfileRequest) (*iamapi.GetLoginProfileResponse, error) {
	user, err := profileOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var u store.User
	var p store.LoginProfile
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if u, err = tx.GetUser(c.AccountID, user); err != nil {
			return err
		}
		p, err = tx.GetLoginProfile(c.AccountID, u.Name)
		return err
	})
	if err != nil {
		return nil, profileError(err, user)
	}
	return &iamapi.GetLoginProfileResponse{LoginProfile: iamapi.LoginProfile{
		UserName:              u.Name,
		CreateDate:            p.Created,
		PasswordResetRequired: ptr(p.PasswordResetRequired),
	}}, nil
}

// updateLoginProfile is an administrator's reset: a new password (checked
// against the account's policy) and/or the PasswordResetRequired flag;
// what is not given stays. Reuse prevention is the user's own
// ChangePassword's rule ("during password change").
func (s *Service) updateLoginProfile(ctx context.Context, c *service.Call, in *iamapi.UpdateLoginProfileRequest) (*service.Empty, error) {
	upd := store.LoginProfileUpdate{PasswordResetRequired: in.PasswordResetRequired}
	if in.Password != nil {
		var err error
		if upd.PasswordHash, err = hashPassword(*in.Password); err != nil {
			return nil, err
		}
		upd.PasswordChanged = c.Now
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, in.UserName)
		if err != nil {
			return err
		}
		if _, err := tx.GetLoginProfile(c.AccountID, u.Name); err != nil {
			return err
		}
		if in.Password != nil {
			if err := checkNewPassword(tx, c.AccountID, *in.Password); err != nil {
				return err
			}
		}
		if upd.PasswordHash == nil && upd.PasswordResetRequired == nil {
			return nil
		}
		return tx.UpdateLoginProfile(c.AccountID, u.Name, upd)
	})
	if err != nil {
		return nil, profileError(err, in.UserName)
	}
	return &service.Empty{}, nil
}

func (s *Service) deleteLoginProfile(ctx context.Context, c *service.Call, in *iamapi.DeleteLoginProfileRequest) (*service.Empty, error) {
	user, err := profileOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, user)
		if err != nil {
			return err
		}
		return tx.DeleteLoginProfile(c.AccountID, u.Name)
	})
	if err != nil {
		return nil, profileError(err, user)
	}
	return &service.Empty{}, nil
}

// changePassword is an IAM user changing its own console password, the
// caller being the user its access key belongs to. The old password must
// be right; the new one must satisfy the account's policy, including its
// reuse prevention (the current password and the store's history of
// previous ones, as many as PasswordReusePrevention counts); the change
// clears PasswordResetRequired, and the store moves the replaced hash
// into the history.
//
// Verifying passwords is argon2id work (about 50 ms per hash), so it runs
// between a read transaction and a write transaction instead of holding
// the store's writer. The write re-reads the profile and goes ahead only
// if the password it verified is still the current one; if another change
// came first, the call fails with EntityTemporarilyUnmodifiable and
// changes nothing, as if it had run entirely after that change.
func (s *Service) changePassword(ctx context.Context, c *service.Call, in *iamapi.ChangePasswordRequest) (*service.Empty, error) {
	if c.Caller.Type != service.User || c.Caller.Emulated {
		// The model's InvalidUserType: root and role sessions have no
		// login profile of their own to change.
		return nil, wireError("InvalidUserType", "Only IAM Users can change their own password.")
	}
	user := c.Caller.Name
	var p store.LoginProfile
	var rules passwordRules
	var names []string
	err := s.store.View(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(c.AccountID, user)
		if err != nil {
			return err
		}
		user = u.Name
		if p, err = tx.GetLoginProfile(c.AccountID, u.Name); err != nil {
			return err
		}
		rules, names, err = accountPasswordRules(tx, c.AccountID)
		return err
	})
	if err != nil {
		return nil, profileError(err, user)
	}
	ok, err := password.Verify(in.OldPassword, string(p.PasswordHash))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &awsquery.Error{Code: "AccessDenied", Message: "The old password was incorrect.", Status: 403, Sender: true}
	}
	if err := rules.check(in.NewPassword, names...); err != nil {
		return nil, err
	}
	if err := rules.checkReuse(in.NewPassword, p.PasswordHash, p.PasswordHistory); err != nil {
		return nil, err
	}
	hash, err := hashPassword(in.NewPassword)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetLoginProfile(c.AccountID, user)
		if err != nil {
			return err
		}
		if !bytes.Equal(cur.PasswordHash, p.PasswordHash) {
			return wireError("EntityTemporarilyUnmodifiable", "Login Profile for User %s is being changed by another request; try again.", user)
		}
		return tx.UpdateLoginProfile(c.AccountID, user, store.LoginProfileUpdate{
			PasswordHash:          hash,
			PasswordChanged:       c.Now,
			PasswordResetRequired: ptr(false),
		})
	})
	if err != nil {
		return nil, profileError(err, user)
	}
	return &service.Empty{}, nil
}
