// Package sqlstore implements store.Store once, over database/sql, for
// every SQL database iamd supports. The differences between databases
// (placeholder syntax, column types, how a transaction is begun, how an
// error is classified, how migrations are locked) live in a small Dialect;
// the queries are the same text for all of them. Package sqlite supplies
// the embedded default's dialect; PostgreSQL's is Postgres, here, so that
// the SQL it must run is written and tested next to SQLite's.
//
// The SQL sticks to what both SQLite (3.35 or later) and PostgreSQL accept:
// ? placeholders rewritten per dialect, INSERT ... ON CONFLICT, row-value
// comparisons for keyset pagination, no AUTOINCREMENT or SERIAL (every key
// is supplied by iamd), times as BIGINT nanoseconds since the Unix epoch,
// booleans as 0/1 integers, byte strings in the dialect's blob type, and
// text compared by code point.
//
// Every method checks the conditions it reports as sentinels (a name
// taken, a parent missing, dependents left) with a read before it writes,
// so that a Tx method returning ErrNotFound, ErrAlreadyExists or
// ErrConflict leaves the transaction usable on PostgreSQL too, where a
// failed statement aborts the whole transaction. The constraints in the
// schema stay as the last line of defence, for races and for bugs.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/iamd/iamd/internal/store"
)

// Store is store.Store over database/sql.
type Store struct {
	d     Dialect
	write *sql.DB
	read  *sql.DB
	wc    stmtCache
	rc    stmtCache

	closeOnce sync.Once
	closeErr  error
}

// New returns a Store over the two pools and applies pending migrations.
// write serves Update; read serves View and may be the same pool (it is a
// separate, larger pool for SQLite, whose writes go through a single
// connection). New does not take ownership of the pools until it
// succeeds; after that, Close closes them.
func New(ctx context.Context, d Dialect, write, read *sql.DB) (*Store, error) {
	if read == nil {
		read = write
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	s := &Store{d: d, write: write, read: read}
	s.wc.init(write, d)
	s.rc.init(read, d)
	if err := migrate(ctx, d, write); err != nil {
		return nil, err
	}
	return s, nil
}

// Dialect returns the store's dialect.
func (s *Store) Dialect() Dialect { return s.d }

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	sqlTx, err := s.read.BeginTx(ctx, &s.d.ViewTx)
	if err != nil {
		return fmt.Errorf("store: begin read transaction: %w", err)
	}
	t := &tx{ctx: ctx, d: &s.d, sqlTx: sqlTx, cache: &s.rc}
	defer func() {
		// Roll back on panic as well as on return: a read-only
		// transaction has nothing to commit.
		_ = sqlTx.Rollback()
	}()
	return fn(t)
}

// Update implements store.Store. It retries fn when the dialect classifies
// a failure as retryable (PostgreSQL's serialization failures and
// deadlocks), with a short randomized back-off, up to the dialect's
// MaxAttempts.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	attempts := max(s.d.MaxAttempts, 1)
	for i := 0; ; i++ {
		err, retry := s.update(ctx, fn)
		if err == nil || !retry || i+1 >= attempts {
			return err
		}
		// Back off 1–2 ms, doubling per attempt up to ~0.25 s.
		d := time.Millisecond << min(i, 8)
		d += rand.N(d)
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(d):
		}
	}
}

// update runs fn once and reports whether a failure may succeed on retry.
func (s *Store) update(ctx context.Context, fn func(store.Tx) error) (err error, retry bool) {
	sqlTx, err := s.write.BeginTx(ctx, &s.d.UpdateTx)
	if err != nil {
		return fmt.Errorf("store: begin transaction: %w", err), s.d.classify(err) == ClassRetry
	}
	t := &tx{ctx: ctx, d: &s.d, sqlTx: sqlTx, cache: &s.wc, writable: true}
	done := false
	defer func() {
		if !done {
			_ = sqlTx.Rollback() // fn panicked: keep nothing, re-panic
		}
	}()
	ferr := fn(t)
	done = true
	if ferr != nil {
		_ = sqlTx.Rollback()
		return ferr, t.retry
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err), s.d.classify(err) == ClassRetry
	}
	return nil, false
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.wc.close()
		s.rc.close()
		err := s.write.Close()
		if s.read != s.write {
			err = errors.Join(err, s.read.Close())
		}
		s.closeErr = err
	})
	return s.closeErr
}

// stmtCache keeps one prepared statement per query text and pool, so that
// hot queries (the SigV4 key lookup) are compiled once per connection
// rather than once per call. The query texts are constants of this
// package, so the cache is bounded.
//
// A statement is prepared on the pool in the background after its first
// use, never inside a transaction: preparing on the pool needs a free
// connection, and SQLite's write pool has exactly one, which the
// transaction holds. Until then the query runs unprepared.
type stmtCache struct {
	db      *sql.DB
	d       Dialect
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	pending map[string]bool
	m       sync.Map // query (before rebinding) → *sql.Stmt
}

func (c *stmtCache) init(db *sql.DB, d Dialect) {
	c.db, c.d = db, d
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.pending = make(map[string]bool)
}

// lookup returns the prepared statement for query, or nil after
// scheduling its preparation.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending[query] || c.ctx.Err() != nil {
		return nil
	}
	c.pending[query] = true
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		st, err := c.db.PrepareContext(c.ctx, c.d.rebind(query))
		c.mu.Lock()
		defer c.mu.Unlock()
		if err != nil || c.ctx.Err() != nil {
			if st != nil {
				_ = st.Close()
			}
			delete(c.pending, query) // try again on a later use
			return
		}
		c.m.Store(query, st)
	}()
	return nil
}

func (c *stmtCache) close() {
	c.cancel()
	c.wg.Wait()
	c.m.Range(func(k, v any) bool {
		_ = v.(*sql.Stmt).Close()
		c.m.Delete(k)
		return true
	})
}

// Interface guard.
var _ store.Store = (*Store)(nil)
