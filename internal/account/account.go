// Package account creates AWS accounts the way iamd's first start and
// `iamd account create` do, following AWS's own best practice instead of
// handing out root keys: root gets a password for sign-in and no access
// keys; an IAM user "admin" in a group "Administrators" with the AWS managed
// policy AdministratorAccess gets the access key, written once to a 0600
// file ready for the AWS CLI.
package account

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/password"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
)

// Names of what a new account starts with.
const (
	AdminUser            = "admin"
	AdminGroup           = "Administrators"
	AdministratorAccess  = "AdministratorAccess"
	adminPolicyPath      = "/"
	credentialsProfile   = "iamd"
	rootPasswordLength   = 24
	accountIDCollisions  = 5
	credentialsFileMode  = 0o600
	credentialsFileFlags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
)

// Options configure Create.
type Options struct {
	// AdminCredentialsFile names, given the new account's id, the file
	// that receives the admin user's access key in the AWS shared
	// credentials format. It must not exist yet: a key is written once,
	// never overwritten.
	AdminCredentialsFile func(accountID string) string
	Now                  time.Time
}

// Created is what Create made. RootPassword is shown to the operator once
// and not kept anywhere in the clear.
type Created struct {
	AccountID    string
	RootPassword string
	AdminKeyID   string
}

// Create makes a new account with a random id, a root password, and the
// admin user, group and key, in one transaction.
func Create(ctx context.Context, st store.Store, kr *seal.Keyring, o Options) (Created, error) {
	if o.Now.IsZero() {
		o.Now = time.Now().UTC()
	}
	rootPassword := password.Generate(rootPasswordLength)
	hash, err := password.Hash(rootPassword, password.Default)
	if err != nil {
		return Created{}, err
	}
	var out Created
	var secret string
	for attempt := 0; ; attempt++ {
		out = Created{AccountID: awsid.AccountID(), RootPassword: rootPassword}
		err = st.Update(ctx, func(tx store.Tx) error {
			if err := tx.CreateAccount(store.Account{ID: out.AccountID, RootPasswordHash: []byte(hash), Created: o.Now}); err != nil {
				return err
			}
			key, sec, err := createAdmin(tx, kr, out.AccountID, o.Now)
			out.AdminKeyID, secret = key.ID, sec
			return err
		})
		// A random 12-digit id collides rarely; try another.
		if errors.Is(err, store.ErrAlreadyExists) && attempt < accountIDCollisions {
			continue
		}
		break
	}
	if err != nil {
		return Created{}, fmt.Errorf("creating account: %w", err)
	}
	if o.AdminCredentialsFile != nil {
		if err := writeCredentials(o.AdminCredentialsFile(out.AccountID), out.AdminKeyID, secret); err != nil {
			return Created{}, err
		}
	}
	return out, nil
}

// createAdmin makes the admin user and group, attaches AdministratorAccess
// to the group and gives the user an access key.
func createAdmin(tx store.Tx, kr *seal.Keyring, account string, now time.Time) (store.AccessKey, string, error) {
	u := store.User{Account: account, ID: awsid.Unique(awsid.User), Name: AdminUser, Path: "/", Created: now}
	if err := tx.CreateUser(u); err != nil {
		return store.AccessKey{}, "", err
	}
	g := store.Group{Account: account, ID: awsid.Unique(awsid.Group), Name: AdminGroup, Path: "/", Created: now}
	if err := tx.CreateGroup(g); err != nil {
		return store.AccessKey{}, "", err
	}
	if err := tx.AddUserToGroup(account, AdminGroup, AdminUser); err != nil {
		return store.AccessKey{}, "", err
	}
	policy := store.AttachedPolicy{
		// The aws partition: iamd's accounts start in it; the policy is
		// the same in every partition.
		ARN:  "arn:aws:iam::aws:policy/" + AdministratorAccess,
		Name: AdministratorAccess,
		Path: adminPolicyPath,
	}
	if err := tx.AttachPolicy(account, store.Entity{Kind: store.KindGroup, Name: AdminGroup}, policy); err != nil {
		return store.AccessKey{}, "", err
	}
	return iam.NewAccessKey(tx, kr, account, AdminUser, now)
}

// writeCredentials writes an AWS shared credentials file readable only by
// its owner, refusing to overwrite an existing one.
func writeCredentials(path, keyID, secret string) error {
	f, err := os.OpenFile(path, credentialsFileFlags, credentialsFileMode)
	if err != nil {
		return fmt.Errorf("writing admin credentials: %w", err)
	}
	_, err = fmt.Fprintf(f, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", credentialsProfile, keyID, secret)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing admin credentials: %w", err)
	}
	return nil
}

// Ensure creates an empty account with the given id unless it exists: the
// emulator's implicit accounts, which have neither root password nor users.
func Ensure(ctx context.Context, st store.Store, id string, now time.Time) error {
	return st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.EnsureAccount(store.Account{ID: id, Created: now.UTC()})
		return err
	})
}
