package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iamd/iamd/internal/awsid"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/postgres"
	"github.com/iamd/iamd/internal/store/postgres/pgtest"
	"github.com/iamd/iamd/internal/store/sqlstore"
	"github.com/iamd/iamd/internal/store/storetest"
)

// The tests need a PostgreSQL server; package pgtest finds or starts one
// and explains a skip.

func TestMain(m *testing.M) { pgtest.Main(m) }

// openStore opens a Store on a new, empty database.
func openStore(tb testing.TB) store.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openStore)
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, openStore)
}

// TestConcurrentStart opens several stores on one empty database at once,
// as servers starting together do: each migration is applied exactly once
// and every table gets its change trigger exactly once.
func TestConcurrentStart(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	const servers = 6
	var wg sync.WaitGroup
	errs := make([]error, servers)
	stores := make([]*postgres.Store, servers)
	start := make(chan struct{})
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			stores[i], errs[i] = postgres.Open(context.Background(), dsn)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("server %d: %v", i, err)
		} else {
			defer stores[i].Close()
		}
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var rows, distinct, newest int
	if err := c.QueryRow(ctx, "SELECT COUNT(*), COUNT(DISTINCT version), MAX(version) FROM schema_migrations").Scan(&rows, &distinct, &newest); err != nil {
		t.Fatal(err)
	}
	if rows != distinct || newest != sqlstore.SchemaVersion() {
		t.Errorf("schema_migrations: %d rows, %d versions, newest %d; want each version once up to %d", rows, distinct, newest, sqlstore.SchemaVersion())
	}
	var tables, triggers int
	if err := c.QueryRow(ctx, `SELECT
		(SELECT COUNT(DISTINCT table_name) FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'account') + 1,
		(SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'iamd_change_notify')`).Scan(&tables, &triggers); err != nil {
		t.Fatal(err)
	}
	if triggers != tables {
		t.Errorf("%d change triggers on %d account tables, want one each", triggers, tables)
	}
}

// TestOpenErrors checks that bad DSNs and unreachable servers give clear
// errors, and that a password in a DSN never appears in one.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tests := []struct {
		name, dsn, want string
	}{
		{"not a DSN", "postgres://u:s3cret@h:notaport/db", "cannot parse the DSN"},
		{"bad pool size", "postgres://u:s3cret@127.0.0.1:1/db?pool_max_conns=zero", "pool_max_conns"},
		{"no server", "postgres://u:s3cret@127.0.0.1:1/db?connect_timeout=2", `database "db" on 127.0.0.1:1 as "u"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := postgres.Open(ctx, tc.dsn)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", tc.dsn)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// account creates an account in s.
func account(t testing.TB, s store.Store) string {
	t.Helper()
	id := awsid.AccountID()
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateAccount(store.Account{ID: id, RootEmail: "root@example.com", Created: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestWatchChanges runs two stores over one database, as two servers: a
// commit through one is reported to the other's watcher with the
// account's id; a rolled-back transaction and an update that only records
// a key's use are not.
func TestWatchChanges(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	a, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	acct := account(t, a)
	got := make(chan string, 100)
	if err := b.WatchChanges(ctx, func(account string) { got <- account }); err != nil {
		t.Fatal(err)
	}
	expect := func(t *testing.T, want string) {
		t.Helper()
		select {
		case g := <-got:
			if g != want {
				t.Errorf("notified %q, want %q", g, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no notification for %q", want)
		}
	}
	expectNone := func(t *testing.T) {
		t.Helper()
		// A marker commit after the silent one: notifications arrive
		// in commit order, so if the marker comes first, the silent
		// one sent nothing.
		marker := account(t, a)
		expect(t, marker)
	}
	now := time.Now()
	key := store.AccessKey{Account: acct, ID: awsid.AccessKeyID(awsid.LongTermAccessKey), Secret: []byte("sealed"), Status: store.AccessKeyActive, Created: now}
	steps := []struct {
		name   string
		fn     func(store.Tx) error
		notify bool
	}{
		{"create user", func(tx store.Tx) error {
			return tx.CreateUser(store.User{Account: acct, ID: awsid.Unique(awsid.User), Name: "alice", Path: "/", Created: now})
		}, true},
		{"rolled back", func(tx store.Tx) error {
			if err := tx.CreateUser(store.User{Account: acct, ID: awsid.Unique(awsid.User), Name: "bob", Path: "/", Created: now}); err != nil {
				return err
			}
			return errors.New("roll back")
		}, false},
		{"create root key", func(tx store.Tx) error { return tx.CreateAccessKey(key) }, true},
		{"record key use", func(tx store.Tx) error {
			return tx.RecordAccessKeyUse([]store.KeyUse{{AccessKeyID: key.ID, Time: now, Service: "iam", Region: "us-east-1"}})
		}, false},
		{"deactivate key", func(tx store.Tx) error {
			return tx.UpdateAccessKeyStatus(acct, "", key.ID, store.AccessKeyInactive)
		}, true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_ = a.Update(ctx, st.fn)
			if st.notify {
				expect(t, acct)
			} else {
				expectNone(t)
			}
		})
	}
}

// TestWatchEndsWithClose checks that Close ends the watch (and does not
// hang on it), and that watching a closed store fails.
func TestWatchEndsWithClose(t *testing.T) {
	t.Parallel()
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WatchChanges(context.Background(), func(string) {}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.WatchChanges(context.Background(), func(string) {}); err == nil {
		t.Error("WatchChanges on a closed store succeeded")
	}
}

// BenchmarkChangeDelay measures the time from a commit through one store
// to the notification on another store's watcher: how stale another
// server's caches can be. It reports the median and p99 per commit.
func BenchmarkChangeDelay(b *testing.B) {
	dsn := pgtest.NewDatabase(b)
	ctx := context.Background()
	a, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	w, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	acct := account(b, a)
	got := make(chan time.Time, 1)
	if err := w.WatchChanges(ctx, func(string) {
		select {
		case got <- time.Now():
		default:
		}
	}); err != nil {
		b.Fatal(err)
	}
	var delays []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		err := a.Update(ctx, func(tx store.Tx) error {
			return tx.CreateUser(store.User{Account: acct, ID: awsid.Unique(awsid.User), Name: fmt.Sprintf("u%d", i), Path: "/", Created: time.Now()})
		})
		// The delay that matters is from the moment the writing server
		// could answer its client: a notification that arrived before
		// Update returned counts as no delay.
		returned := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-got:
			delays = append(delays, max(0, at.Sub(returned)))
		case <-time.After(10 * time.Second):
			b.Fatal("no notification")
		}
	}
	b.StopTimer()
	reportDelays(b, delays)
}

// reportDelays reports the median, p99 and maximum of delays.
func reportDelays(b *testing.B, delays []time.Duration) {
	if len(delays) == 0 {
		return
	}
	slices.Sort(delays)
	pct := func(p float64) time.Duration { return delays[min(len(delays)-1, int(p*float64(len(delays))))] }
	b.ReportMetric(float64(pct(0.5).Microseconds()), "p50-µs")
	b.ReportMetric(float64(pct(0.99).Microseconds()), "p99-µs")
	b.ReportMetric(float64(delays[len(delays)-1].Microseconds()), "max-µs")
}

// TestWatchReconnects ends the watch's connection from the server side,
// as a restart of PostgreSQL or an administrator would: the watcher
// reports "" (anything may have changed while it was not listening),
// listens again, and reports later commits as before.
func TestWatchReconnects(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got := make(chan string, 1000)
	if err := s.WatchChanges(ctx, func(account string) { got <- account }); err != nil {
		t.Fatal(err)
	}
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var killed int
	if err := c.QueryRow(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND application_name LIKE '%(change watch)'`).Scan(&killed); err != nil {
		t.Fatal(err)
	}
	if killed != 1 {
		t.Fatalf("terminated %d watch connections, want 1", killed)
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case g := <-got:
				if g == want {
					return
				}
				if g != "" {
					t.Fatalf("notified %q while waiting for %q", g, want)
				}
			case <-deadline:
				t.Fatalf("no notification %q within 10s", want)
			}
		}
	}
	wait("")
	// Commit until one is reported: the first may land before LISTEN is
	// back, and is then covered by the "" reported after it.
	acct := account(t, s)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateUser(store.User{Account: acct, ID: awsid.Unique(awsid.User), Name: awsid.Unique("u"), Path: "/", Created: time.Now()})
		})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case g := <-got:
			if g == acct {
				return
			}
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("no notification after the watch reconnected")
		}
	}
}
