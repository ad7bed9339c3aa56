package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/iamd/iamd/internal/authz"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/postgres"
)

// Where the state lives. Without --store, everything is in the data
// directory: the SQLite database and the master key. With --store
// postgres://..., the database is PostgreSQL, shared by every server
// given the same URL, and the data directory keeps only the master key
// (and the admin credentials file of a first start). The database never
// sees the master key, so servers that share a database must share the
// master key: copy DATA/master.key (mode 0600) to each server's data
// directory, or give each the same IAMD_MASTER_KEY (the key file's key,
// base64; after a rotation every key with its id, "2:...,1:..."). A
// server with another key cannot open the secrets the others sealed: its
// SigV4 checks fail with an internal error naming the key id.

// EnvStore names the environment variable that gives --store's value when
// the flag is not used, so that a URL with a password need not appear on
// a command line, where other local users can read it (PostgreSQL's own
// PGPASSWORD and ~/.pgpass work too). Emulator mode ignores it.
const EnvStore = "IAMD_STORE"

// storeURL is the --store value in effect.
func storeURL(flag string, emulator bool) string {
	if flag == "" && !emulator {
		return os.Getenv(EnvStore)
	}
	return flag
}

// IsPostgresURL reports whether a --store value names a PostgreSQL
// database.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// OpenStore opens the master key of the data directory dir and the store:
// the data directory's SQLite database when url is "" (and IAMD_STORE is
// not set), else the PostgreSQL database it names. Emulator mode keeps its state in the data
// directory only: it wipes its database at every start, which a shared
// database must never suffer.
func OpenStore(ctx context.Context, dir, url string, emulator bool) (store.Store, *seal.Keyring, error) {
	storeURL := storeURL(url, emulator)
	if storeURL == "" {
		return OpenData(dir, emulator)
	}
	if !IsPostgresURL(storeURL) {
		return nil, nil, fmt.Errorf("--store %q: want a postgres:// or postgresql:// URL (without --store, the SQLite database in the data directory is used)", redactURL(storeURL))
	}
	if emulator {
		return nil, nil, errors.New("--emulator keeps its state in the data directory and wipes it at every start; it does not take --store")
	}
	p := Paths(dir)
	// The data directory still holds the master key (unless
	// IAMD_MASTER_KEY gives it) and a first start's admin credentials.
	if err := os.MkdirAll(p.Dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	kr, err := seal.OpenKeyFile(p.MasterKey)
	if err != nil {
		return nil, nil, err
	}
	st, err := postgres.Open(ctx, storeURL)
	if err != nil {
		return nil, nil, err
	}
	return st, kr, nil
}

// redactURL hides a password in a URL given on the command line.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return s
	}
	if user, _, hasPW := strings.Cut(userinfo, ":"); hasPW {
		return scheme + "://" + user + ":xxxxx@" + host
	}
	return s
}

// storeName describes the store for the startup log line.
func storeName(dir, url string, emulator bool) string {
	u := storeURL(url, emulator)
	if u == "" {
		return "sqlite " + Paths(dir).Database
	}
	return "postgres " + redactURL(u)
}

// exclusive runs fn while no other server sharing the store runs an
// exclusive section of the same name: two servers starting at once on an
// empty PostgreSQL database must not each create a first account. The
// SQLite store has one server and needs no lock.
func exclusive(ctx context.Context, st store.Store, name string, fn func() error) error {
	if x, ok := st.(interface {
		Exclusive(ctx context.Context, name string, fn func() error) error
	}); ok {
		return x.Exclusive(ctx, name, fn)
	}
	return fn()
}

// watchChanges keeps the authorizer's caches right when other servers
// share the store: their committed changes invalidate the changed
// account's cached policies here, through store.ChangeWatcher. Should the
// store be unable to watch (a database without LISTEN/NOTIFY), every
// account is invalidated every postgres.RetryInterval instead, which
// bounds the staleness by that interval at the cost of regathering.
func watchChanges(ctx context.Context, st store.Store, az *authz.Authorizer, log *slog.Logger) error {
	w, ok := st.(store.ChangeWatcher)
	if !ok {
		return nil // one server per store: in-process invalidation suffices
	}
	changed := func(account string) {
		if account == "" {
			az.ChangedAll()
			return
		}
		az.Changed(account)
	}
	err := w.WatchChanges(ctx, changed)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	log.Warn("cannot watch the store for other servers' changes; invalidating every cached policy every interval instead",
		"interval", postgres.RetryInterval, "err", err)
	go func() {
		t := time.NewTicker(postgres.RetryInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				az.ChangedAll()
			}
		}
	}()
	return nil
}
