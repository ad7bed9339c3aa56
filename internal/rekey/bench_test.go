package rekey_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/rekey"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
)

// BenchmarkRotateMaster measures a whole rotation (rotate, re-seal, retire)
// of a SQLite store holding 1000 access key secrets; one op re-seals all
// of them.
func BenchmarkRotateMaster(b *testing.B) {
	b.Setenv(seal.EnvMasterKey, "")
	kr, err := seal.OpenKeyFile(filepath.Join(b.TempDir(), "master.key"))
	if err != nil {
		b.Fatal(err)
	}
	st, err := sqlite.OpenTemp()
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	a := store.Account{ID: awsid.AccountID(), RootEmail: "root@example.com", RootPasswordHash: []byte("h"), Created: now}
	u := store.User{Account: a.ID, ID: awsid.Unique(awsid.User), Name: "u", Path: "/", Created: now}
	const keys = 1000
	err = st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateAccount(a); err != nil {
			return err
		}
		if err := tx.CreateUser(u); err != nil {
			return err
		}
		for range keys {
			id := awsid.AccessKeyID(awsid.LongTermAccessKey)
			ct, err := kr.Seal([]byte("0123456789012345678901234567890123456789"), []byte(id))
			if err != nil {
				return err
			}
			if err := tx.CreateAccessKey(store.AccessKey{ID: id, Account: a.ID, UserName: u.Name, Secret: ct,
				Status: store.AccessKeyActive, Created: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		rep, err := rekey.RotateMaster(context.Background(), st, kr, rekey.Options{})
		if err != nil || rep.Total() != keys {
			b.Fatalf("rotation: %+v, %v", rep, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*keys), "ns/secret")
}
