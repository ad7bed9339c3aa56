package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
	"github.com/iamd/iamd/internal/store/storetest"
)

// The PostgreSQL dialect is proven here, with the same conformance suite
// as SQLite, so that the SQL both must run is written once and checked
// against both from the start. The PostgreSQL store itself (iamd serve
// --store postgres://...) is a later package; this test needs a server:
//
//   - IAMD_TEST_POSTGRES_URL, a database/sql DSN of a server where the
//     test may create databases, or else
//   - PostgreSQL's initdb and pg_ctl on PATH (Debian's postgresql
//     package), with which the test runs a throwaway cluster on a Unix
//     socket in a temporary directory.
//
// Without either the test skips and says why, unless
// IAMD_REQUIRE_POSTGRES=1 (scripts/test.sh sets it when it started a
// cluster), which makes it fail instead.

var pg struct {
	once sync.Once
	dsn  func(db string) string
	err  error
	stop func()
	n    atomic.Int64
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pg.stop != nil {
		pg.stop()
	}
	os.Exit(code)
}

// postgresServer returns a function that makes DSNs for databases on a
// running server, starting a throwaway cluster on first use.
func postgresServer(t testing.TB) func(db string) string {
	pg.once.Do(func() {
		if url := os.Getenv("IAMD_TEST_POSTGRES_URL"); url != "" {
			pg.dsn = func(db string) string {
				if db == "" {
					return url
				}
				return url + " dbname=" + db
			}
			return
		}
		pg.dsn, pg.stop, pg.err = startCluster()
	})
	if pg.err != nil && os.Getenv("IAMD_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("IAMD_REQUIRE_POSTGRES=1 but no PostgreSQL server: %v", pg.err)
	}
	if pg.err != nil {
		t.Skipf("no PostgreSQL server: %v (set IAMD_TEST_POSTGRES_URL or install the postgresql package)", pg.err)
	}
	return pg.dsn
}

// startCluster runs initdb and pg_ctl into a temporary directory. As root
// (PostgreSQL refuses to run as root) it runs them as the postgres user.
func startCluster() (dsn func(string) string, stop func(), err error) {
	initdb, err := exec.LookPath("initdb")
	if err != nil {
		return nil, nil, err
	}
	pgctl, err := exec.LookPath("pg_ctl")
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "iamd-pg-")
	if err != nil {
		return nil, nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, nil, err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", filepath.Base(name), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(initdb, "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300", dir)
	if err := run(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	stop = func() {
		_ = run(pgctl, "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	return func(db string) string {
		if db == "" {
			db = "postgres"
		}
		return fmt.Sprintf("host=%s user=postgres dbname=%s sslmode=disable", dir, db)
	}, stop, nil
}

// openPostgres gives each test a new, empty database.
func openPostgres(tb testing.TB) store.Store {
	tb.Helper()
	dsn := postgresServer(tb)
	admin, err := sql.Open("pgx", dsn(""))
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("iamd_test_%d_%d", os.Getpid(), pg.n.Add(1))
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("pgx", dsn(name))
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(50)
	s, err := sqlstore.New(context.Background(), sqlstore.Postgres(), db, db)
	if err != nil {
		db.Close()
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
		admin, err := sql.Open("pgx", dsn(""))
		if err == nil {
			_, _ = admin.Exec("DROP DATABASE " + name)
			admin.Close()
		}
	})
	return s
}

func TestPostgresConformance(t *testing.T) {
	storetest.Run(t, openPostgres)
}

// TestPostgresConcurrentMigrations starts several stores on one empty
// database at once, as several servers starting together would: the
// advisory lock makes exactly one apply the migrations and the others
// find them applied.
func TestPostgresConcurrentMigrations(t *testing.T) {
	dsn := postgresServer(t)
	admin, err := sql.Open("pgx", dsn(""))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("iamd_migrate_%d", os.Getpid())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	const servers = 6
	errs := make(chan error, servers)
	stores := make(chan *sqlstore.Store, servers)
	var wg sync.WaitGroup
	for range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := sql.Open("pgx", dsn(name))
			if err != nil {
				errs <- err
				return
			}
			s, err := sqlstore.New(context.Background(), sqlstore.Postgres(), db, db)
			if err != nil {
				db.Close()
				errs <- err
				return
			}
			stores <- s
		}()
	}
	wg.Wait()
	close(errs)
	close(stores)
	for err := range errs {
		t.Errorf("concurrent start: %v", err)
	}
	for s := range stores {
		s.Close()
	}
	db, err := sql.Open("pgx", dsn(name))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, max int
	if err := db.QueryRow("SELECT COUNT(*), MAX(version) FROM schema_migrations").Scan(&rows, &max); err != nil {
		t.Fatal(err)
	}
	// Versions need only be unique, not contiguous: each migration file
	// must be recorded exactly once.
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(files) || max != sqlstore.SchemaVersion() {
		t.Fatalf("schema_migrations has %d rows up to version %d, want one per migration file (%d) up to %d", rows, max, len(files), sqlstore.SchemaVersion())
	}
}

// BenchmarkPostgres runs the store benchmarks on PostgreSQL. The
// throwaway cluster runs with fsync off, so CreateUser here measures the
// SQL, not durability.
func BenchmarkPostgres(b *testing.B) {
	storetest.Bench(b, openPostgres)
}
