package sqlstore

import (
	"bufio"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The schema is a sequence of numbered migrations, NNNN_name.sql, applied
// in order and recorded in schema_migrations. A released migration is
// never edited; changes go into a new one.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	stmts   []string
}

// migrations returns the embedded migrations in order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".sql")
		num, name, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration file %s is not named NNNN_name.sql", n)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("sqlstore: migrations %s and %s share version %d", prev, n, v)
		}
		seen[v] = n
		text, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, stmts: splitStatements(string(text))})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// splitStatements splits a migration into statements: a statement ends
// with a line whose last character is ';'. Lines starting with -- are
// comments. Splitting here, rather than handing the driver a script,
// keeps the behaviour identical for drivers that run one statement per
// call.
func splitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.HasPrefix(strings.TrimSpace(line), "--") || strings.TrimSpace(line) == "" {
			continue
		}
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(line, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// SchemaVersion returns the highest migration version this build knows.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies the pending migrations in one transaction: either the
// database ends at the newest version or it is left as it was. A database
// written by a newer iamd (a version this build does not know) is refused
// rather than used with a schema the code does not understand.
func migrate(ctx context.Context, d Dialect, db *sql.DB) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	// The migration transaction runs at the database's default isolation
	// (READ COMMITTED on PostgreSQL), not Update's: a SERIALIZABLE or
	// REPEATABLE READ snapshot would be taken by the statement that waits
	// for the migration lock, and so would not see the migrations another
	// server committed while this one waited. SQLite's write pool begins
	// every transaction IMMEDIATE.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin migration: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if d.LockMigrations != nil {
		if err := d.LockMigrations(ctx, tx); err != nil {
			return fmt.Errorf("sqlstore: lock migrations: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, d.expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
	version BIGINT PRIMARY KEY,
	name {{TEXT}} NOT NULL,
	applied BIGINT NOT NULL
)`)); err != nil {
		return fmt.Errorf("sqlstore: create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("sqlstore: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	for v := range applied {
		if !known[v] {
			return fmt.Errorf("sqlstore: the database has schema version %d, which this iamd does not know (it knows up to %d); use a newer iamd", v, SchemaVersion())
		}
	}
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		for i, st := range m.stmts {
			if _, err := tx.ExecContext(ctx, d.expand(st)); err != nil {
				return fmt.Errorf("sqlstore: migration %04d_%s, statement %d: %w", m.version, m.name, i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, d.rebind("INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)"),
			m.version, m.name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: record migration %d: %w", m.version, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit migrations: %w", err)
	}
	return nil
}
