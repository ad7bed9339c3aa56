package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlite"
)

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamd.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	acct := store.Account{ID: "123456789012", RootEmail: "root@example.com", Created: time.Now()}
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateAccount(acct) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = sqlite.Open(path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	err = s.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.GetAccount(acct.ID)
		return err
	})
	if err != nil {
		t.Fatalf("account lost across reopen: %v", err)
	}
}

func TestPragmas(t *testing.T) {
	s := open(t).(*sqlite.Store)
	db, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mode string
	if err := db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode = %s, want wal", mode)
	}
	var version int
	if err := db.QueryRow("SELECT MAX(version) FROM schema_migrations").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version < 1 {
		t.Fatalf("schema_migrations records version %d", version)
	}
}

func TestFileMode(t *testing.T) {
	s := open(t).(*sqlite.Store)
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Fatalf("database file mode = %v, want no access for group and others", perm)
	}
}

func TestOpenRefuses(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		path string
	}{
		{"empty path", ""},
		{"question mark", filepath.Join(dir, "a?b.db")},
		{"URI", "file:" + filepath.Join(dir, "x.db")},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "x.db")},
		{"a directory", dir},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := sqlite.Open(c.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded", c.path)
			}
		})
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamd.db")
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO schema_migrations (version, name, applied) VALUES (9999, 'from_the_future', 0)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err = sqlite.Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a database with an unknown schema version")
	}
	if !strings.Contains(err.Error(), "9999") {
		t.Fatalf("error does not name the version: %v", err)
	}
}

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iamd.db")
	if err := os.WriteFile(path, []byte(strings.Repeat("this is not SQLite\n", 100)), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(path)
	if err == nil {
		s.Close()
		t.Fatal("Open accepted a file that is not a database")
	}
}

func TestOpenTempRemovesItself(t *testing.T) {
	s, err := sqlite.OpenTemp()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(s.Path())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("temporary directory %s survives Close: %v", dir, err)
	}
}
