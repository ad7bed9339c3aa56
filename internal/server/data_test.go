package server_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iamd/iamd/internal/server"
	"github.com/iamd/iamd/internal/store/postgres"
	"github.com/iamd/iamd/internal/store/postgres/pgtest"
)

// TestMain stops the throwaway PostgreSQL cluster TestOpenStorePostgres
// may start (package pgtest).
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestOpenStoreRefuses checks the --store values OpenStore refuses, and
// that a password in one never reaches the message.
func TestOpenStoreRefuses(t *testing.T) {
	tests := []struct {
		name, url string
		emulator  bool
		env       string
		want      string
	}{
		{"not postgres", "mysql://app:s3cret@db/iam", false, "", "want a postgres:// or postgresql:// URL"},
		{"a path", "/var/lib/iamd.db", false, "", "want a postgres:// or postgresql:// URL"},
		{"emulator", "postgres://app:s3cret@127.0.0.1:1/iam", true, "", "--emulator"},
		{"from the environment", "", false, "sqlite://app:s3cret@x/y", "want a postgres:// or postgresql:// URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(server.EnvStore, tc.env)
			st, _, err := server.OpenStore(context.Background(), t.TempDir(), tc.url, tc.emulator)
			if err == nil {
				st.Close()
				t.Fatalf("OpenStore(%q) succeeded", tc.url)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("error %q shows the password", err)
			}
		})
	}
}

// TestOpenStorePostgres opens a PostgreSQL store through IAMD_STORE: the
// data directory is made and holds the master key.
func TestOpenStorePostgres(t *testing.T) {
	url, err := pgtest.URL(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(server.EnvStore, url)
	dir := filepath.Join(t.TempDir(), "new")
	st, kr, err := server.OpenStore(context.Background(), dir, "", false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.(*postgres.Store); !ok {
		t.Errorf("OpenStore gave a %T, want *postgres.Store", st)
	}
	if kr == nil {
		t.Fatal("no keyring")
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err != nil {
		t.Errorf("master key: %v", err)
	}
}
