// Package postgres is iamd's PostgreSQL store: the one SQL implementation
// of package sqlstore over github.com/jackc/pgx/v5, so that several
// stateless `iamd serve` processes can share one database (and, through
// the same wire protocol, CockroachDB or YugabyteDB).
//
// # Transactions
//
// Update runs at SERIALIZABLE and is retried on serialization failures and
// deadlocks (sqlstore.Postgres); uniqueness lives in unique indexes, so
// that two servers creating the same user at once get one success and one
// store.ErrAlreadyExists, and a quota checked with a COUNT holds across
// servers because SERIALIZABLE turns the second of two racing
// check-then-insert transactions into a retry.
//
// View runs at REPEATABLE READ, READ ONLY, as one snapshot. A plain
// database/sql transaction costs three round trips for a one-statement
// read (BEGIN, the statement, ROLLBACK); this package's connections begin
// a read-only transaction lazily and send its BEGIN in one pipeline with
// the first statement, and end it by sending its ROLLBACK in one pipeline
// with whatever the connection does next, so that a one-statement View,
// the SigV4 key lookup of every request among them, costs one round trip
// (see conn.go); an Update's BEGIN goes out with its first statement as
// well. The contract is unchanged: every statement of a View runs inside
// the same REPEATABLE READ snapshot, every statement of an Update in the
// same SERIALIZABLE transaction.
//
// # Schema
//
// Open applies the pending migrations of package sqlstore under a
// transaction-scoped advisory lock, so that servers starting together
// apply each migration exactly once, then installs the change triggers
// (see changes.go) under the same lock.
//
// # Changes across servers
//
// Caches above the store (compiled policies in package authz, verified
// access keys in package server) are invalidated in-process when a server
// writes. WatchChanges tells a server about the writes the others commit,
// through LISTEN/NOTIFY; see changes.go for what is notified and the
// measured delay (a millisecond at the median between two servers on one
// loaded 2-core machine, 82 ms at worst in 200 changes).
//
// # Several servers
//
// Servers that share a database must share the master key, which never
// reaches the database: copy one server's DATA/master.key (mode 0600) into
// every server's data directory, or give every server the same
// IAMD_MASTER_KEY. The first server to start on an empty database makes
// the first account (under an advisory lock, so exactly one does) and
// writes the admin credentials into its own data directory.
//
// A DBA's idle_in_transaction_session_timeout must stay above
// IdleRollback (10 ms), the longest a connection keeps a finished View's
// snapshot open.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/store/sqlstore"
)

// Store is the PostgreSQL store.
type Store struct {
	*sqlstore.Store
	db     *sql.DB
	config *pgx.ConnConfig

	mu       sync.Mutex
	closed   bool
	watchers sync.WaitGroup
	stop     context.CancelFunc // ends the watchers
	watchCtx context.Context
	// triggerErr is why the change triggers could not be installed, in
	// which case WatchChanges cannot work.
	triggerErr error
}

// PoolParam is the DSN parameter that bounds the store's connection pool
// (as pgxpool's parameter of the same name does); it is taken out of the
// DSN before connecting. The default is DefaultPoolSize.
const PoolParam = "pool_max_conns"

// DefaultPoolSize is the pool bound without PoolParam: enough connections
// for every core to have requests in flight while others wait on the
// network.
func DefaultPoolSize() int { return max(8, 4*runtime.GOMAXPROCS(0)) }

// Open connects to the database dsn names (a postgres:// URL or a
// keyword/value string, anything pgx.ParseConfig accepts), applies pending
// migrations and installs the change triggers. The database must exist;
// its schema is created on first use.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return open(ctx, dsn, options{lazy: true})
}

// options are the knobs tests turn: lazy off measures plain stdlib
// transactions; configure can wrap the network connection.
type options struct {
	lazy      bool
	configure func(*pgx.ConnConfig)
}

func open(ctx context.Context, dsn string, o options) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", redact(err))
	}
	pool := DefaultPoolSize()
	if v, ok := cfg.RuntimeParams[PoolParam]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("postgres: %s=%q: want a positive number", PoolParam, v)
		}
		pool = n
		delete(cfg.RuntimeParams, PoolParam)
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "iamd"
	}
	if o.configure != nil {
		o.configure(cfg)
	}
	db := sql.OpenDB(newConnector(cfg, o.lazy))
	db.SetMaxOpenConns(pool)
	db.SetMaxIdleConns(pool)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", describe(cfg), err)
	}
	s, err := sqlstore.New(ctx, sqlstore.Postgres(), db, db)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("postgres: %s: %w", describe(cfg), err)
	}
	wctx, stop := context.WithCancel(context.Background())
	st := &Store{Store: s, db: db, config: cfg, stop: stop, watchCtx: wctx}
	if err := installTriggers(ctx, db); err != nil {
		// A database that speaks PostgreSQL's protocol without its
		// triggers (CockroachDB) still serves; WatchChanges reports why
		// it cannot watch, and the server falls back.
		if ctx.Err() != nil {
			_ = st.Close()
			return nil, err
		}
		st.triggerErr = fmt.Errorf("postgres: %s: installing the change triggers: %w", describe(cfg), err)
	}
	return st, nil
}

// Close ends the change watchers and closes the pool. Transactions in
// progress finish first.
func (s *Store) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.stop()
	s.watchers.Wait()
	return s.Store.Close()
}

// Exclusive runs fn while holding a session-level advisory lock that no
// other process using this database holds at the same time: first start's
// "create the first account if there is none" must not run on two servers
// at once. name picks the lock.
func (s *Store) Exclusive(ctx context.Context, name string, fn func() error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: lock %s: %w", name, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtextextended($1, 0))", "iamd:"+name); err != nil {
		return fmt.Errorf("postgres: lock %s: %w", name, err)
	}
	defer func() {
		// A failed unlock leaves the lock with the session; closing the
		// connection (Raw) ends the session and releases it.
		if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock(hashtextextended($1, 0))", "iamd:"+name); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	return fn()
}

// describe names the database for messages, without the password.
func describe(cfg *pgx.ConnConfig) string {
	host := cfg.Host
	if strings.HasPrefix(host, "/") {
		host = "socket " + host
	} else {
		host += ":" + strconv.Itoa(int(cfg.Port))
	}
	return fmt.Sprintf("database %q on %s as %q", cfg.Database, host, cfg.User)
}

// redact replaces a DSN parse error, whose text may quote the DSN and
// with it a password, by one that does not.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("cannot parse the DSN: want a postgres:// URL or key=value pairs that PostgreSQL's libpq accepts")
	}
	return err
}

// Interface guards.
var (
	_ store.Store         = (*Store)(nil)
	_ store.ChangeWatcher = (*Store)(nil)
)
