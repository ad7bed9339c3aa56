package postgres

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/postgres/pgtest"
)

// countingConn counts the writes on a connection to the server. pgconn
// writes each request (a statement, or a whole pipeline up to its Sync)
// in one write and then waits for the answer, so writes are round trips.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// openCounting opens a store whose connections count their writes.
func openCounting(tb testing.TB, lazy bool) (*Store, *atomic.Int64) {
	tb.Helper()
	writes := new(atomic.Int64)
	s, err := open(context.Background(), pgtest.NewDatabase(tb), options{
		lazy: lazy,
		configure: func(cfg *pgx.ConnConfig) {
			dial := cfg.DialFunc
			cfg.DialFunc = func(ctx context.Context, network, addr string) (net.Conn, error) {
				c, err := dial(ctx, network, addr)
				if err != nil {
					return nil, err
				}
				return countingConn{c, writes}, nil
			}
		},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, writes
}

// keyFixture creates an account with a root access key and returns the
// key's id.
func keyFixture(tb testing.TB, s store.Store) string {
	tb.Helper()
	acct := awsid.AccountID()
	id := awsid.AccessKeyID(awsid.LongTermAccessKey)
	now := time.Now()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateAccount(store.Account{ID: acct, RootEmail: "r@example.com", Created: now}); err != nil {
			return err
		}
		return tx.CreateAccessKey(store.AccessKey{ID: id, Account: acct, Secret: []byte("sealed"), Status: store.AccessKeyActive, Created: now})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

func getKey(s store.Store, id string) error {
	return s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.GetAccessKey(id)
		return err
	})
}

// setStatus reads a root key and sets its status in one Update.
func setStatus(s store.Store, id string, st store.AccessKeyStatus) error {
	return s.Update(context.Background(), func(tx store.Tx) error {
		k, err := tx.GetAccessKey(id)
		if err != nil {
			return err
		}
		return tx.UpdateAccessKeyStatus(k.Account, "", id, st)
	})
}

// TestRoundTrips counts the round trips of a one-statement View (the
// SigV4 key lookup) once statements are prepared: one with this package's
// connections, three (BEGIN, SELECT, ROLLBACK) with plain stdlib ones,
// which is what the lazy transactions are for; and of an Update, which
// saves its BEGIN's round trip.
func TestRoundTrips(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		lazy             bool
		view, viewUpdate float64
	}{
		{"lazy", true, 1, 1 + 4},
		{"stdlib", false, 3, 3 + 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, writes := openCounting(t, tc.lazy)
			id := keyFixture(t, s)
			// Warm up: statements get prepared on the connections
			// (in the background, by sqlstore's statement cache).
			for range 50 {
				if err := getKey(s, id); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			// Views back to back on one goroutine: each reuses the
			// connection the previous one released, in well under
			// IdleRollback, as a busy server does.
			const n = 200
			before := writes.Load()
			for range n {
				if err := getKey(s, id); err != nil {
					t.Fatal(err)
				}
			}
			per := float64(writes.Load()-before) / n
			t.Logf("%s: %.2f round trips per one-statement View", tc.name, per)
			if per > tc.view+0.05 || per < tc.view-0.05 {
				t.Errorf("%.2f round trips per View, want %v", per, tc.view)
			}
			// A View and an Update that reads the key and sets its
			// status (SELECT, SELECT, UPDATE; plus BEGIN and COMMIT).
			status := []store.AccessKeyStatus{store.AccessKeyInactive, store.AccessKeyActive}
			for i := range 50 { // prepare the Update's statements too
				if err := setStatus(s, id, status[i%2]); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Millisecond)
			}
			before = writes.Load()
			for i := range n {
				if err := getKey(s, id); err != nil {
					t.Fatal(err)
				}
				if err := setStatus(s, id, status[i%2]); err != nil {
					t.Fatal(err)
				}
			}
			per = float64(writes.Load()-before) / n
			t.Logf("%s: %.2f round trips per View and Update", tc.name, per)
			if per > tc.viewUpdate+0.05 || per < tc.viewUpdate-0.05 {
				t.Errorf("%.2f round trips per View and Update, want %v", per, tc.viewUpdate)
			}
		})
	}
}

// TestIdleRollback checks that a finished View's transaction does not stay
// open on an idle connection: the deferred ROLLBACK goes out on its own.
func TestIdleRollback(t *testing.T) {
	t.Parallel()
	s, _ := openCounting(t, true)
	id := keyFixture(t, s)
	if err := getKey(s, id); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var open int
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_stat_activity
			WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()`).Scan(&open)
		if err != nil {
			t.Fatal(err)
		}
		if open == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still idle in transaction 10s after the View", open)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReadOnlyWithoutStatements checks that a View that runs no statement
// sends nothing, and that the connection is then fine for an Update.
func TestReadOnlyWithoutStatements(t *testing.T) {
	t.Parallel()
	s, writes := openCounting(t, true)
	id := keyFixture(t, s)
	before := writes.Load()
	for range 10 {
		if err := s.View(context.Background(), func(store.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	}
	if n := writes.Load() - before; n != 0 {
		t.Errorf("10 empty Views made %d round trips, want 0", n)
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.UpdateAccessKeyStatus("", "", id, store.AccessKeyInactive)
	})
	if err == nil {
		t.Error("updating a key of account \"\" succeeded")
	}
	if err := getKey(s, id); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkView compares a one-statement View on this package's
// connections with plain stdlib ones.
func BenchmarkView(b *testing.B) {
	for _, lazy := range []bool{true, false} {
		name := "stdlib"
		if lazy {
			name = "lazy"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := openCounting(b, lazy)
			id := keyFixture(b, s)
			for range 50 {
				_ = getKey(s, id)
				time.Sleep(time.Millisecond)
			}
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := getKey(s, id); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
