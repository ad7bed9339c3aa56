package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

var errBoom = errors.New("boom")

func testTransactions(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()

	t.Run("ErrorRollsBack", func(t *testing.T) {
		err := f.update(func(tx store.Tx) error {
			noErr(t, tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "ghost", Path: "/", Created: f.now}), "CreateUser")
			noErr(t, tx.CreateGroup(store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: "ghosts", Path: "/", Created: f.now}), "CreateGroup")
			noErr(t, tx.AddUserToGroup(a.ID, "ghosts", "ghost"), "AddUserToGroup")
			noErr(t, tx.SetAccountAlias(a.ID, "ghost-alias"), "SetAccountAlias")
			// The function sees its own writes.
			if _, err := tx.GetUser(a.ID, "ghost"); err != nil {
				t.Fatalf("own write not visible: %v", err)
			}
			return fmt.Errorf("service failed: %w", errBoom)
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("Update returned %v, want the function's error", err)
		}
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetUser(a.ID, "ghost")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			_, err = tx.GetGroup(a.ID, "ghosts")
			wantErr(t, err, store.ErrNotFound, store.KindGroup)
			acct, err := tx.GetAccount(a.ID)
			noErr(t, err, "GetAccount")
			if acct.Alias != "" {
				t.Fatalf("alias %q survived the rollback", acct.Alias)
			}
			return nil
		})
	})

	t.Run("PanicRollsBack", func(t *testing.T) {
		func() {
			defer func() {
				if r := recover(); r != errBoom {
					t.Fatalf("recovered %v, want the function's panic", r)
				}
			}()
			_ = f.update(func(tx store.Tx) error {
				noErr(t, tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "panicker", Path: "/", Created: f.now}), "CreateUser")
				panic(errBoom)
			})
		}()
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetUser(a.ID, "panicker")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			return nil
		})
		// The store still works.
		f.user(a.ID, "after-panic", "/")
	})

	t.Run("CancelledContext", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := f.s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "cancelled", Path: "/", Created: f.now})
		})
		if err == nil {
			t.Fatal("Update with a cancelled context succeeded")
		}
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetUser(a.ID, "cancelled")
			wantErr(t, err, store.ErrNotFound, store.KindUser)
			return nil
		})
	})

	t.Run("ViewIsReadOnly", func(t *testing.T) {
		u := f.user(a.ID, "reader", "/")
		g := f.group(a.ID, "readers", "/")
		k := f.accessKey(a.ID, u.Name)
		rl := f.role(a.ID, "reader-role", "/")
		pol := f.policy(a.ID, "/", "reader-policy")
		ip := f.instanceProfile(a.ID, "reader-profile", "/")
		mfa := f.mfaDevice(a.ID, "reader-mfa")
		oidc := store.OIDCProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":oidc-provider/reader", URL: "https://reader", Created: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.CreateOIDCProvider(oidc) })
		ue := store.Entity{Kind: store.KindUser, Name: u.Name}
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: u.ID}
		writes := []struct {
			name string
			fn   func(tx store.Tx) error
		}{
			{"CreateAccount", func(tx store.Tx) error {
				return tx.CreateAccount(store.Account{ID: "999999999999", RootEmail: "x@example.com", Created: f.now})
			}},
			{"EnsureAccount", func(tx store.Tx) error {
				_, err := tx.EnsureAccount(store.Account{ID: "999999999999", RootEmail: "x@example.com", Created: f.now})
				return err
			}},
			{"SetAccountAlias", func(tx store.Tx) error { return tx.SetAccountAlias(a.ID, "x") }},
			{"SetRootPassword", func(tx store.Tx) error { return tx.SetRootPassword(a.ID, []byte("x")) }},
			{"DeleteAccount", func(tx store.Tx) error { return tx.DeleteAccount(a.ID) }},
			{"Reset", func(tx store.Tx) error { return tx.Reset() }},
			{"CreateUser", func(tx store.Tx) error {
				return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "x", Path: "/", Created: f.now})
			}},
			{"UpdateUser", func(tx store.Tx) error {
				_, err := tx.UpdateUser(a.ID, u.Name, store.UserUpdate{NewPath: "/x/"})
				return err
			}},
			{"SetUserPermissionsBoundary", func(tx store.Tx) error { return tx.SetUserPermissionsBoundary(a.ID, u.Name, "arn") }},
			{"SetUserPasswordLastUsed", func(tx store.Tx) error { return tx.SetUserPasswordLastUsed(a.ID, u.Name, f.now) }},
			{"DeleteUser", func(tx store.Tx) error { return tx.DeleteUser(a.ID, u.Name) }},
			{"CreateGroup", func(tx store.Tx) error {
				return tx.CreateGroup(store.Group{Account: a.ID, ID: awsid.Unique(awsid.Group), Name: "x", Path: "/", Created: f.now})
			}},
			{"UpdateGroup", func(tx store.Tx) error {
				_, err := tx.UpdateGroup(a.ID, g.Name, store.GroupUpdate{NewPath: "/x/"})
				return err
			}},
			{"DeleteGroup", func(tx store.Tx) error { return tx.DeleteGroup(a.ID, g.Name) }},
			{"AddUserToGroup", func(tx store.Tx) error { return tx.AddUserToGroup(a.ID, g.Name, u.Name) }},
			{"RemoveUserFromGroup", func(tx store.Tx) error { return tx.RemoveUserFromGroup(a.ID, g.Name, u.Name) }},
			{"CreateRole", func(tx store.Tx) error {
				return tx.CreateRole(store.Role{Account: a.ID, ID: awsid.Unique(awsid.Role), Name: "x", Path: "/", Created: f.now, AssumeRolePolicy: "{}", MaxSessionDuration: 3600})
			}},
			{"UpdateRole", func(tx store.Tx) error {
				_, err := tx.UpdateRole(a.ID, rl.Name, store.RoleUpdate{MaxSessionDuration: 7200})
				return err
			}},
			{"SetRolePermissionsBoundary", func(tx store.Tx) error { return tx.SetRolePermissionsBoundary(a.ID, rl.Name, "arn") }},
			{"DeleteRole", func(tx store.Tx) error { return tx.DeleteRole(a.ID, rl.Name) }},
			{"RecordRoleUse", func(tx store.Tx) error {
				return tx.RecordRoleUse([]store.RoleUse{{RoleID: rl.ID, Time: f.now}})
			}},
			{"PutDeletionTask", func(tx store.Tx) error {
				return tx.PutDeletionTask(store.DeletionTask{ID: "t", Account: a.ID, RoleName: rl.Name, Status: "SUCCEEDED", Created: f.now})
			}},
			{"CreatePolicy", func(tx store.Tx) error {
				return tx.CreatePolicy(store.Policy{Account: a.ID, ID: awsid.Unique(awsid.ManagedPolicy), Name: "x", Path: "/", ARN: "arn:x", Created: f.now}, "{}")
			}},
			{"DeletePolicy", func(tx store.Tx) error { return tx.DeletePolicy(a.ID, pol.ARN) }},
			{"CreatePolicyVersion", func(tx store.Tx) error {
				_, err := tx.CreatePolicyVersion(a.ID, pol.ARN, "{}", f.now, true)
				return err
			}},
			{"DeletePolicyVersion", func(tx store.Tx) error { return tx.DeletePolicyVersion(a.ID, pol.ARN, "v1") }},
			{"SetDefaultPolicyVersion", func(tx store.Tx) error { return tx.SetDefaultPolicyVersion(a.ID, pol.ARN, "v1", f.now) }},
			{"CreateInstanceProfile", func(tx store.Tx) error {
				return tx.CreateInstanceProfile(store.InstanceProfile{Account: a.ID, ID: awsid.Unique(awsid.InstanceProfile), Name: "x", Path: "/", Created: f.now})
			}},
			{"DeleteInstanceProfile", func(tx store.Tx) error { return tx.DeleteInstanceProfile(a.ID, ip.Name) }},
			{"AddRoleToInstanceProfile", func(tx store.Tx) error { return tx.AddRoleToInstanceProfile(a.ID, ip.Name, rl.Name) }},
			{"RemoveRoleFromInstanceProfile", func(tx store.Tx) error { return tx.RemoveRoleFromInstanceProfile(a.ID, ip.Name, rl.Name) }},
			{"CreateLoginProfile", func(tx store.Tx) error {
				return tx.CreateLoginProfile(a.ID, u.Name, store.LoginProfile{PasswordHash: []byte("h"), Created: f.now})
			}},
			{"UpdateLoginProfile", func(tx store.Tx) error {
				return tx.UpdateLoginProfile(a.ID, u.Name, store.LoginProfileUpdate{PasswordHash: []byte("h"), PasswordChanged: f.now})
			}},
			{"DeleteLoginProfile", func(tx store.Tx) error { return tx.DeleteLoginProfile(a.ID, u.Name) }},
			{"PutPasswordPolicy", func(tx store.Tx) error { return tx.PutPasswordPolicy(a.ID, store.PasswordPolicy{}) }},
			{"DeletePasswordPolicy", func(tx store.Tx) error { return tx.DeletePasswordPolicy(a.ID) }},
			{"PutCredentialReport", func(tx store.Tx) error {
				return tx.PutCredentialReport(a.ID, store.CredentialReport{Generated: f.now})
			}},
			{"CreateVirtualMFADevice", func(tx store.Tx) error {
				return tx.CreateVirtualMFADevice(store.MFADevice{Account: a.ID, SerialNumber: "arn:x", Name: "x", Path: "/", Seed: []byte("s"), Created: f.now})
			}},
			{"EnableMFADevice", func(tx store.Tx) error { return tx.EnableMFADevice(a.ID, u.Name, mfa.SerialNumber, f.now) }},
			{"DeactivateMFADevice", func(tx store.Tx) error { return tx.DeactivateMFADevice(a.ID, u.Name, mfa.SerialNumber) }},
			{"DeleteVirtualMFADevice", func(tx store.Tx) error { return tx.DeleteVirtualMFADevice(a.ID, mfa.SerialNumber) }},
			{"CreateOIDCProvider", func(tx store.Tx) error {
				return tx.CreateOIDCProvider(store.OIDCProvider{Account: a.ID, ARN: "arn:o", URL: "https://o", Created: f.now})
			}},
			{"AddOIDCClientID", func(tx store.Tx) error { return tx.AddOIDCClientID(a.ID, oidc.ARN, "c") }},
			{"RemoveOIDCClientID", func(tx store.Tx) error { return tx.RemoveOIDCClientID(a.ID, oidc.ARN, "c") }},
			{"SetOIDCThumbprints", func(tx store.Tx) error { return tx.SetOIDCThumbprints(a.ID, oidc.ARN, nil) }},
			{"DeleteOIDCProvider", func(tx store.Tx) error { return tx.DeleteOIDCProvider(a.ID, oidc.ARN) }},
			{"CreateSAMLProvider", func(tx store.Tx) error {
				return tx.CreateSAMLProvider(store.SAMLProvider{Account: a.ID, ARN: "arn:s", Name: "s", UUID: "u", Metadata: "m", Created: f.now})
			}},
			{"UpdateSAMLProvider", func(tx store.Tx) error {
				_, err := tx.UpdateSAMLProvider(a.ID, oidc.ARN, store.SAMLProviderUpdate{Metadata: "m"})
				return err
			}},
			{"DeleteSAMLProvider", func(tx store.Tx) error { return tx.DeleteSAMLProvider(a.ID, oidc.ARN) }},
			{"UploadServerCertificate", func(tx store.Tx) error {
				return tx.UploadServerCertificate(store.ServerCertificate{Account: a.ID, ID: "ASCAX", Name: "x", Path: "/", ARN: "arn:c", Body: "b", PrivateKey: []byte("k"), Uploaded: f.now, Expiration: f.now})
			}},
			{"UpdateServerCertificate", func(tx store.Tx) error {
				_, err := tx.UpdateServerCertificate(a.ID, "x", store.ServerCertificateUpdate{NewPath: "/p/", NewARN: "arn:p"})
				return err
			}},
			{"DeleteServerCertificate", func(tx store.Tx) error { return tx.DeleteServerCertificate(a.ID, "x") }},
			{"UploadSigningCertificate", func(tx store.Tx) error {
				return tx.UploadSigningCertificate(store.SigningCertificate{ID: "C", Account: a.ID, UserName: u.Name, Body: "b", Status: store.AccessKeyActive, Uploaded: f.now})
			}},
			{"UpdateSigningCertificateStatus", func(tx store.Tx) error {
				return tx.UpdateSigningCertificateStatus(a.ID, u.Name, "C", store.AccessKeyInactive)
			}},
			{"DeleteSigningCertificate", func(tx store.Tx) error { return tx.DeleteSigningCertificate(a.ID, u.Name, "C") }},
			{"UploadSSHPublicKey", func(tx store.Tx) error {
				return tx.UploadSSHPublicKey(store.SSHPublicKey{ID: "K", Account: a.ID, UserName: u.Name, Body: "b", Fingerprint: "f", Status: store.AccessKeyActive, Uploaded: f.now})
			}},
			{"UpdateSSHPublicKeyStatus", func(tx store.Tx) error {
				return tx.UpdateSSHPublicKeyStatus(a.ID, u.Name, "K", store.AccessKeyInactive)
			}},
			{"DeleteSSHPublicKey", func(tx store.Tx) error { return tx.DeleteSSHPublicKey(a.ID, u.Name, "K") }},
			{"CreateServiceSpecificCredential", func(tx store.Tx) error {
				return tx.CreateServiceSpecificCredential(store.ServiceSpecificCredential{ID: "S", Account: a.ID, UserName: u.Name, ServiceName: "s", ServiceUserName: "n", Password: []byte("p"), Status: store.AccessKeyActive, Created: f.now})
			}},
			{"UpdateServiceSpecificCredentialStatus", func(tx store.Tx) error {
				return tx.UpdateServiceSpecificCredentialStatus(a.ID, u.Name, "S", store.AccessKeyInactive)
			}},
			{"ResetServiceSpecificCredential", func(tx store.Tx) error {
				return tx.ResetServiceSpecificCredential(a.ID, u.Name, "S", []byte("p"))
			}},
			{"DeleteServiceSpecificCredential", func(tx store.Tx) error { return tx.DeleteServiceSpecificCredential(a.ID, u.Name, "S") }},
			{"CreateAccessKey", func(tx store.Tx) error { return tx.CreateAccessKey(newKey(a.ID, u.Name, f.now)) }},
			{"UpdateAccessKeyStatus", func(tx store.Tx) error {
				return tx.UpdateAccessKeyStatus(a.ID, u.Name, k.ID, store.AccessKeyInactive)
			}},
			{"DeleteAccessKey", func(tx store.Tx) error { return tx.DeleteAccessKey(a.ID, u.Name, k.ID) }},
			{"RecordAccessKeyUse", func(tx store.Tx) error {
				return tx.RecordAccessKeyUse([]store.KeyUse{{AccessKeyID: k.ID, Time: f.now}})
			}},
			{"TagResource", func(tx store.Tx) error { return tx.TagResource(ref, []store.Tag{{Key: "k", Value: "v"}}) }},
			{"UntagResource", func(tx store.Tx) error { return tx.UntagResource(ref, []string{"k"}) }},
			{"AttachPolicy", func(tx store.Tx) error { return tx.AttachPolicy(a.ID, ue, adminPolicy) }},
			{"DetachPolicy", func(tx store.Tx) error { return tx.DetachPolicy(a.ID, ue, adminPolicy.ARN) }},
			{"PutInlinePolicy", func(tx store.Tx) error {
				return tx.PutInlinePolicy(a.ID, ue, store.InlinePolicy{Name: "p", Document: "{}"})
			}},
			{"DeleteInlinePolicy", func(tx store.Tx) error { return tx.DeleteInlinePolicy(a.ID, ue, "p") }},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				wantErr(t, f.view(w.fn), store.ErrReadOnly, "")
			})
		}
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetUser(a.ID, u.Name)
			noErr(t, err, "GetUser")
			if got.Path != "/" {
				t.Fatalf("a View changed the user: %+v", got)
			}
			return nil
		})
	})

	t.Run("ViewSeesOneSnapshot", func(t *testing.T) {
		var before, after int
		f.mustView(func(tx store.Tx) error {
			var err error
			before, err = tx.CountUsers(a.ID)
			noErr(t, err, "CountUsers")
			// Another transaction commits while this one is open.
			done := make(chan error, 1)
			go func() {
				done <- f.update(func(tx store.Tx) error {
					return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "concurrent", Path: "/", Created: f.now})
				})
			}()
			noErr(t, <-done, "concurrent Update")
			after, err = tx.CountUsers(a.ID)
			noErr(t, err, "CountUsers")
			return nil
		})
		if after != before {
			t.Fatalf("a View saw a commit made while it was open: %d users, then %d", before, after)
		}
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetUser(a.ID, "concurrent")
			noErr(t, err, "the commit is visible to later transactions")
			return nil
		})
	})

	t.Run("TxAfterReturn", func(t *testing.T) {
		var kept store.Tx
		f.mustView(func(tx store.Tx) error {
			kept = tx
			return nil
		})
		if _, err := kept.GetAccount(a.ID); err == nil {
			t.Fatal("a Tx used after its function returned did not fail")
		}
	})
}

func testConcurrency(t *testing.T, open Opener) {
	const racers = 20
	f := newFixture(t, open)
	a := f.account()

	t.Run("CreateSameUser", func(t *testing.T) {
		errs := make([]error, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				name := "Racer"
				if i%2 == 1 {
					name = "racer" // the same name, other case
				}
				errs[i] = f.update(func(tx store.Tx) error {
					return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: name, Path: "/", Created: time.Now()})
				})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantErr(t, err, store.ErrAlreadyExists, store.KindUser)
		}
		if ok != 1 {
			t.Fatalf("%d of %d racers created the user, want exactly 1", ok, racers)
		}
	})

	t.Run("QuotaCheckedInsideUpdate", func(t *testing.T) {
		// The service's pattern for AWS's "two access keys per user":
		// count, then create, in one Update. Serializable Updates mean
		// the quota holds however many requests race.
		u := f.user(a.ID, "quota", "/")
		errLimit := errors.New("LimitExceeded")
		errs := make([]error, racers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = f.update(func(tx store.Tx) error {
					n, err := tx.CountAccessKeys(a.ID, u.Name)
					if err != nil {
						return err
					}
					if n >= 2 {
						return errLimit
					}
					return tx.CreateAccessKey(newKey(a.ID, u.Name, time.Now()))
				})
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, errLimit):
				t.Fatalf("racer failed: %v", err)
			}
		}
		var n int
		f.mustView(func(tx store.Tx) (err error) {
			n, err = tx.CountAccessKeys(a.ID, u.Name)
			return err
		})
		if ok != 2 || n != 2 {
			t.Fatalf("%d racers succeeded and the user has %d keys, want 2 and 2", ok, n)
		}
	})

	t.Run("ReadersDuringWrites", func(t *testing.T) {
		k := f.accessKey(a.ID, "")
		var wg sync.WaitGroup
		errs := make(chan error, 2*racers)
		for i := range racers {
			wg.Add(2)
			go func() {
				defer wg.Done()
				errs <- f.update(func(tx store.Tx) error {
					return tx.CreateUser(store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: seqName("writer", i), Path: "/", Created: time.Now()})
				})
			}()
			go func() {
				defer wg.Done()
				errs <- f.view(func(tx store.Tx) error {
					got, err := tx.GetAccessKey(k.ID)
					if err == nil && got.ID != k.ID {
						err = fmt.Errorf("GetAccessKey returned %s", got.ID)
					}
					return err
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, err, "concurrent transaction")
		}
		var n int
		f.mustView(func(tx store.Tx) (err error) {
			p, err := tx.ListUsers(a.ID, store.PathListOptions{PathPrefix: "/", MaxItems: 1000})
			for _, u := range p.Items {
				if len(u.Name) > 6 && u.Name[:6] == "writer" {
					n++
				}
			}
			return err
		})
		if n != racers {
			t.Fatalf("%d of %d concurrent writers' users exist", n, racers)
		}
	})
}
