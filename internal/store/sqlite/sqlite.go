// Package sqlite is iamd's embedded default store: one SQLite database
// file (modernc.org/sqlite, pure Go, no cgo) under the data directory,
// behind the one SQL implementation in package sqlstore.
//
// The file is opened in WAL mode, so that readers never wait for the
// writer and the writer never waits for readers. Writes go through a
// single connection whose transactions begin with BEGIN IMMEDIATE: one
// writer at a time, which is what makes Update serializable (a service's
// "count the keys, then insert one" cannot interleave with another's).
// Reads go through a pool of query-only connections.
//
// synchronous is FULL: every commit is on disk when Update returns (WAL
// plus an fsync of the log per commit). With NORMAL, the default for WAL,
// the last commits before a power loss can vanish; iamd hands out access
// keys and writes them to files once, so a key that the server reported
// as created and then forgot would be worse than the fsync's cost, which
// the benchmark in this package measures.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

// Store is the SQLite store.
type Store struct {
	*sqlstore.Store
	path    string
	tempDir string // removed on Close, for OpenTemp
}

// BusyTimeoutMillis is how long a connection waits for another process's
// write lock (iamd account create working on the data directory while the
// server runs) before it gives up with SQLITE_BUSY.
const BusyTimeoutMillis = 10000

// Dialect returns the SQLite dialect of package sqlstore.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        "sqlite",
		Placeholder: sqlstore.Question,
		Types: map[string]string{
			"TEXT":          "TEXT",
			"BLOB":          "BLOB",
			"WITHOUT_ROWID": "WITHOUT ROWID",
		},
		// BEGIN IMMEDIATE comes from the write pool's DSN (_txlock).
		UpdateTx: sql.TxOptions{},
		ViewTx:   sql.TxOptions{ReadOnly: true},
		Classify: classify,
		// A busy database has already been waited for (busy_timeout);
		// running the transaction again would only wait again.
		MaxAttempts: 1,
	}
}

func classify(err error) sqlstore.ErrorClass {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return sqlstore.ClassOther
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.ClassUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ClassForeignKey
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return sqlstore.ClassCheck
	}
	return sqlstore.ClassOther
}

// Open opens the database file at path, creating it (mode 0600: it holds
// password hashes and sealed secrets) and its schema if needed, and
// applies pending migrations.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	// The driver reads parameters after a '?' and URIs after "file:";
	// neither may be part of a plain path.
	if strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("sqlite: database path %q must not contain '?' or start with \"file:\"", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open database file: %w", err)
	}
	_ = f.Close()

	common := fmt.Sprintf("_pragma=busy_timeout(%d)&_pragma=foreign_keys(1)&_pragma=cache_size(-16000)", BusyTimeoutMillis)
	write, err := sql.Open("sqlite", abs+"?"+common+"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Open the write connection first: it switches the file to WAL,
	// which the query-only readers cannot do.
	if err := write.PingContext(context.Background()); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", abs, err)
	}
	read, err := sql.Open("sqlite", abs+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)

	s, err := sqlstore.New(context.Background(), Dialect(), write, read)
	if err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, fmt.Errorf("sqlite: %s: %w", abs, err)
	}
	return &Store{Store: s, path: abs}, nil
}

// OpenTemp opens a new database in a temporary directory that Close
// removes. It is for tests of the packages above the store, which get the
// same WAL, locking and durability as the server.
func OpenTemp() (*Store, error) {
	dir, err := os.MkdirTemp("", "iamd-store-")
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	s, err := Open(filepath.Join(dir, "iamd.db"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	s.tempDir = dir
	return s, nil
}

// Path returns the database file's absolute path.
func (s *Store) Path() string { return s.path }

// Close closes the database (and removes OpenTemp's directory).
func (s *Store) Close() error {
	err := s.Store.Close()
	if s.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(s.tempDir))
	}
	return err
}

// Interface guard.
var _ store.Store = (*Store)(nil)
