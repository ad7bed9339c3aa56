package rekey_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/rekey"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
)

// world is a store with secrets in every sealed column, sealed under the
// key file's first key, and the plaintexts they hold.
type world struct {
	st      store.Store
	kr      *seal.Keyring
	keyPath string
	plain   map[string]string // "column id/item" -> plaintext
}

func key(s store.SealedSecret) string { return string(s.Column) + " " + s.ID + "/" + s.Item }

func newWorld(t *testing.T) *world {
	t.Setenv(seal.EnvMasterKey, "")
	w := &world{keyPath: filepath.Join(t.TempDir(), "master.key"), plain: map[string]string{}}
	var err error
	if w.kr, err = seal.OpenKeyFile(w.keyPath); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w.st = st
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := store.Account{ID: awsid.AccountID(), RootEmail: "root@example.com", RootPasswordHash: []byte("h"), Created: now}
	u := store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "alice", Path: "/", Created: now}
	seal := func(col store.SealedColumn, id, item, ad string) []byte {
		p := "secret of " + id + item
		ct, err := w.kr.Seal([]byte(p), []byte(ad))
		if err != nil {
			t.Fatal(err)
		}
		w.plain[string(col)+" "+id+"/"+item] = p
		return ct
	}
	err = st.Update(context.Background(), func(tx store.Tx) error {
		steps := []error{tx.CreateAccount(a), tx.CreateUser(u)}
		for range 5 { // more than one page of 2
			id := awsid.AccessKeyID(awsid.LongTermAccessKey)
			steps = append(steps, tx.CreateAccessKey(store.AccessKey{ID: id, Account: a.ID, UserName: u.Name,
				Secret: seal(store.SealedAccessKeySecrets, id, "", id), Status: store.AccessKeyActive, Created: now}))
		}
		serial := "arn:aws:iam::" + a.ID + ":mfa/alice"
		steps = append(steps, tx.CreateVirtualMFADevice(store.MFADevice{Account: a.ID, SerialNumber: serial, Name: "alice", Path: "/",
			Seed: seal(store.SealedMFASeeds, serial, "", serial), Created: now}))
		sid := awsid.AccessKeyIDFor(awsid.TemporaryAccessKey, a.ID)
		steps = append(steps, tx.CreateSession(store.Session{AccessKeyID: sid, Account: a.ID, Type: store.SessionToken,
			Secret: seal(store.SealedSessionSecrets, sid, "", sid), TokenHash: bytes.Repeat([]byte{1}, 32),
			Issued: now, Expires: now.Add(time.Hour), UserID: u.ID, UserName: u.Name, UserPath: "/"}))
		cid := awsid.Unique(awsid.ServerCertificate)
		steps = append(steps, tx.UploadServerCertificate(store.ServerCertificate{Account: a.ID, ID: cid, Name: "c", Path: "/",
			ARN: "arn:aws:iam::" + a.ID + ":server-certificate/c", Body: "b",
			PrivateKey: seal(store.SealedServerCertificateKeys, cid, "", cid), Uploaded: now, Expiration: now}))
		scid := awsid.Unique(awsid.ServiceCredential)
		steps = append(steps, tx.CreateServiceSpecificCredential(store.ServiceSpecificCredential{ID: scid, Account: a.ID, UserName: u.Name,
			ServiceName: "codecommit.amazonaws.com", ServiceUserName: "alice-at-1",
			Password: seal(store.SealedServiceCredentialPasswords, scid, "", scid), Status: store.AccessKeyActive, Created: now}))
		arn := "arn:aws:iam::" + a.ID + ":saml-provider/idp"
		steps = append(steps, tx.CreateSAMLProvider(store.SAMLProvider{Account: a.ID, ARN: arn, Name: "idp", UUID: "u", Metadata: "m", Created: now,
			PrivateKeys: []store.SAMLPrivateKey{
				{KeyID: "KEYA", Key: seal(store.SealedSAMLPrivateKeys, arn, "KEYA", "KEYA"), Timestamp: now},
				{KeyID: "KEYB", Key: seal(store.SealedSAMLPrivateKeys, arn, "KEYB", "KEYB"), Timestamp: now},
			}}))
		return errors.Join(steps...)
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// all lists every sealed secret of the store.
func (w *world) all(t *testing.T) []store.SealedSecret {
	t.Helper()
	var out []store.SealedSecret
	err := w.st.View(context.Background(), func(tx store.Tx) error {
		for _, c := range store.SealedColumns() {
			opts := store.ListOptions{}
			for {
				p, err := tx.ListSealed(c, opts)
				if err != nil {
					return err
				}
				out = append(out, p.Items...)
				if !p.Truncated() {
					break
				}
				opts.Marker = p.Marker
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// checkOpens reopens the key file, as a restarted server does, and checks
// that every secret opens with it to its original plaintext (or to the
// plaintext in override).
func (w *world) checkOpens(t *testing.T, wantKeys []uint32, override map[string]string) {
	t.Helper()
	kr, err := seal.OpenKeyFile(w.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.KeyIDs(); !slices.Equal(got, wantKeys) {
		t.Fatalf("key file holds keys %v, want %v", got, wantKeys)
	}
	secrets := w.all(t)
	if len(secrets) != len(w.plain) {
		t.Fatalf("%d secrets in the store, want %d", len(secrets), len(w.plain))
	}
	for _, s := range secrets {
		if kr.NeedsReseal(s.Ciphertext) {
			t.Errorf("%s is not sealed by the active key %d", key(s), kr.ActiveKeyID())
		}
		pt, err := kr.Open(s.Ciphertext, s.AssociatedData)
		if err != nil {
			t.Errorf("%s does not open: %v", key(s), err)
			continue
		}
		want := w.plain[key(s)]
		if o, ok := override[key(s)]; ok {
			want = o
		}
		if string(pt) != want {
			t.Errorf("%s opens to %q, want %q", key(s), pt, want)
		}
	}
}

func TestRotateMaster(t *testing.T) {
	w := newWorld(t)
	rep, err := rekey.RotateMaster(context.Background(), w.st, w.kr, rekey.Options{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[store.SealedColumn]int{
		store.SealedAccessKeySecrets: 5, store.SealedMFASeeds: 1, store.SealedSessionSecrets: 1,
		store.SealedServerCertificateKeys: 1, store.SealedServiceCredentialPasswords: 1, store.SealedSAMLPrivateKeys: 2,
	}
	for _, c := range store.SealedColumns() {
		if rep.Resealed[c] != want[c] {
			t.Errorf("Resealed[%s] = %d, want %d", c, rep.Resealed[c], want[c])
		}
	}
	if rep.NewKeyID != 2 || !slices.Equal(rep.Retired, []uint32{1}) || rep.Passes != 1 || rep.Total() != 11 || len(rep.Failed) != 0 {
		t.Errorf("report = %+v, want key 2, key 1 retired, one pass, 11 re-sealed", rep)
	}
	w.checkOpens(t, []uint32{2}, nil)

	// A second rotation re-seals everything again, under key 3.
	rep, err = rekey.RotateMaster(context.Background(), w.st, w.kr, rekey.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.NewKeyID != 3 || rep.Total() != 11 || !slices.Equal(rep.Retired, []uint32{2}) {
		t.Errorf("second rotation: %+v", rep)
	}
	w.checkOpens(t, []uint32{3}, nil)
}

// racing runs hook before the first Update it sees: a change that lands
// between a rotation's read of a page and its write.
type racing struct {
	store.Store
	hook func(tx store.Tx) error
}

func (r *racing) Update(ctx context.Context, fn func(store.Tx) error) error {
	if h := r.hook; h != nil {
		r.hook = nil
		if err := r.Store.Update(ctx, h); err != nil {
			return err
		}
	}
	return r.Store.Update(ctx, fn)
}

func TestConcurrentChangeKept(t *testing.T) {
	w := newWorld(t)
	// A server still running with the old key only seals a new secret for
	// the first access key while the rotation re-seals the page holding it.
	oldKey, err := seal.OpenKeyFile(w.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	first := w.all(t)[0]
	changed, err := oldKey.Seal([]byte("changed meanwhile"), first.AssociatedData)
	if err != nil {
		t.Fatal(err)
	}
	r := &racing{Store: w.st, hook: func(tx store.Tx) error {
		ok, err := tx.ReplaceSealed(first, changed)
		if !ok && err == nil {
			err = errors.New("the concurrent change did not apply")
		}
		return err
	}}
	rep, err := rekey.RotateMaster(context.Background(), r, w.kr, rekey.Options{PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passes != 2 || rep.Total() != 11 {
		t.Errorf("report = %+v, want 2 passes (the changed secret re-sealed in the second) and 11 re-sealed", rep)
	}
	w.checkOpens(t, []uint32{2}, map[string]string{key(first): "changed meanwhile"})
}

func TestUnopenableKeepsOldKeys(t *testing.T) {
	w := newWorld(t)
	secrets := w.all(t)
	bad := secrets[len(secrets)-1] // a SAML key
	tampered := slices.Clone(bad.Ciphertext)
	tampered[len(tampered)-1] ^= 1
	err := w.st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.ReplaceSealed(bad, tampered)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := rekey.RotateMaster(context.Background(), w.st, w.kr, rekey.Options{})
	if !errors.Is(err, rekey.ErrIncomplete) {
		t.Fatalf("RotateMaster error = %v, want ErrIncomplete", err)
	}
	wantFailed := fmt.Sprintf("%s %s/%s", bad.Column, bad.ID, bad.Item)
	if !slices.Equal(rep.Failed, []string{wantFailed}) || rep.Total() != 10 || len(rep.Retired) != 0 {
		t.Errorf("report = %+v, want %q failed, 10 re-sealed, nothing retired", rep, wantFailed)
	}
	kr, err := seal.OpenKeyFile(w.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if got := kr.KeyIDs(); !slices.Equal(got, []uint32{1, 2}) || kr.ActiveKeyID() != 2 {
		t.Errorf("key file: keys %v active %d, want [1 2] active 2", got, kr.ActiveKeyID())
	}
	for _, s := range w.all(t) {
		if s.ID == bad.ID && s.Item == bad.Item {
			continue
		}
		if _, err := kr.Open(s.Ciphertext, s.AssociatedData); err != nil || kr.NeedsReseal(s.Ciphertext) {
			t.Errorf("%s: open error %v, needs reseal %v", key(s), err, kr.NeedsReseal(s.Ciphertext))
		}
	}
}

func TestEnvironmentKeyRefused(t *testing.T) {
	w := newWorld(t)
	kr, err := seal.NewKeyring(bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rekey.RotateMaster(context.Background(), w.st, kr, rekey.Options{}); !errors.Is(err, seal.ErrKeyFile) {
		t.Fatalf("RotateMaster with a keyring not from a file: %v, want seal.ErrKeyFile", err)
	}
}
