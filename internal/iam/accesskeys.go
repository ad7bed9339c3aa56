package iam

import (
	"context"
	"errors"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iamapi"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/service"
	"github.com/iamd/iamd/internal/store"
)

var _ = family((*Service).accessKeyOperations)

func (s *Service) accessKeyOperations(t service.Table) {
	t["CreateAccessKey"] = service.Op(s.createAccessKey)
	t["UpdateAccessKey"] = service.Op(s.updateAccessKey)
	t["DeleteAccessKey"] = service.Op(s.deleteAccessKey)
	t["ListAccessKeys"] = service.Op(s.listAccessKeys)
	t["GetAccessKeyLastUsed"] = service.Op(s.getAccessKeyLastUsed)
}

// keyOwner is the user an access-key operation acts on: the named user, or
// the caller (root's own keys when the caller is root).
func keyOwner(c *service.Call, userName *string) (string, error) {
	if n := str(userName); n != "" {
		return n, nil
	}
	return callerUserName(c)
}

// NewAccessKey creates and stores a long-term access key for user ("" for
// root) inside tx, within AWS's quota of two per user, and returns the key
// with its secret in the clear (shown once, never stored so).
func NewAccessKey(tx store.Tx, kr *seal.Keyring, account, user string, created time.Time) (store.AccessKey, string, error) {
	n, err := tx.CountAccessKeys(account, user)
	if err != nil {
		return store.AccessKey{}, "", err
	}
	if n >= maxAccessKeysPerUser {
		return store.AccessKey{}, "", wireError("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: %d", maxAccessKeysPerUser)
	}
	secret := awsid.SecretAccessKey()
	k := store.AccessKey{
		ID:       awsid.AccessKeyIDFor(awsid.LongTermAccessKey, account),
		Account:  account,
		UserName: user,
		Status:   store.AccessKeyActive,
		Created:  created,
	}
	// The key id is the associated data: a sealed secret copied onto
	// another key's row does not open.
	if k.Secret, err = kr.Seal([]byte(secret), []byte(k.ID)); err != nil {
		return store.AccessKey{}, "", err
	}
	if err := tx.CreateAccessKey(k); err != nil {
		return store.AccessKey{}, "", err
	}
	return k, secret, nil
}

func (s *Service) createAccessKey(ctx context.Context, c *service.Call, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var k store.AccessKey
	var secret string
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if user != "" {
			if _, err := tx.GetUser(c.AccountID, user); err != nil {
				return err
			}
		}
		var err error
		k, secret, err = NewAccessKey(tx, s.keyring, c.AccountID, user, c.Now)
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	return &iamapi.CreateAccessKeyResponse{AccessKey: iamapi.AccessKey{
		UserName:        k.UserName,
		AccessKeyId:     k.ID,
		Status:          string(k.Status),
		SecretAccessKey: secret,
		CreateDate:      &k.Created,
	}}, nil
}

func (s *Service) updateAccessKey(ctx context.Context, c *service.Call, in *iamapi.UpdateAccessKeyRequest) (*service.Empty, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	status := store.AccessKeyStatus(in.Status)
	if status != store.AccessKeyActive && status != store.AccessKeyInactive {
		return nil, wireError("InvalidInput", "Access key status must be Active or Inactive.")
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if user != "" {
			if _, err := tx.GetUser(c.AccountID, user); err != nil {
				return err
			}
		}
		return tx.UpdateAccessKeyStatus(c.AccountID, user, in.AccessKeyId, status)
	})
	if err != nil {
		return nil, keyError(err, in.AccessKeyId)
	}
	return &service.Empty{}, nil
}

// keyError reports a key that is not the named user's as missing, by its id.
func keyError(err error, id string) error {
	var se *store.Error
	if errors.As(err, &se) && errors.Is(err, store.ErrNotFound) && se.Kind == store.KindAccessKey {
		return noSuchAccessKey(id)
	}
	return storeError(err)
}

func (s *Service) deleteAccessKey(ctx context.Context, c *service.Call, in *iamapi.DeleteAccessKeyRequest) (*service.Empty, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if user != "" {
			if _, err := tx.GetUser(c.AccountID, user); err != nil {
				return err
			}
		}
		return tx.DeleteAccessKey(c.AccountID, user, in.AccessKeyId)
	})
	if err != nil {
		return nil, keyError(err, in.AccessKeyId)
	}
	return &service.Empty{}, nil
}

func (s *Service) listAccessKeys(ctx context.Context, c *service.Call, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	user, err := keyOwner(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var p store.Page[store.AccessKey]
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, err = tx.ListAccessKeys(c.AccountID, user, page(in.Marker, in.MaxItems))
		return err
	})
	if err != nil {
		return nil, storeError(err)
	}
	out := &iamapi.ListAccessKeysResponse{AccessKeyMetadata: make([]iamapi.AccessKeyMetadata, 0, len(p.Items))}
	for _, k := range p.Items {
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, iamapi.AccessKeyMetadata{
			UserName:    ptr(k.UserName),
			AccessKeyId: ptr(k.ID),
			Status:      ptr(string(k.Status)),
			CreateDate:  ptr(k.Created),
		})
	}
	out.IsTruncated, out.Marker = truncation(p)
	return out, nil
}

// getAccessKeyLastUsed reports when, where and with which service a key of
// the caller's account was last used; "N/A" when never, as AWS answers.
func (s *Service) getAccessKeyLastUsed(ctx context.Context, c *service.Call, in *iamapi.GetAccessKeyLastUsedRequest) (*iamapi.GetAccessKeyLastUsedResponse, error) {
	var k store.AccessKey
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		k, err = tx.GetAccessKey(in.AccessKeyId)
		return err
	})
	if err != nil || k.Account != c.AccountID {
		if err == nil || errors.Is(err, store.ErrNotFound) {
			return nil, noSuchAccessKey(in.AccessKeyId)
		}
		return nil, err
	}
	used := &iamapi.AccessKeyLastUsed{ServiceName: "N/A", Region: "N/A"}
	if !k.LastUsed.IsZero() {
		used.LastUsedDate = ptr(k.LastUsed)
		used.ServiceName = k.LastUsedService
		used.Region = k.LastUsedRegion
	}
	out := &iamapi.GetAccessKeyLastUsedResponse{AccessKeyLastUsed: used}
	if k.UserName != "" {
		out.UserName = ptr(k.UserName)
	}
	return out, nil
}
