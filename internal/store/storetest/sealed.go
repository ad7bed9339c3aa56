package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// sealedFixture stores one or more secrets in every sealed column and
// returns what ListSealed must find, by column.
func (f *fixture) sealedFixture(t *testing.T) map[store.SealedColumn][]store.SealedSecret {
	t.Helper()
	a := f.account()
	u := f.user(a.ID, "sealed", "/")
	want := map[store.SealedColumn][]store.SealedSecret{}
	add := func(c store.SealedColumn, id, item string, ct []byte, ad string) {
		want[c] = append(want[c], store.SealedSecret{Column: c, ID: id, Item: item, Ciphertext: ct, AssociatedData: []byte(ad)})
	}
	for range 3 {
		k := f.accessKey(a.ID, u.Name)
		add(store.SealedAccessKeySecrets, k.ID, "", k.Secret, k.ID)
	}
	for i := range 2 {
		d := f.mfaDevice(a.ID, fmt.Sprintf("sealed-%d", i))
		add(store.SealedMFASeeds, d.SerialNumber, "", d.Seed, d.SerialNumber)
	}
	s := newSession(a.ID, f.now)
	sc := store.ServerCertificate{Account: a.ID, ID: awsid.Unique(awsid.ServerCertificate), Name: "sealed", Path: "/",
		ARN: "arn:aws:iam::" + a.ID + ":server-certificate/sealed", Body: "b", PrivateKey: []byte("sealed-pk"), Uploaded: f.now, Expiration: f.now}
	cred := store.ServiceSpecificCredential{ID: awsid.Unique(awsid.ServiceCredential), Account: a.ID, UserName: u.Name,
		ServiceName: "s", ServiceUserName: "n", Password: []byte("sealed-pw"), Status: store.AccessKeyActive, Created: f.now}
	saml := store.SAMLProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":saml-provider/sealed", Name: "sealed", UUID: "u",
		Metadata: "m", Created: f.now, PrivateKeys: []store.SAMLPrivateKey{
			{KeyID: "KEYONE", Key: []byte("sealed-saml-1"), Timestamp: f.now},
			{KeyID: "KEYTWO", Key: []byte("sealed-saml-2"), Timestamp: f.now},
		}}
	bare := store.SAMLProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":saml-provider/bare", Name: "bare", UUID: "v",
		Metadata: "m", Created: f.now}
	f.mustUpdate(func(tx store.Tx) error {
		for _, err := range []error{
			tx.CreateSession(s),
			tx.UploadServerCertificate(sc),
			tx.CreateServiceSpecificCredential(cred),
			tx.CreateSAMLProvider(saml),
			tx.CreateSAMLProvider(bare),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	add(store.SealedSessionSecrets, s.AccessKeyID, "", s.Secret, s.AccessKeyID)
	add(store.SealedServerCertificateKeys, sc.ID, "", sc.PrivateKey, sc.ID)
	add(store.SealedServiceCredentialPasswords, cred.ID, "", cred.Password, cred.ID)
	for _, k := range saml.PrivateKeys {
		add(store.SealedSAMLPrivateKeys, saml.ARN, k.KeyID, k.Key, k.KeyID)
	}
	for c := range want {
		slices.SortStableFunc(want[c], func(x, y store.SealedSecret) int {
			if x.ID != y.ID {
				return compareStrings(x.ID, y.ID)
			}
			return 0 // a SAML provider's keys keep their stored order
		})
	}
	return want
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// listAllSealed reads every page of a column, max rows at a time.
func listAllSealed(t *testing.T, tx store.Tx, c store.SealedColumn, max int) []store.SealedSecret {
	t.Helper()
	var all []store.SealedSecret
	opts := store.ListOptions{MaxItems: max}
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("ListSealed(%s) does not end", c)
		}
		p, err := tx.ListSealed(c, opts)
		noErr(t, err, "ListSealed "+string(c))
		all = append(all, p.Items...)
		if !p.Truncated() {
			return all
		}
		opts.Marker = p.Marker
	}
}

func sameSealed(t *testing.T, what string, got, want []store.SealedSecret) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d secrets, want %d: %+v", what, len(got), len(want), got)
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Column != w.Column || g.ID != w.ID || g.Item != w.Item ||
			!bytes.Equal(g.Ciphertext, w.Ciphertext) || !bytes.Equal(g.AssociatedData, w.AssociatedData) {
			t.Fatalf("%s[%d] = %+v, want %+v", what, i, g, w)
		}
	}
}

func testSealed(t *testing.T, open Opener) {
	f := newFixture(t, open)
	want := f.sealedFixture(t)

	t.Run("ColumnsListed", func(t *testing.T) {
		if got := store.SealedColumns(); len(got) != len(want) {
			t.Fatalf("SealedColumns = %v, fixture covers %d columns", got, len(want))
		}
	})

	t.Run("List", func(t *testing.T) {
		for _, c := range store.SealedColumns() {
			for _, max := range []int{1, 2, 0} {
				t.Run(fmt.Sprintf("%s/max%d", c, max), func(t *testing.T) {
					f.mustView(func(tx store.Tx) error {
						sameSealed(t, string(c), listAllSealed(t, tx, c, max), want[c])
						return nil
					})
				})
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		cases := []struct {
			name string
			run  func(tx store.Tx) error
			want error
		}{
			{"unknown column in list", func(tx store.Tx) error {
				_, err := tx.ListSealed("users.name", store.ListOptions{})
				return err
			}, store.ErrInvalidArgument},
			{"foreign marker", func(tx store.Tx) error {
				_, err := tx.ListSealed(store.SealedMFASeeds, store.ListOptions{Marker: "bm9wZQ"})
				return err
			}, store.ErrInvalidArgument},
			{"marker of another column", func(tx store.Tx) error {
				p, err := tx.ListSealed(store.SealedAccessKeySecrets, store.ListOptions{MaxItems: 1})
				if err != nil {
					return err
				}
				_, err = tx.ListSealed(store.SealedMFASeeds, store.ListOptions{Marker: p.Marker})
				return err
			}, store.ErrInvalidArgument},
			{"unknown column in replace", func(tx store.Tx) error {
				_, err := tx.ReplaceSealed(store.SealedSecret{Column: "users.name", ID: "x", Ciphertext: []byte("a")}, []byte("b"))
				return err
			}, store.ErrInvalidArgument},
			{"empty new ciphertext", func(tx store.Tx) error {
				_, err := tx.ReplaceSealed(want[store.SealedAccessKeySecrets][0], nil)
				return err
			}, store.ErrInvalidArgument},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantErr(t, f.update(tc.run), tc.want, "")
			})
		}
		t.Run("read-only", func(t *testing.T) {
			err := f.view(func(tx store.Tx) error {
				_, err := tx.ReplaceSealed(want[store.SealedAccessKeySecrets][0], []byte("new"))
				return err
			})
			wantErr(t, err, store.ErrReadOnly, "")
		})
	})

	t.Run("Replace", func(t *testing.T) {
		for _, c := range store.SealedColumns() {
			t.Run(string(c), func(t *testing.T) {
				s := want[c][len(want[c])-1]
				fresh := []byte("resealed:" + s.ID + s.Item)
				var swapped, stale, missing bool
				f.mustUpdate(func(tx store.Tx) error {
					var err error
					swapped, err = tx.ReplaceSealed(s, fresh)
					noErr(t, err, "ReplaceSealed")
					// The same swap again: the row no longer holds the old
					// ciphertext, as after a concurrent change.
					stale, err = tx.ReplaceSealed(s, []byte("lost update"))
					noErr(t, err, "ReplaceSealed of a stale ciphertext")
					gone := s
					gone.ID, gone.Item = s.ID+"-missing", s.Item+"-missing"
					missing, err = tx.ReplaceSealed(gone, []byte("nowhere"))
					noErr(t, err, "ReplaceSealed of a missing row")
					return nil
				})
				if !swapped || stale || missing {
					t.Fatalf("swapped, stale, missing = %v, %v, %v; want true, false, false", swapped, stale, missing)
				}
				exp := slices.Clone(want[c])
				exp[len(exp)-1].Ciphertext = fresh
				f.mustView(func(tx store.Tx) error {
					sameSealed(t, string(c)+" after replace", listAllSealed(t, tx, c, 0), exp)
					return nil
				})
				want[c] = exp
			})
		}
		// The domain getters see the new ciphertexts.
		f.mustView(func(tx store.Tx) error {
			k := want[store.SealedAccessKeySecrets][2]
			got, err := tx.GetAccessKey(k.ID)
			noErr(t, err, "GetAccessKey")
			if !bytes.Equal(got.Secret, k.Ciphertext) {
				t.Errorf("GetAccessKey secret = %q, want %q", got.Secret, k.Ciphertext)
			}
			sess := want[store.SealedSessionSecrets][0]
			gotS, err := tx.GetSession(sess.ID)
			noErr(t, err, "GetSession")
			if !bytes.Equal(gotS.Secret, sess.Ciphertext) {
				t.Errorf("GetSession secret = %q, want %q", gotS.Secret, sess.Ciphertext)
			}
			return nil
		})
	})
}
