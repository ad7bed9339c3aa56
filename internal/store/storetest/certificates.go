package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

func testServerCertificates(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	arnOf := func(path, name string) string { return "arn:aws:iam::" + a.ID + ":server-certificate" + path + name }
	c := store.ServerCertificate{Account: a.ID, ID: awsid.Unique(awsid.ServerCertificate), Name: "Web", Path: "/cloudfront/",
		ARN: arnOf("/cloudfront/", "Web"), Body: "-----BEGIN CERTIFICATE-----", Chain: "-----BEGIN CERTIFICATE----- chain",
		PrivateKey: []byte("sealed key"), Uploaded: f.now, Expiration: f.now.Add(90 * 24 * time.Hour)}
	f.mustUpdate(func(tx store.Tx) error { return tx.UploadServerCertificate(c) })

	f.mustView(func(tx store.Tx) error {
		got, err := tx.GetServerCertificate(a.ID, "WEB")
		noErr(t, err, "GetServerCertificate")
		if got.ID != c.ID || got.ARN != c.ARN || got.Body != c.Body || got.Chain != c.Chain || !bytes.Equal(got.PrivateKey, c.PrivateKey) {
			t.Fatalf("GetServerCertificate = %+v", got)
		}
		sameTime(t, "Expiration", got.Expiration, c.Expiration)
		_, err = tx.GetServerCertificate(other.ID, "Web")
		wantErr(t, err, store.ErrNotFound, store.KindServerCertificate)
		return nil
	})
	dup := c
	dup.ID, dup.Name, dup.ARN = awsid.Unique(awsid.ServerCertificate), "web", arnOf("/", "web")
	wantErr(t, f.update(func(tx store.Tx) error { return tx.UploadServerCertificate(dup) }), store.ErrAlreadyExists, store.KindServerCertificate)
	noKey := c
	noKey.PrivateKey = nil
	wantErr(t, f.update(func(tx store.Tx) error { return tx.UploadServerCertificate(noKey) }), store.ErrInvalidArgument, "")

	second := c
	second.ID, second.Name, second.Path, second.ARN = awsid.Unique(awsid.ServerCertificate), "Api", "/", arnOf("/", "Api")
	f.mustUpdate(func(tx store.Tx) error { return tx.UploadServerCertificate(second) })
	var moved store.ServerCertificate
	f.mustUpdate(func(tx store.Tx) (err error) {
		moved, err = tx.UpdateServerCertificate(a.ID, "web", store.ServerCertificateUpdate{NewName: "Www", NewPath: "/", NewARN: arnOf("/", "Www")})
		return err
	})
	if moved.Name != "Www" || moved.Path != "/" || moved.ARN != arnOf("/", "Www") || moved.ID != c.ID {
		t.Fatalf("UpdateServerCertificate = %+v", moved)
	}
	for _, upd := range []struct {
		name     string
		upd      store.ServerCertificateUpdate
		sentinel error
	}{
		{"onto a taken name", store.ServerCertificateUpdate{NewName: "API", NewARN: arnOf("/", "API")}, store.ErrAlreadyExists},
		{"without the new ARN", store.ServerCertificateUpdate{NewName: "x"}, store.ErrInvalidArgument},
	} {
		t.Run(upd.name, func(t *testing.T) {
			wantErr(t, f.update(func(tx store.Tx) error {
				_, err := tx.UpdateServerCertificate(a.ID, "www", upd.upd)
				return err
			}), upd.sentinel, "")
		})
	}
	got := allPages(t, 1, func(marker string) (p store.Page[store.ServerCertificate], err error) {
		err = f.view(func(tx store.Tx) error {
			p, err = tx.ListServerCertificates(a.ID, store.PathListOptions{Marker: marker, MaxItems: 1})
			return err
		})
		return p, err
	})
	wantNames(t, "certificates", names(got, func(c store.ServerCertificate) string { return c.Name }), []string{"Api", "Www"})
	ref := store.ResourceRef{Account: a.ID, Kind: store.KindServerCertificate, ID: c.ID}
	f.mustUpdate(func(tx store.Tx) error { return tx.TagResource(ref, []store.Tag{{Key: "k", Value: "v"}}) })
	f.mustUpdate(func(tx store.Tx) error { return tx.DeleteServerCertificate(a.ID, "WWW") })
	f.mustView(func(tx store.Tx) error {
		n, err := tx.CountServerCertificates(a.ID)
		noErr(t, err, "CountServerCertificates")
		if n != 1 {
			t.Fatalf("CountServerCertificates = %d", n)
		}
		_, err = tx.CountTags(ref)
		wantErr(t, err, store.ErrNotFound, store.KindServerCertificate)
		return nil
	})
	wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteServerCertificate(a.ID, "www") }), store.ErrNotFound, store.KindServerCertificate)
}

// userCredentialKind drives the shared tests of the per-user credential
// families.
type userCredentialKind struct {
	name   string
	kind   store.Kind
	root   bool // whether the account's root user may own one
	create func(f *fixture, tx store.Tx, account, user string) (string, error)
	list   func(tx store.Tx, account, user string) ([]string, error) // ids and statuses
	count  func(tx store.Tx, account, user string) (int, error)
	status func(tx store.Tx, account, user, id string, s store.AccessKeyStatus) error
	delete func(tx store.Tx, account, user, id string) error
	deps   func(d store.UserDependencies) int
}

var userCredentialKinds = []userCredentialKind{
	{
		name: "SigningCertificates", kind: store.KindSigningCertificate, root: true,
		create: func(f *fixture, tx store.Tx, account, user string) (string, error) {
			id := awsid.AccessKeyID("CERT") + "ABCD"
			return id, tx.UploadSigningCertificate(store.SigningCertificate{ID: id, Account: account, UserName: user, Body: "PEM", Status: store.AccessKeyActive, Uploaded: f.now})
		},
		list: func(tx store.Tx, account, user string) ([]string, error) {
			p, err := tx.ListSigningCertificates(account, user, store.ListOptions{})
			return names(p.Items, func(c store.SigningCertificate) string { return c.ID + ":" + string(c.Status) + ":" + c.UserName }), err
		},
		count: func(tx store.Tx, account, user string) (int, error) {
			return tx.CountSigningCertificates(account, user)
		},
		status: func(tx store.Tx, a, u, id string, s store.AccessKeyStatus) error {
			return tx.UpdateSigningCertificateStatus(a, u, id, s)
		},
		delete: func(tx store.Tx, a, u, id string) error { return tx.DeleteSigningCertificate(a, u, id) },
		deps:   func(d store.UserDependencies) int { return d.SigningCertificates },
	},
	{
		name: "SSHPublicKeys", kind: store.KindSSHPublicKey,
		create: func(f *fixture, tx store.Tx, account, user string) (string, error) {
			id := awsid.Unique(awsid.PublicKey)
			return id, tx.UploadSSHPublicKey(store.SSHPublicKey{ID: id, Account: account, UserName: user, Body: "ssh-ed25519 AAAA", Fingerprint: "aa:bb", Status: store.AccessKeyActive, Uploaded: f.now})
		},
		list: func(tx store.Tx, account, user string) ([]string, error) {
			p, err := tx.ListSSHPublicKeys(account, user, store.ListOptions{})
			return names(p.Items, func(k store.SSHPublicKey) string { return k.ID + ":" + string(k.Status) + ":" + k.UserName }), err
		},
		count: func(tx store.Tx, account, user string) (int, error) { return tx.CountSSHPublicKeys(account, user) },
		status: func(tx store.Tx, a, u, id string, s store.AccessKeyStatus) error {
			return tx.UpdateSSHPublicKeyStatus(a, u, id, s)
		},
		delete: func(tx store.Tx, a, u, id string) error { return tx.DeleteSSHPublicKey(a, u, id) },
		deps:   func(d store.UserDependencies) int { return d.SSHPublicKeys },
	},
	{
		name: "ServiceSpecificCredentials", kind: store.KindServiceSpecificCredential,
		create: func(f *fixture, tx store.Tx, account, user string) (string, error) {
			id := awsid.Unique(awsid.ServiceCredential)
			return id, tx.CreateServiceSpecificCredential(store.ServiceSpecificCredential{ID: id, Account: account, UserName: user,
				ServiceName: "codecommit.amazonaws.com", ServiceUserName: user + "-at-" + account, Password: []byte("sealed"),
				Status: store.AccessKeyActive, Created: f.now})
		},
		list: func(tx store.Tx, account, user string) ([]string, error) {
			p, err := tx.ListServiceSpecificCredentials(account, user, "", store.ListOptions{})
			return names(p.Items, func(c store.ServiceSpecificCredential) string {
				return c.ID + ":" + string(c.Status) + ":" + c.UserName
			}), err
		},
		count: func(tx store.Tx, account, user string) (int, error) {
			return tx.CountServiceSpecificCredentials(account, user, "")
		},
		status: func(tx store.Tx, a, u, id string, s store.AccessKeyStatus) error {
			return tx.UpdateServiceSpecificCredentialStatus(a, u, id, s)
		},
		delete: func(tx store.Tx, a, u, id string) error { return tx.DeleteServiceSpecificCredential(a, u, id) },
		deps:   func(d store.UserDependencies) int { return d.ServiceSpecificCredentials },
	},
}

func testUserCredentials(t *testing.T, open Opener) {
	for _, k := range userCredentialKinds {
		t.Run(k.name, func(t *testing.T) {
			f := newFixture(t, open)
			a := f.account()
			u := f.user(a.ID, "Alice", "/")
			f.user(a.ID, "bob", "/")
			var id1, id2 string
			f.mustUpdate(func(tx store.Tx) (err error) {
				if id1, err = k.create(f, tx, a.ID, "alice"); err != nil {
					return err
				}
				id2, err = k.create(f, tx, a.ID, "ALICE")
				return err
			})
			f.mustUpdate(func(tx store.Tx) error { return k.status(tx, a.ID, "alice", id2, store.AccessKeyInactive) })
			f.mustView(func(tx store.Tx) error {
				got, err := k.list(tx, a.ID, "alice")
				noErr(t, err, "list")
				want := []string{id1 + ":Active:" + u.Name, id2 + ":Inactive:" + u.Name}
				if id2 < id1 {
					want[0], want[1] = want[1], want[0]
				}
				wantNames(t, "credentials", got, want)
				n, err := k.count(tx, a.ID, "alice")
				noErr(t, err, "count")
				if n != 2 {
					t.Fatalf("count = %d", n)
				}
				d, err := tx.UserDependencies(a.ID, "alice")
				noErr(t, err, "UserDependencies")
				if k.deps(d) != 2 {
					t.Fatalf("UserDependencies = %+v", d)
				}
				return nil
			})
			cases := []struct {
				name     string
				fn       func(tx store.Tx) error
				sentinel error
				kind     store.Kind
			}{
				{"create for a missing user", func(tx store.Tx) error { _, err := k.create(f, tx, a.ID, "nobody"); return err }, store.ErrNotFound, store.KindUser},
				{"status of another user's", func(tx store.Tx) error { return k.status(tx, a.ID, "bob", id1, store.AccessKeyInactive) }, store.ErrNotFound, k.kind},
				{"unknown status", func(tx store.Tx) error { return k.status(tx, a.ID, "alice", id1, "Revoked") }, store.ErrInvalidArgument, ""},
				{"delete another user's", func(tx store.Tx) error { return k.delete(tx, a.ID, "bob", id1) }, store.ErrNotFound, k.kind},
				{"delete the user", func(tx store.Tx) error { return tx.DeleteUser(a.ID, "alice") }, store.ErrConflict, store.KindUser},
				{"list for a missing user", func(tx store.Tx) error { _, err := k.list(tx, a.ID, "nobody"); return err }, store.ErrNotFound, store.KindUser},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					wantErr(t, f.update(c.fn), c.sentinel, c.kind)
				})
			}
			if k.root {
				var rootID string
				f.mustUpdate(func(tx store.Tx) (err error) {
					rootID, err = k.create(f, tx, a.ID, "")
					return err
				})
				f.mustView(func(tx store.Tx) error {
					got, err := k.list(tx, a.ID, "")
					noErr(t, err, "list root")
					wantNames(t, "root's", got, []string{rootID + ":Active:"})
					return nil
				})
				wantErr(t, f.update(func(tx store.Tx) error { return k.delete(tx, a.ID, "alice", rootID) }), store.ErrNotFound, k.kind)
				f.mustUpdate(func(tx store.Tx) error { return k.delete(tx, a.ID, "", rootID) })
			}
			f.mustUpdate(func(tx store.Tx) error {
				noErr(t, k.delete(tx, a.ID, "alice", id1), "delete")
				return k.delete(tx, a.ID, "alice", id2)
			})
			f.mustUpdate(func(tx store.Tx) error { return tx.DeleteUser(a.ID, "alice") })
		})
	}

	t.Run("ServiceSpecificDetails", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.account()
		f.user(a.ID, "alice", "/")
		f.user(a.ID, "bob", "/")
		mk := func(user, service string) store.ServiceSpecificCredential {
			return store.ServiceSpecificCredential{ID: awsid.Unique(awsid.ServiceCredential), Account: a.ID, UserName: user, ServiceName: service,
				ServiceUserName: user + "-svc", Alias: "alias-" + user, Password: []byte("p1"), Status: store.AccessKeyActive,
				Created: f.now, Expiration: f.now.Add(time.Hour)}
		}
		c1, c2, c3 := mk("alice", "codecommit.amazonaws.com"), mk("alice", "cassandra.amazonaws.com"), mk("bob", "codecommit.amazonaws.com")
		f.mustUpdate(func(tx store.Tx) error {
			for _, c := range []store.ServiceSpecificCredential{c1, c2, c3} {
				if err := tx.CreateServiceSpecificCredential(c); err != nil {
					return err
				}
			}
			return tx.ResetServiceSpecificCredential(a.ID, "alice", c1.ID, []byte("p2"))
		})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetServiceSpecificCredential(a.ID, "alice", c1.ID)
			noErr(t, err, "GetServiceSpecificCredential")
			if string(got.Password) != "p2" || got.Alias != "alias-alice" || got.ServiceUserName != "alice-svc" || got.UserName != "alice" {
				t.Fatalf("credential = %+v", got)
			}
			sameTime(t, "Expiration", got.Expiration, f.now.Add(time.Hour))
			n, err := tx.CountServiceSpecificCredentials(a.ID, "alice", "codecommit.amazonaws.com")
			noErr(t, err, "CountServiceSpecificCredentials")
			if n != 1 {
				t.Fatalf("codecommit credentials = %d", n)
			}
			all, err := tx.ListServiceSpecificCredentials(a.ID, "", "codecommit.amazonaws.com", store.ListOptions{})
			noErr(t, err, "ListServiceSpecificCredentials")
			want := []string{c1.ID, c3.ID}
			sortStrings(want)
			wantNames(t, "all users' codecommit credentials", names(all.Items, func(c store.ServiceSpecificCredential) string { return c.ID }), want)
			_, err = tx.GetServiceSpecificCredential(a.ID, "bob", c1.ID)
			wantErr(t, err, store.ErrNotFound, store.KindServiceSpecificCredential)
			return nil
		})
	})

	t.Run("SSHKeyDetails", func(t *testing.T) {
		f := newFixture(t, open)
		a := f.account()
		f.user(a.ID, "alice", "/")
		k := store.SSHPublicKey{ID: awsid.Unique(awsid.PublicKey), Account: a.ID, UserName: "alice", Body: "ssh-rsa AAAAB3",
			Fingerprint: "00:11", Status: store.AccessKeyActive, Uploaded: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.UploadSSHPublicKey(k) })
		wantErr(t, f.update(func(tx store.Tx) error { return tx.UploadSSHPublicKey(k) }), store.ErrAlreadyExists, store.KindSSHPublicKey)
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetSSHPublicKey(a.ID, "ALICE", k.ID)
			noErr(t, err, "GetSSHPublicKey")
			if got.Body != k.Body || got.Fingerprint != k.Fingerprint || got.UserName != "alice" {
				t.Fatalf("GetSSHPublicKey = %+v", got)
			}
			sameTime(t, "Uploaded", got.Uploaded, f.now)
			return nil
		})
	})
}
