package storetest

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
)

// newSession returns a full role session of the account (every field set),
// issued at now for an hour.
func newSession(account string, now time.Time) store.Session {
	return store.Session{
		AccessKeyID:       awsid.AccessKeyIDFor(awsid.TemporaryAccessKey, account),
		Account:           account,
		Type:              store.SessionAssumedRole,
		Secret:            []byte{0, 1, 2, 254, 255},
		TokenHash:         bytes.Repeat([]byte{7}, 32),
		Issued:            now,
		Expires:           now.Add(time.Hour),
		RoleID:            awsid.Unique(awsid.Role),
		RoleName:          "Reader",
		RolePath:          "/app/",
		Name:              "alice@example.com",
		Policy:            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		PolicyARNs:        []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::" + account + ":policy/p"},
		Tags:              []store.Tag{{Key: "Project", Value: "blue"}, {Key: "cost-center", Value: ""}, {Key: "Ünï", Value: "cödé"}},
		TransitiveTagKeys: []string{"Project"},
		SourceIdentity:    "alice",
		Chained:           true,
		FederatedProvider: "arn:aws:iam::" + account + ":oidc-provider/example.com",
		MFAAuthenticated:  true,
		MFAAuthTime:       now.Add(-time.Minute),
	}
}

func testSessions(t *testing.T, open Opener) {
	f := newFixture(t, open)
	a := f.account()
	other := f.account()
	full := newSession(a.ID, f.now)
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateSession(full) })
	// A GetSessionToken session of root: every optional field empty.
	bare := store.Session{
		AccessKeyID: awsid.AccessKeyIDFor(awsid.TemporaryAccessKey, other.ID),
		Account:     other.ID,
		Type:        store.SessionToken,
		Secret:      []byte("s"),
		TokenHash:   []byte("h"),
		Issued:      f.now,
		Expires:     f.now.Add(36 * time.Hour),
	}
	f.mustUpdate(func(tx store.Tx) error { return tx.CreateSession(bare) })

	t.Run("GetRoundTrip", func(t *testing.T) {
		cases := []struct {
			name string
			want store.Session
		}{
			{"every field", full},
			{"no optional field", bare},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				f.mustView(func(tx store.Tx) error {
					got, err := tx.GetSession(c.want.AccessKeyID)
					noErr(t, err, "GetSession")
					sameTime(t, "Issued", got.Issued, c.want.Issued)
					sameTime(t, "Expires", got.Expires, c.want.Expires)
					if !c.want.MFAAuthTime.IsZero() {
						sameTime(t, "MFAAuthTime", got.MFAAuthTime, c.want.MFAAuthTime)
					} else if !got.MFAAuthTime.IsZero() {
						t.Fatalf("MFAAuthTime = %v, want zero", got.MFAAuthTime)
					}
					got.Issued, got.Expires, got.MFAAuthTime = c.want.Issued, c.want.Expires, c.want.MFAAuthTime
					// nil and empty lists are the same list.
					if len(got.PolicyARNs) == 0 && len(c.want.PolicyARNs) == 0 {
						got.PolicyARNs = c.want.PolicyARNs
					}
					if len(got.Tags) == 0 && len(c.want.Tags) == 0 {
						got.Tags = c.want.Tags
					}
					if len(got.TransitiveTagKeys) == 0 && len(c.want.TransitiveTagKeys) == 0 {
						got.TransitiveTagKeys = c.want.TransitiveTagKeys
					}
					if !reflect.DeepEqual(got, c.want) {
						t.Fatalf("GetSession =\n%+v\nwant\n%+v", got, c.want)
					}
					return nil
				})
			})
		}
	})

	t.Run("GetMissing", func(t *testing.T) {
		f.mustView(func(tx store.Tx) error {
			_, err := tx.GetSession("ASIANOSUCHSESSION000")
			wantErr(t, err, store.ErrNotFound, store.KindSession)
			return nil
		})
	})

	t.Run("CreateErrors", func(t *testing.T) {
		dup := newSession(other.ID, f.now)
		dup.AccessKeyID = full.AccessKeyID
		noSecret := newSession(a.ID, f.now)
		noSecret.Secret = nil
		noToken := newSession(a.ID, f.now)
		noToken.TokenHash = nil
		badType := newSession(a.ID, f.now)
		badType.Type = "Root"
		noIssued := newSession(a.ID, f.now)
		noIssued.Issued = time.Time{}
		noExpiry := newSession(a.ID, f.now)
		noExpiry.Expires = time.Time{}
		badTag := newSession(a.ID, f.now)
		badTag.Tags = []store.Tag{{Key: "k", Value: "a\x00b"}}
		badARN := newSession(a.ID, f.now)
		badARN.PolicyARNs = []string{"\xff"}
		cases := []struct {
			name     string
			s        store.Session
			sentinel error
			kind     store.Kind
		}{
			{"id taken in another account", dup, store.ErrAlreadyExists, store.KindSession},
			{"missing account", newSession("000000000000", f.now), store.ErrNotFound, store.KindAccount},
			{"no secret", noSecret, store.ErrInvalidArgument, ""},
			{"no token hash", noToken, store.ErrInvalidArgument, ""},
			{"unknown type", badType, store.ErrInvalidArgument, ""},
			{"no issue time", noIssued, store.ErrInvalidArgument, ""},
			{"no expiry", noExpiry, store.ErrInvalidArgument, ""},
			{"NUL in a tag value", badTag, store.ErrInvalidArgument, ""},
			{"invalid UTF-8 in a policy ARN", badARN, store.ErrInvalidArgument, ""},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantErr(t, f.update(func(tx store.Tx) error { return tx.CreateSession(c.s) }), c.sentinel, c.kind)
			})
		}
	})

	t.Run("ReadOnly", func(t *testing.T) {
		err := f.view(func(tx store.Tx) error { return tx.CreateSession(newSession(a.ID, f.now)) })
		wantErr(t, err, store.ErrReadOnly, "")
		err = f.view(func(tx store.Tx) error {
			_, err := tx.DeleteExpiredSessions(f.now)
			return err
		})
		wantErr(t, err, store.ErrReadOnly, "")
	})

	t.Run("OutlivesRoleAndUser", func(t *testing.T) {
		// A session refers to its role and user by value: it can be
		// created for ids the store does not hold, and it survives the
		// deletion of the role it names.
		r := f.role(a.ID, "Ephemeral", "/")
		s := newSession(a.ID, f.now)
		s.RoleID, s.RoleName, s.RolePath = r.ID, r.Name, r.Path
		f.mustUpdate(func(tx store.Tx) error { return tx.CreateSession(s) })
		f.mustUpdate(func(tx store.Tx) error { return tx.DeleteRole(a.ID, r.Name) })
		f.mustView(func(tx store.Tx) error {
			got, err := tx.GetSession(s.AccessKeyID)
			noErr(t, err, "GetSession after DeleteRole")
			if got.RoleID != r.ID {
				t.Fatalf("RoleID = %q, want %q", got.RoleID, r.ID)
			}
			return nil
		})
	})

	t.Run("DeleteExpired", func(t *testing.T) {
		g := newFixture(t, open)
		acct := g.account()
		var ids []string
		for _, d := range []time.Duration{-time.Hour, 0, time.Nanosecond, time.Hour} {
			s := newSession(acct.ID, g.now)
			s.Expires = g.now.Add(d)
			s.Issued = s.Expires.Add(-time.Hour)
			g.mustUpdate(func(tx store.Tx) error { return tx.CreateSession(s) })
			ids = append(ids, s.AccessKeyID)
		}
		var n int
		g.mustUpdate(func(tx store.Tx) error {
			var err error
			n, err = tx.DeleteExpiredSessions(g.now)
			return err
		})
		if n != 2 {
			t.Fatalf("DeleteExpiredSessions deleted %d, want 2 (expired before and at the time)", n)
		}
		g.mustView(func(tx store.Tx) error {
			for i, id := range ids {
				_, err := tx.GetSession(id)
				if i < 2 {
					wantErr(t, err, store.ErrNotFound, store.KindSession)
				} else {
					noErr(t, err, "GetSession of a live session")
				}
			}
			return nil
		})
		wantErr(t, g.update(func(tx store.Tx) error {
			_, err := tx.DeleteExpiredSessions(time.Time{})
			return err
		}), store.ErrInvalidArgument, "")
	})

	t.Run("GoneWithAccount", func(t *testing.T) {
		g := newFixture(t, open)
		gone, kept := g.account(), g.account()
		s1, s2 := newSession(gone.ID, g.now), newSession(kept.ID, g.now)
		g.mustUpdate(func(tx store.Tx) error {
			if err := tx.CreateSession(s1); err != nil {
				return err
			}
			return tx.CreateSession(s2)
		})
		g.mustUpdate(func(tx store.Tx) error { return tx.DeleteAccount(gone.ID) })
		g.mustView(func(tx store.Tx) error {
			_, err := tx.GetSession(s1.AccessKeyID)
			wantErr(t, err, store.ErrNotFound, store.KindSession)
			_, err = tx.GetSession(s2.AccessKeyID)
			noErr(t, err, "GetSession of another account's session")
			return nil
		})
		g.mustUpdate(func(tx store.Tx) error { return tx.Reset() })
		g.mustView(func(tx store.Tx) error {
			_, err := tx.GetSession(s2.AccessKeyID)
			wantErr(t, err, store.ErrNotFound, store.KindSession)
			return nil
		})
	})
}
