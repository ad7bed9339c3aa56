package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/store"
)

func testIdentityProviders(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()

	t.Run("OIDC", func(t *testing.T) {
		p := store.OIDCProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":oidc-provider/token.actions.githubusercontent.com",
			URL: "https://token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"},
			Thumbprints: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}, Created: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.CreateOIDCProvider(p) })
		bare := store.OIDCProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":oidc-provider/accounts.google.com", URL: "https://accounts.google.com", Created: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.CreateOIDCProvider(bare) })

		check := func(t *testing.T, clients, thumbs []string) {
			t.Helper()
			f.mustView(func(tx store.Tx) error {
				got, err := tx.GetOIDCProvider(a.ID, p.ARN)
				noErr(t, err, "GetOIDCProvider")
				if got.URL != p.URL || got.ARN != p.ARN {
					t.Fatalf("GetOIDCProvider = %+v", got)
				}
				sameTime(t, "Created", got.Created, f.now)
				wantNames(t, "client ids", got.ClientIDs, clients)
				wantNames(t, "thumbprints", got.Thumbprints, thumbs)
				return nil
			})
		}
		check(t, []string{"sts.amazonaws.com"}, p.Thumbprints)
		f.mustUpdate(func(tx store.Tx) error {
			noErr(t, tx.AddOIDCClientID(a.ID, p.ARN, "my-app"), "AddOIDCClientID")
			noErr(t, tx.AddOIDCClientID(a.ID, p.ARN, "my-app"), "AddOIDCClientID again")
			noErr(t, tx.RemoveOIDCClientID(a.ID, p.ARN, "sts.amazonaws.com"), "RemoveOIDCClientID")
			noErr(t, tx.RemoveOIDCClientID(a.ID, p.ARN, "never-added"), "RemoveOIDCClientID absent")
			return tx.SetOIDCThumbprints(a.ID, p.ARN, []string{"a", "b"})
		})
		check(t, []string{"my-app"}, []string{"a", "b"})
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetOIDCProvider(a.ID, bare.ARN)
			noErr(t, err, "GetOIDCProvider")
			if got.ClientIDs == nil || len(got.ClientIDs) != 0 || len(got.Thumbprints) != 0 {
				t.Fatalf("provider without lists = %+v", got)
			}
			return nil
		})
		list := allPages(t, 1, func(marker string) (pg store.Page[store.OIDCProvider], err error) {
			err = f.view(func(tx store.Tx) error {
				pg, err = tx.ListOIDCProviders(a.ID, store.ListOptions{Marker: marker, MaxItems: 1})
				return err
			})
			return pg, err
		})
		wantNames(t, "providers", names(list, func(p store.OIDCProvider) string { return p.ARN }), []string{bare.ARN, p.ARN})

		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"create twice", func(tx store.Tx) error { return tx.CreateOIDCProvider(p) }, store.ErrAlreadyExists, store.KindOIDCProvider},
			{"get from another account", func(tx store.Tx) error { _, err := tx.GetOIDCProvider(other.ID, p.ARN); return err }, store.ErrNotFound, store.KindOIDCProvider},
			{"add to missing", func(tx store.Tx) error { return tx.AddOIDCClientID(a.ID, p.ARN+"x", "c") }, store.ErrNotFound, store.KindOIDCProvider},
			{"no URL", func(tx store.Tx) error {
				return tx.CreateOIDCProvider(store.OIDCProvider{Account: a.ID, ARN: "arn:x", Created: f.now})
			}, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
		ref := store.ResourceRef{Account: a.ID, Kind: store.KindOIDCProvider, ID: p.ARN}
		f.mustUpdate(func(tx store.Tx) error { return tx.TagResource(ref, []store.Tag{{Key: "k", Value: "v"}}) })
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteOIDCProvider(a.ID, p.ARN) })
		wantErr(t, f.view(func(tx store.Tx) error { _, err := tx.CountTags(ref); return err }), store.ErrNotFound, store.KindOIDCProvider)
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteOIDCProvider(a.ID, p.ARN) }), store.ErrNotFound, store.KindOIDCProvider)
	})

	t.Run("SAML", func(t *testing.T) {
		until := f.now.Add(365 * 24 * time.Hour)
		p := store.SAMLProvider{Account: a.ID, ARN: "arn:aws:iam::" + a.ID + ":saml-provider/Okta", Name: "Okta",
			UUID: "11111111-2222-3333-4444-555555555555", Metadata: "<EntityDescriptor/>", ValidUntil: until, Created: f.now}
		f.mustUpdate(func(tx store.Tx) error { return tx.CreateSAMLProvider(p) })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetSAMLProvider(a.ID, p.ARN)
			noErr(t, err, "GetSAMLProvider")
			if got.Name != "Okta" || got.UUID != p.UUID || got.Metadata != p.Metadata || got.AssertionEncryptionMode != "" || len(got.PrivateKeys) != 0 {
				t.Fatalf("GetSAMLProvider = %+v", got)
			}
			sameTime(t, "ValidUntil", got.ValidUntil, until)
			return nil
		})
		mode := "Required"
		keys := []store.SAMLPrivateKey{{KeyID: "KEYID1", Key: []byte{1, 2, 3}, Timestamp: f.now}}
		var got store.SAMLProvider
		f.mustUpdate(func(tx store.Tx) (err error) {
			got, err = tx.UpdateSAMLProvider(a.ID, p.ARN, store.SAMLProviderUpdate{AssertionEncryptionMode: &mode, PrivateKeys: &keys})
			return err
		})
		f.mustUpdate(func(tx store.Tx) (err error) {
			got, err = tx.UpdateSAMLProvider(a.ID, p.ARN, store.SAMLProviderUpdate{Metadata: "<EntityDescriptor v='2'/>"})
			return err
		})
		f.mustView(func(tx store.Tx) error {
			stored, err := tx.GetSAMLProvider(a.ID, p.ARN)
			noErr(t, err, "GetSAMLProvider")
			for _, v := range []store.SAMLProvider{got, stored} {
				if v.Metadata != "<EntityDescriptor v='2'/>" || !v.ValidUntil.IsZero() || v.AssertionEncryptionMode != "Required" ||
					len(v.PrivateKeys) != 1 || v.PrivateKeys[0].KeyID != "KEYID1" || !bytes.Equal(v.PrivateKeys[0].Key, []byte{1, 2, 3}) ||
					!v.PrivateKeys[0].Timestamp.Equal(f.now) {
					t.Fatalf("updated provider = %+v", v)
				}
			}
			return nil
		})
		cases := []struct {
			name     string
			fn       func(tx store.Tx) error
			sentinel error
			kind     store.Kind
		}{
			{"same name in other case", func(tx store.Tx) error {
				q := p
				q.ARN, q.Name = "arn:other", "OKTA"
				return tx.CreateSAMLProvider(q)
			}, store.ErrAlreadyExists, store.KindSAMLProvider},
			{"update missing", func(tx store.Tx) error {
				_, err := tx.UpdateSAMLProvider(a.ID, "arn:none", store.SAMLProviderUpdate{Metadata: "x"})
				return err
			}, store.ErrNotFound, store.KindSAMLProvider},
			{"key without id", func(tx store.Tx) error {
				bad := []store.SAMLPrivateKey{{Key: []byte{1}, Timestamp: f.now}}
				_, err := tx.UpdateSAMLProvider(a.ID, p.ARN, store.SAMLProviderUpdate{PrivateKeys: &bad})
				return err
			}, store.ErrInvalidArgument, ""},
			{"get from another account", func(tx store.Tx) error { _, err := tx.GetSAMLProvider(other.ID, p.ARN); return err }, store.ErrNotFound, store.KindSAMLProvider},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(c.fn), c.sentinel, c.kind)
			})
		}
		f.mustView(func(tx store.Tx) error {
			pg, err := tx.ListSAMLProviders(a.ID, store.ListOptions{})
			noErr(t, err, "ListSAMLProviders")
			if len(pg.Items) != 1 || pg.Items[0].ARN != p.ARN {
				t.Fatalf("ListSAMLProviders = %+v", pg.Items)
			}
			return nil
		})
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteSAMLProvider(a.ID, p.ARN) })
		wantErr(t, f.update(func(tx store.Tx) error { return tx.DeleteSAMLProvider(a.ID, p.ARN) }), store.ErrNotFound, store.KindSAMLProvider)
	})
}
