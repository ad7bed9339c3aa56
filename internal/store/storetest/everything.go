package storetest

import (
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// populated is an account with at least one entity of every kind the
// store keeps, tied together (memberships, attachments, assignments), for
// the tests that remove whole accounts.
type populated struct {
	account store.Account
	user    store.User
	role    store.Role
	policy  store.Policy
	key     store.AccessKey
	mfa     store.MFADevice
}

func (f *fixture) populate(t *testing.T) populated {
	t.Helper()
	a := f.account()
	u := f.user(a.ID, "everything", "/")
	g := f.group(a.ID, "everything", "/")
	r := f.role(a.ID, "everything", "/")
	p := f.policy(a.ID, "/", "everything")
	ip := f.instanceProfile(a.ID, "everything", "/")
	k := f.accessKey(a.ID, u.Name)
	f.accessKey(a.ID, "")
	d := f.mfaDevice(a.ID, "everything")
	rootMFA := f.mfaDevice(a.ID, "root")
	f.mfaDevice(a.ID, "spare")
	pa := store.AttachedPolicy{ARN: p.ARN, Name: p.Name, Path: p.Path}
	f.mustUpdate(func(tx store.Tx) error {
		steps := []error{
			tx.AddUserToGroup(a.ID, g.Name, u.Name),
			tx.AddRoleToInstanceProfile(a.ID, ip.Name, r.Name),
			tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindUser, Name: u.Name}, pa),
			tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: g.Name}, adminPolicy),
			tx.AttachPolicy(a.ID, store.Entity{Kind: store.KindRole, Name: r.Name}, pa),
			tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindUser, Name: u.Name}, store.InlinePolicy{Name: "i", Document: "{}"}),
			tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindGroup, Name: g.Name}, store.InlinePolicy{Name: "i", Document: "{}"}),
			tx.PutInlinePolicy(a.ID, store.Entity{Kind: store.KindRole, Name: r.Name}, store.InlinePolicy{Name: "i", Document: "{}"}),
			tx.SetUserPermissionsBoundary(a.ID, u.Name, p.ARN),
			tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindUser, ID: u.ID}, []store.Tag{{Key: "k", Value: "v"}}),
			tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindRole, ID: r.ID}, []store.Tag{{Key: "k", Value: "v"}}),
			tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindPolicy, ID: p.ID}, []store.Tag{{Key: "k", Value: "v"}}),
			tx.TagResource(store.ResourceRef{Account: a.ID, Kind: store.KindMFADevice, ID: d.SerialNumber}, []store.Tag{{Key: "k", Value: "v"}}),
			tx.CreateLoginProfile(a.ID, u.Name, store.LoginProfile{PasswordHash: []byte("h"), Created: f.now}),
			tx.EnableMFADevice(a.ID, u.Name, d.SerialNumber, f.now),
			tx.EnableMFADevice(a.ID, "", rootMFA.SerialNumber, f.now),
			tx.PutPasswordPolicy(a.ID, store.PasswordPolicy{MinimumPasswordLength: 12}),
			tx.PutCredentialReport(a.ID, store.CredentialReport{Generated: f.now, Content: []byte("csv")}),
			tx.CreateOIDCProvider(store.OIDCProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":oidc-provider/x", URL: "https://x", Created: f.now}),
			tx.CreateSAMLProvider(store.SAMLProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":saml-provider/x", Name: "x", UUID: "u", Metadata: "m", Created: f.now}),
			tx.UploadServerCertificate(store.ServerCertificate{Account: a.ID, ID: awsid.Unique(awsid.ServerCertificate), Name: "x", Path: "/",
				ARN: "arn:aws:iam::" + a.ID + ":server-certificate/x", Body: "b", PrivateKey: []byte("k"), Uploaded: f.now, Expiration: f.now}),
			tx.UploadSigningCertificate(store.SigningCertificate{ID: awsid.Unique("CERT"), Account: a.ID, UserName: u.Name, Body: "b", Status: store.AccessKeyActive, Uploaded: f.now}),
			tx.UploadSigningCertificate(store.SigningCertificate{ID: awsid.Unique("CERT"), Account: a.ID, Body: "b", Status: store.AccessKeyActive, Uploaded: f.now}),
			tx.UploadSSHPublicKey(store.SSHPublicKey{ID: awsid.Unique(awsid.PublicKey), Account: a.ID, UserName: u.Name, Body: "b", Fingerprint: "f", Status: store.AccessKeyActive, Uploaded: f.now}),
			tx.CreateServiceSpecificCredential(store.ServiceSpecificCredential{ID: awsid.Unique(awsid.ServiceCredential), Account: a.ID, UserName: u.Name,
				ServiceName: "s", ServiceUserName: "n", Password: []byte("p"), Status: store.AccessKeyActive, Created: f.now}),
			tx.PutDeletionTask(store.DeletionTask{ID: "task-" + a.ID, Account: a.ID, RoleName: r.Name, Status: "SUCCEEDED", Created: f.now}),
		}
		for i, err := range steps {
			if err != nil {
				t.Fatalf("populate step %d: %v", i, err)
			}
		}
		_, err := tx.CreatePolicyVersion(a.ID, p.ARN, "{}", f.now.Add(time.Minute), false)
		return err
	})
	return populated{account: a, user: u, role: r, policy: p, key: k, mfa: d}
}

// checkGone checks that nothing of a removed account can be found.
func checkGone(t *testing.T, tx store.Tx, p populated) {
	t.Helper()
	for _, err := range []error{
		func() error { _, err := tx.GetAccount(p.account.ID); return err }(),
		func() error { _, err := tx.GetUserByID(p.user.ID); return err }(),
		func() error { _, err := tx.GetRoleByID(p.role.ID); return err }(),
		func() error { _, err := tx.GetAccessKey(p.key.ID); return err }(),
		func() error { _, err := tx.GetPolicy(p.account.ID, p.policy.ARN); return err }(),
		func() error { _, err := tx.GetMFADevice(p.account.ID, p.mfa.SerialNumber); return err }(),
		func() error { _, err := tx.AccountSummary(p.account.ID); return err }(),
	} {
		wantErr(t, err, store.ErrNotFound, "")
	}
}

func testEverything(t *testing.T, open Opener) {
	f := newFixture(t, open)
	p := f.populate(t)
	survivor := f.populate(t)

	t.Run("Summary", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			s, err := tx.AccountSummary(p.account.ID)
			noErr(t, err, "AccountSummary")
			want := store.AccountSummary{Users: 1, Groups: 1, Roles: 1, Policies: 1, PolicyVersions: 2, InstanceProfiles: 1,
				MFADevices: 3, MFADevicesInUse: 2, ServerCertificates: 1, Providers: 2, RootMFAEnabled: true,
				RootAccessKeys: 1, RootSigningCertificates: 1}
			if s != want {
				t.Fatalf("AccountSummary = %+v, want %+v", s, want)
			}
			return nil
		})
	})

	t.Run("DeleteAccount", func(t *testing.T) {
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteAccount(p.account.ID) })
		f.mustView(func(tx store.Tx) error {
			checkGone(t, tx, p)
			s, err := tx.AccountSummary(survivor.account.ID)
			noErr(t, err, "the other account survives")
			if s.Users != 1 || s.PolicyVersions != 2 || s.MFADevicesInUse != 2 {
				t.Fatalf("the other account changed: %+v", s)
			}
			return nil
		})
	})

	t.Run("Reset", func(t *testing.T) {
		f.mustUpdate(func(tx store.Tx) error { return tx.Reset() })
		f.mustView(func(tx store.Tx) error {
			checkGone(t, tx, survivor)
			return nil
		})
		// The emptied store takes everything again.
		f.populate(t)
	})
}
