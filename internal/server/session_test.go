package server_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/account"
	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
)

// TestSweepSessions keeps expired sessions for SessionRetention (so that
// their keys still get ExpiredToken), then deletes them.
func TestSweepSessions(t *testing.T) {
	st, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	kr, err := seal.NewKeyring(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	const acct = "123456789012"
	if err := account.Ensure(context.Background(), st, acct, now); err != nil {
		t.Fatal(err)
	}
	ends := map[string]time.Duration{
		"long gone":        -server.SessionRetention - time.Hour,
		"recently expired": -time.Hour,
		"live":             time.Hour,
	}
	ids := map[string]string{}
	for name, d := range ends {
		s := store.Session{AccessKeyID: awsid.AccessKeyIDFor(awsid.TemporaryAccessKey, acct), Account: acct, Type: store.SessionToken,
			Secret: []byte("s"), TokenHash: []byte("h"), Issued: now.Add(d - time.Hour), Expires: now.Add(d)}
		if err := st.Update(context.Background(), func(tx store.Tx) error { return tx.CreateSession(s) }); err != nil {
			t.Fatal(err)
		}
		ids[name] = s.AccessKeyID
	}
	srv := server.New(server.Options{Store: st, Keyring: kr, APIs: server.DefaultAPIs(st, kr), Now: func() time.Time { return now }})
	n, err := srv.SweepSessions(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("SweepSessions = %d, %v; want 1", n, err)
	}
	for name, id := range ids {
		err := st.View(context.Background(), func(tx store.Tx) error {
			_, err := tx.GetSession(id)
			return err
		})
		if gone := errors.Is(err, store.ErrNotFound); gone != (name == "long gone") {
			t.Errorf("%s: GetSession after the sweep: %v", name, err)
		}
	}
}
