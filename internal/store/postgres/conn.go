package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// A database/sql transaction over pgx's stdlib driver costs a round trip
// for BEGIN, one per statement and one for ROLLBACK: three for the
// one-statement Views that most requests make (the SigV4 key lookup
// first). The connections of this file keep the store's contract (every
// statement of a View in one REPEATABLE READ, READ ONLY snapshot) in one
// round trip:
//
//   - BeginTx of a read-only transaction sends nothing; the BEGIN goes out
//     in one pipeline (pgx.Batch, one Sync) with the transaction's first
//     statement. A View that runs no statement costs nothing.
//   - Ending a read-only transaction sends nothing either: its ROLLBACK is
//     pipelined in front of whatever the connection runs next (the next
//     View's BEGIN and first statement, an Update's BEGIN, a Prepare).
//     A connection left idle sends it on its own after IdleRollback, so
//     that no snapshot (which would hold back VACUUM) and no ACCESS SHARE
//     lock (which would make a migration's ALTER TABLE wait) outlives its
//     View by more than that.
//
// Read-write transactions (Update) begin lazily too (their BEGIN goes
// out with their first statement, saving a round trip per Update), but
// end eagerly: their COMMIT must be acknowledged before Update returns.

// IdleRollback is how long a connection keeps a finished read-only
// transaction open while waiting for its next use, to which it would
// pipeline the ROLLBACK.
const IdleRollback = 10 * time.Millisecond

// connector makes conns over pgx's stdlib connector.
type connector struct {
	base driver.Connector
	lazy bool // false: plain stdlib behaviour, for comparison in tests
}

func newConnector(cfg *pgx.ConnConfig, lazy bool) *connector {
	return &connector{base: stdlib.GetConnector(*cfg), lazy: lazy}
}

// Connect implements driver.Connector.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if !c.lazy {
		return dc, nil
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("postgres: stdlib connector returned %T", dc)
	}
	return &conn{Conn: sc, pc: sc.Conn()}, nil
}

// Driver implements driver.Connector.
func (c *connector) Driver() driver.Driver { return c.base.Driver() }

// conn is a stdlib connection with lazily begun and lazily ended
// read-only transactions. database/sql uses a connection from one
// goroutine at a time; mu orders that use with the idle timer's ROLLBACK.
type conn struct {
	*stdlib.Conn
	pc *pgx.Conn

	mu sync.Mutex
	// begin is the BEGIN statement of a read-only transaction that has
	// not been sent yet ("" when there is none).
	begin string
	// rollback records a finished read-only transaction whose ROLLBACK
	// has not been sent yet.
	rollback bool
	timer    *time.Timer
}

// prefix takes what must be sent before the next statement: the pending
// ROLLBACK and BEGIN, in that order. Called with mu held.
func (c *conn) prefix() []string {
	var p []string
	if c.rollback {
		p = append(p, "rollback")
		c.rollback = false
		if c.timer != nil {
			c.timer.Stop()
		}
	}
	if c.begin != "" {
		p = append(p, c.begin)
		c.begin = ""
	}
	return p
}

// flush sends the pending ROLLBACK on its own. Called with mu held.
func (c *conn) flush(ctx context.Context) error {
	if !c.rollback {
		return nil
	}
	c.rollback = false
	if c.timer != nil {
		c.timer.Stop()
	}
	if _, err := c.pc.Exec(ctx, "rollback"); err != nil {
		return badConn(err)
	}
	return nil
}

// idle is the timer's function: send a ROLLBACK nothing else has taken.
func (c *conn) idle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.rollback || c.pc.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.flush(ctx); err != nil {
		// The connection's state is unknown: close it, so that
		// database/sql discards it at its next use.
		_ = c.pc.Close(ctx)
	}
}

// endReadOnly ends a read-only transaction: nothing to send if it never
// ran a statement, else a ROLLBACK deferred to the next use.
func (c *conn) endReadOnly() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.begin != "" {
		c.begin = "" // never begun on the server
		return
	}
	c.rollback = true
	if c.timer == nil {
		c.timer = time.AfterFunc(IdleRollback, c.idle)
	} else {
		c.timer.Reset(IdleRollback)
	}
}

// beginSQL spells a BEGIN for database/sql's options.
func beginSQL(opts driver.TxOptions) (string, error) {
	s := "begin"
	switch sql.IsolationLevel(opts.Isolation) {
	case sql.LevelDefault:
	case sql.LevelReadUncommitted:
		s += " isolation level read uncommitted"
	case sql.LevelReadCommitted:
		s += " isolation level read committed"
	case sql.LevelRepeatableRead, sql.LevelSnapshot:
		s += " isolation level repeatable read"
	case sql.LevelSerializable:
		s += " isolation level serializable"
	default:
		return "", fmt.Errorf("postgres: unsupported isolation level %v", sql.IsolationLevel(opts.Isolation))
	}
	if opts.ReadOnly {
		s += " read only"
	}
	return s, nil
}

// BeginTx implements driver.ConnBeginTx.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if c.pc.IsClosed() {
		return nil, driver.ErrBadConn
	}
	begin, err := beginSQL(opts)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.begin = begin
	if opts.ReadOnly {
		return readOnlyTx{c}, nil
	}
	return &writeTx{c: c, ctx: ctx}, nil
}

// badConn turns an error that happened before anything reached the server
// into driver.ErrBadConn, so that database/sql retries on another
// connection, as stdlib does.
func badConn(err error) error {
	if pgconn.SafeToRetry(err) {
		return driver.ErrBadConn
	}
	return err
}

// readOnlyTx is a lazily begun read-only transaction.
type readOnlyTx struct{ c *conn }

func (t readOnlyTx) Commit() error   { t.c.endReadOnly(); return nil }
func (t readOnlyTx) Rollback() error { t.c.endReadOnly(); return nil }

// writeTx is a read-write transaction, begun and ended eagerly.
type writeTx struct {
	c   *conn
	ctx context.Context
}

func (t *writeTx) Commit() error {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.c.begin != "" {
		t.c.begin = "" // no statement ran: nothing was begun
		return nil
	}
	tag, err := t.c.pc.Exec(t.ctx, "commit")
	if err != nil {
		return err
	}
	if tag.String() == "ROLLBACK" {
		// The transaction had failed: PostgreSQL answers COMMIT with
		// ROLLBACK.
		return pgx.ErrTxCommitRollback
	}
	return nil
}

func (t *writeTx) Rollback() error {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.c.begin != "" {
		t.c.begin = ""
		return nil
	}
	if t.c.pc.IsClosed() {
		return nil // the server rolled back when the connection ended
	}
	_, err := t.c.pc.Exec(context.Background(), "rollback")
	return err
}

// args converts database/sql's arguments for pgx.
func args(nv []driver.NamedValue) []any {
	out := make([]any, len(nv))
	for i, v := range nv {
		out[i] = v.Value
	}
	return out
}

// ExecContext implements driver.ExecerContext.
func (c *conn) ExecContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Result, error) {
	c.mu.Lock()
	p := c.prefix()
	if len(p) == 0 {
		c.mu.Unlock()
		return c.Conn.ExecContext(ctx, query, nv)
	}
	defer c.mu.Unlock()
	br := c.sendBatch(ctx, p, query, nv)
	defer br.Close()
	for range p {
		if _, err := br.Exec(); err != nil {
			return nil, badConn(err)
		}
	}
	tag, err := br.Exec()
	if err != nil {
		return nil, err
	}
	return driver.RowsAffected(tag.RowsAffected()), br.Close()
}

// QueryContext implements driver.QueryerContext.
func (c *conn) QueryContext(ctx context.Context, query string, nv []driver.NamedValue) (driver.Rows, error) {
	c.mu.Lock()
	p := c.prefix()
	if len(p) == 0 {
		c.mu.Unlock()
		return c.Conn.QueryContext(ctx, query, nv)
	}
	defer c.mu.Unlock()
	br := c.sendBatch(ctx, p, query, nv)
	for range p {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return nil, badConn(err)
		}
	}
	rows, err := br.Query()
	if err != nil {
		_ = br.Close()
		return nil, err
	}
	r := &batchRows{br: br, rows: rows, tm: c.pc.TypeMap()}
	// Read the first row now, as stdlib does: database/sql asks for the
	// columns before the first Next, and errors surface here.
	r.more = rows.Next()
	if err := rows.Err(); err != nil {
		_ = r.Close()
		return nil, err
	}
	r.preloaded = true
	return r, nil
}

func (c *conn) sendBatch(ctx context.Context, prefix []string, query string, nv []driver.NamedValue) pgx.BatchResults {
	b := &pgx.Batch{}
	for _, s := range prefix {
		b.Queue(s)
	}
	b.Queue(query, args(nv)...)
	return c.pc.SendBatch(ctx, b)
}

// PrepareContext implements driver.ConnPrepareContext. A pending
// ROLLBACK is sent first: a Parse in a failed transaction would fail.
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(ctx); err != nil {
		return nil, err
	}
	ds, err := c.Conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &stmt{Stmt: ds.(*stdlib.Stmt), c: c, query: query}, nil
}

// Prepare implements driver.Conn.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// Ping implements driver.Pinger.
func (c *conn) Ping(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flush(ctx); err != nil {
		return driver.ErrBadConn
	}
	return c.Conn.Ping(ctx)
}

// ResetSession implements driver.SessionResetter. A connection whose
// ROLLBACK is pending is ready: the ROLLBACK goes out with its next
// statement. Otherwise stdlib's checks apply (no transaction left open,
// a ping after a second of idleness).
func (c *conn) ResetSession(ctx context.Context) error {
	c.mu.Lock()
	pending := c.rollback
	c.mu.Unlock()
	if pending {
		if c.pc.IsClosed() {
			return driver.ErrBadConn
		}
		return nil
	}
	return c.Conn.ResetSession(ctx)
}

// Close implements driver.Conn.
func (c *conn) Close() error {
	c.mu.Lock()
	c.rollback = false
	if c.timer != nil {
		c.timer.Stop()
	}
	c.mu.Unlock()
	return c.Conn.Close()
}

// stmt is a prepared statement whose executions go through the conn, so
// that a pending BEGIN or ROLLBACK is pipelined with them.
type stmt struct {
	*stdlib.Stmt
	c     *conn
	query string
}

func (s *stmt) Close() error {
	s.c.mu.Lock()
	defer s.c.mu.Unlock()
	return s.Stmt.Close()
}

func (s *stmt) ExecContext(ctx context.Context, nv []driver.NamedValue) (driver.Result, error) {
	return s.c.ExecContext(ctx, s.query, nv)
}

func (s *stmt) QueryContext(ctx context.Context, nv []driver.NamedValue) (driver.Rows, error) {
	return s.c.QueryContext(ctx, s.query, nv)
}

// batchRows are the rows of a statement sent in a pipeline. Values are
// converted to database/sql's driver types as stdlib converts them, for
// the column types iamd's schema uses.
type batchRows struct {
	br        pgx.BatchResults
	rows      pgx.Rows
	tm        *pgtype.Map
	funcs     []func([]byte) (driver.Value, error)
	cols      []string
	preloaded bool
	more      bool
	closed    bool
}

func (r *batchRows) Columns() []string {
	if r.cols == nil {
		fds := r.rows.FieldDescriptions()
		r.cols = make([]string, len(fds))
		for i, fd := range fds {
			r.cols[i] = fd.Name
		}
	}
	return r.cols
}

func (r *batchRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.rows.Close()
	err := r.rows.Err()
	return errors.Join(err, r.br.Close())
}

func (r *batchRows) Next(dest []driver.Value) error {
	more := r.more
	if r.preloaded {
		r.preloaded = false
	} else {
		more = r.rows.Next()
	}
	if !more {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return io.EOF
	}
	if r.funcs == nil {
		r.funcs = valueFuncs(r.tm, r.rows.FieldDescriptions())
	}
	for i, raw := range r.rows.RawValues() {
		if raw == nil {
			dest[i] = nil
			continue
		}
		v, err := r.funcs[i](raw)
		if err != nil {
			return fmt.Errorf("postgres: column %s: %w", r.Columns()[i], err)
		}
		dest[i] = v
	}
	return nil
}

// valueFuncs decodes each column into the driver.Value stdlib would give:
// int64 for integers, float64, bool, []byte for bytea, string otherwise.
func valueFuncs(tm *pgtype.Map, fds []pgconn.FieldDescription) []func([]byte) (driver.Value, error) {
	funcs := make([]func([]byte) (driver.Value, error), len(fds))
	for i, fd := range fds {
		funcs[i] = valueFunc(tm, fd)
	}
	return funcs
}

func valueFunc(tm *pgtype.Map, fd pgconn.FieldDescription) func([]byte) (driver.Value, error) {
	oid, format := fd.DataTypeOID, fd.Format
	switch oid {
	case pgtype.BoolOID:
		return scanAs[bool](tm, oid, format, func(v bool) driver.Value { return v })
	case pgtype.ByteaOID:
		return scanAs[[]byte](tm, oid, format, func(v []byte) driver.Value { return v })
	case pgtype.Int2OID:
		return scanAs[int16](tm, oid, format, func(v int16) driver.Value { return int64(v) })
	case pgtype.Int4OID:
		return scanAs[int32](tm, oid, format, func(v int32) driver.Value { return int64(v) })
	case pgtype.Int8OID:
		return scanAs[int64](tm, oid, format, func(v int64) driver.Value { return v })
	case pgtype.Float4OID:
		return scanAs[float32](tm, oid, format, func(v float32) driver.Value { return float64(v) })
	case pgtype.Float8OID:
		return scanAs[float64](tm, oid, format, func(v float64) driver.Value { return v })
	}
	return scanAs[string](tm, oid, format, func(v string) driver.Value { return v })
}

func scanAs[T any](tm *pgtype.Map, oid uint32, format int16, conv func(T) driver.Value) func([]byte) (driver.Value, error) {
	var v T
	plan := tm.PlanScan(oid, format, &v)
	return func(src []byte) (driver.Value, error) {
		var zero T
		v = zero // a []byte scan must not reuse the previous row's slice
		if err := plan.Scan(src, &v); err != nil {
			return nil, err
		}
		return conv(v), nil
	}
}

// Interface guards.
var (
	_ driver.Connector          = (*connector)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.StmtQueryContext   = (*stmt)(nil)
	_ driver.StmtExecContext    = (*stmt)(nil)
	_ driver.Rows               = (*batchRows)(nil)
)
