package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamd/iamd/internal/store"
)

// tx is store.Tx over one *sql.Tx.
type tx struct {
	ctx      context.Context
	d        *Dialect
	sqlTx    *sql.Tx
	cache    *stmtCache
	writable bool
	// retry records that a statement failed in a way that running the
	// whole transaction again may cure (a serialization failure).
	retry bool
}

// Interface guard.
var _ store.Tx = (*tx)(nil)

// mustWrite refuses writes in View.
func (t *tx) mustWrite() error {
	if !t.writable {
		return store.ErrReadOnly
	}
	return nil
}

// class classifies a database error and remembers whether it calls for a
// retry of the whole transaction.
func (t *tx) class(err error) ErrorClass {
	c := t.d.classify(err)
	if c == ClassRetry {
		t.retry = true
	}
	return c
}

// fail wraps an unexpected database error.
func (t *tx) fail(op string, err error) error {
	t.class(err)
	return fmt.Errorf("store: %s: %w", op, err)
}

func (t *tx) exec(query string, args ...any) (sql.Result, error) {
	if st := t.cache.lookup(query); st != nil {
		return t.sqlTx.StmtContext(t.ctx, st).ExecContext(t.ctx, args...)
	}
	return t.sqlTx.ExecContext(t.ctx, t.d.rebind(query), args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	if st := t.cache.lookup(query); st != nil {
		return t.sqlTx.StmtContext(t.ctx, st).QueryContext(t.ctx, args...)
	}
	return t.sqlTx.QueryContext(t.ctx, t.d.rebind(query), args...)
}

func (t *tx) row(query string, args ...any) *sql.Row {
	if st := t.cache.lookup(query); st != nil {
		return t.sqlTx.StmtContext(t.ctx, st).QueryRowContext(t.ctx, args...)
	}
	return t.sqlTx.QueryRowContext(t.ctx, t.d.rebind(query), args...)
}

// exists runs a query that selects at most one row and reports whether it
// found one.
func (t *tx) exists(op, query string, args ...any) (bool, error) {
	var one int
	err := t.row(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, t.fail(op, err)
	}
	return true, nil
}

// count runs a COUNT query.
func (t *tx) count(op, query string, args ...any) (int, error) {
	var n int64
	if err := t.row(query, args...).Scan(&n); err != nil {
		return 0, t.fail(op, err)
	}
	return int(n), nil
}

// affected returns the rows a statement changed.
func (t *tx) affected(op string, res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail(op, err)
	}
	return n, nil
}

// checkText refuses strings that both databases would not store alike:
// PostgreSQL rejects invalid UTF-8 and NUL bytes in text; SQLite keeps
// them. Refusing them everywhere keeps the backends interchangeable.
func checkText(kind store.Kind, values ...string) error {
	for _, v := range values {
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			return store.Invalid(kind, fmt.Sprintf("%q is not UTF-8 text without NUL bytes", v))
		}
	}
	return nil
}

// checkTime refuses a zero time where one is required.
func checkTime(kind store.Kind, field string, t time.Time) error {
	if t.IsZero() {
		return store.Invalid(kind, field+" must be set")
	}
	return nil
}

// nanos converts a time for storage; the zero time is NULL.
func nanos(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNanos converts a stored time back; NULL is the zero time.
func fromNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// nullText converts an optional string for storage; "" is NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Markers are opaque to callers: base64url of a tag naming the list and
// the sort key of the last item, NUL-separated (no stored text contains
// NUL). Any marker the store did not issue is ErrInvalidArgument.

func encodeMarker(tag string, key ...string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tag + "\x00" + strings.Join(key, "\x00")))
}

func decodeMarker(kind store.Kind, marker, tag string, n int) ([]string, error) {
	bad := store.Invalid(kind, "marker "+fmt.Sprintf("%q", marker)+" was not issued by this list")
	raw, err := base64.RawURLEncoding.DecodeString(marker)
	if err != nil {
		return nil, bad
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != n+1 || parts[0] != tag || !utf8.Valid(raw) {
		return nil, bad
	}
	return parts[1:], nil
}

// keyset holds what a keyset-paginated list needs: the marker's decoded
// key (empty strings for the first page) and the page size.
type keyset struct {
	after []string
	limit int
}

func newKeyset(kind store.Kind, opts store.ListOptions, tag string, n int) (keyset, error) {
	k := keyset{after: make([]string, n), limit: opts.Limit()}
	if opts.Marker != "" {
		after, err := decodeMarker(kind, opts.Marker, tag, n)
		if err != nil {
			return k, err
		}
		k.after = after
	}
	return k, nil
}

// page cuts the limit+1 rows read into a page and its marker.
func page[T any](items []T, limit int, tag string, key func(T) []string) store.Page[T] {
	if len(items) <= limit {
		return store.Page[T]{Items: items}
	}
	items = items[:limit]
	return store.Page[T]{Items: items, Marker: encodeMarker(tag, key(items[len(items)-1])...)}
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// collect reads every row with scan.
func collect[T any](t *tx, op string, rows *sql.Rows, err error, scan func(scanner) (T, error)) ([]T, error) {
	if err != nil {
		return nil, t.fail(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.fail(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail(op, err)
	}
	return out, nil
}
