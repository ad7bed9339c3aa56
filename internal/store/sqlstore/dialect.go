package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
)

// ErrorClass is what a dialect makes of a database error.
type ErrorClass int

// The error classes the store acts on.
const (
	ClassOther      ErrorClass = iota
	ClassUnique                // a unique or primary key constraint
	ClassForeignKey            // a foreign key constraint
	ClassCheck                 // a check or not-null constraint
	ClassRetry                 // serialization failure or deadlock: run the transaction again
)

// Placeholder is a dialect's bind parameter syntax. Queries are written
// with ?, and rewritten once per query text.
type Placeholder int

// The placeholder styles.
const (
	Question Placeholder = iota // ?, ?, ? (SQLite)
	Dollar                      // $1, $2, $3 (PostgreSQL)
)

// Dialect is everything that differs between the SQL databases iamd
// supports.
type Dialect struct {
	// Name identifies the dialect in errors and benchmarks.
	Name string
	// Placeholder is the bind parameter syntax.
	Placeholder Placeholder
	// Types maps the schema's type macros to the dialect's types:
	//   {{TEXT}}          text compared by code point
	//                     (SQLite TEXT; PostgreSQL TEXT COLLATE "C")
	//   {{BLOB}}          bytes (SQLite BLOB; PostgreSQL BYTEA)
	//   {{WITHOUT_ROWID}} table option for tables clustered on their
	//                     primary key (SQLite WITHOUT ROWID; PostgreSQL "")
	Types map[string]string
	// UpdateTx and ViewTx are the options Update and View begin their
	// transactions with. SQLite gets BEGIN IMMEDIATE from its DSN and a
	// single write connection; PostgreSQL needs Isolation
	// sql.LevelSerializable for Update so that check-then-write sequences
	// (quotas) hold across servers.
	UpdateTx sql.TxOptions
	ViewTx   sql.TxOptions
	// Classify sorts a database error into an ErrorClass.
	Classify func(error) ErrorClass
	// MaxAttempts is how many times Update runs a function whose
	// transaction failed with ClassRetry; 1 or less means once.
	MaxAttempts int
	// LockMigrations, when set, runs first in the migration transaction
	// and must block until no other process is migrating the same
	// database. PostgreSQL takes a transaction-scoped advisory lock
	// (pg_advisory_xact_lock), so that two servers starting at once
	// apply each migration exactly once; SQLite needs nothing, as its
	// BEGIN IMMEDIATE already excludes other writers.
	LockMigrations func(ctx context.Context, tx *sql.Tx) error
}

func (d Dialect) check() error {
	for _, k := range []string{"TEXT", "BLOB", "WITHOUT_ROWID"} {
		if _, ok := d.Types[k]; !ok {
			return errors.New("sqlstore: dialect " + d.Name + " lacks type " + k)
		}
	}
	if d.Classify == nil {
		return errors.New("sqlstore: dialect " + d.Name + " lacks Classify")
	}
	return nil
}

func (d Dialect) classify(err error) ErrorClass {
	if err == nil || d.Classify == nil {
		return ClassOther
	}
	return d.Classify(err)
}

// rebind rewrites ? placeholders into the dialect's syntax, leaving string
// literals alone.
func (d Dialect) rebind(query string) string {
	if d.Placeholder == Question {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			b.WriteByte(c)
		case c == '?' && !inString:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// expand replaces the type macros of a schema statement.
func (d Dialect) expand(stmt string) string {
	for k, v := range d.Types {
		stmt = strings.ReplaceAll(stmt, "{{"+k+"}}", v)
	}
	return stmt
}

// Postgres returns the PostgreSQL dialect, for use with a database/sql
// driver such as github.com/jackc/pgx/v5/stdlib. It classifies errors by
// SQLSTATE through the SQLState method that pgx's *pgconn.PgError (and
// lib/pq's error) provide, so this package does not import a driver.
func Postgres() Dialect {
	return Dialect{
		Name:        "postgres",
		Placeholder: Dollar,
		Types: map[string]string{
			"TEXT":          `TEXT COLLATE "C"`,
			"BLOB":          "BYTEA",
			"WITHOUT_ROWID": "",
		},
		UpdateTx:    sql.TxOptions{Isolation: sql.LevelSerializable},
		ViewTx:      sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		Classify:    classifySQLState,
		MaxAttempts: 20,
		LockMigrations: func(ctx context.Context, tx *sql.Tx) error {
			// One arbitrary, fixed 64-bit key for "iamd schema migrations".
			_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock(7596395120343417700)")
			return err
		},
	}
}

// classifySQLState sorts errors by their SQLSTATE (PostgreSQL, and the
// databases that speak its protocol: CockroachDB, YugabyteDB).
func classifySQLState(err error) ErrorClass {
	var se interface{ SQLState() string }
	if !errors.As(err, &se) {
		return ClassOther
	}
	switch se.SQLState() {
	case "23505": // unique_violation
		return ClassUnique
	case "23503": // foreign_key_violation
		return ClassForeignKey
	case "23514", "23502": // check_violation, not_null_violation
		return ClassCheck
	case "40001", "40P01": // serialization_failure, deadlock_detected
		return ClassRetry
	}
	return ClassOther
}
