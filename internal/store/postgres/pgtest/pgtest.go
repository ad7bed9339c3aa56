// Package pgtest gives tests a PostgreSQL server to run against, so that
// the PostgreSQL store, the servers over it and the export/import round
// trip are tested on a real database rather than a fake:
//
//   - IAMD_TEST_POSTGRES_URL, a keyword/value DSN ("host=/tmp/x user=iamd
//     sslmode=disable") of a server where the tests may create databases
//     (scripts/test.sh starts a throwaway cluster and sets it), or else
//   - PostgreSQL's initdb and pg_ctl on PATH or under
//     /usr/lib/postgresql/*/bin (Debian's postgresql package), with which
//     the first test that asks starts a throwaway cluster on a Unix socket
//     in a temporary directory; Main stops it.
//
// Without either, tests skip and say why, unless IAMD_REQUIRE_POSTGRES=1
// (set by scripts/test.sh when it started a cluster), which makes them
// fail instead: CI must not skip them silently.
package pgtest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL and EnvRequire are the environment variables the package reads.
const (
	EnvURL     = "IAMD_TEST_POSTGRES_URL"
	EnvRequire = "IAMD_REQUIRE_POSTGRES"
)

var server struct {
	once sync.Once
	base string // keyword/value DSN without dbname
	err  error
	stop func()
	n    atomic.Int64
}

// Main runs the tests and then stops the cluster a test may have started.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if server.stop != nil {
		server.stop()
	}
	os.Exit(code)
}

// Server returns the keyword/value DSN of a running server's maintenance
// database ("postgres"), starting a throwaway cluster on first use. It
// skips the test when there is no server, or fails it under
// IAMD_REQUIRE_POSTGRES=1.
func Server(tb testing.TB) string {
	tb.Helper()
	server.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			server.base = u
			return
		}
		server.base, server.stop, server.err = StartCluster(false)
	})
	if server.err != nil {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("%s=1 but no PostgreSQL server: %v", EnvRequire, server.err)
		}
		tb.Skipf("no PostgreSQL server: %v (set %s, or install Debian's postgresql package so that initdb is available)", server.err, EnvURL)
	}
	return server.base + " dbname=postgres"
}

// NewDatabase creates a new, empty database on the server and returns its
// keyword/value DSN; the database is dropped when the test ends.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	admin := Server(tb)
	name := fmt.Sprintf("iamd_t%d_%d", os.Getpid(), server.n.Add(1))
	if err := exec1(admin, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		// Other connections (a server process the test started) may
		// still be closing; FORCE ends them.
		if err := exec1(admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Logf("drop database %s: %v", name, err)
		}
	})
	return server.base + " dbname=" + name
}

// exec1 runs one statement on a short-lived connection.
func exec1(dsn, stmt string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, stmt)
	return err
}

// URL rewrites a keyword/value DSN as a postgres:// URL, the form
// `iamd serve --store` takes. Later keywords win, as they do for libpq.
func URL(dsn string) (string, error) {
	kv := map[string]string{}
	for _, f := range strings.Fields(dsn) {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", fmt.Errorf("pgtest: DSN field %q is not key=value (quoted values are not supported)", f)
		}
		kv[k] = strings.Trim(v, "'")
	}
	u := url.URL{Scheme: "postgres", Path: "/" + kv["dbname"]}
	if kv["user"] != "" {
		if kv["password"] != "" {
			u.User = url.UserPassword(kv["user"], kv["password"])
		} else {
			u.User = url.User(kv["user"])
		}
	}
	q := url.Values{}
	host := kv["host"]
	if strings.HasPrefix(host, "/") {
		q.Set("host", host) // a Unix socket directory
	} else {
		u.Host = host
		if kv["port"] != "" {
			u.Host += ":" + kv["port"]
		}
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "dbname", "user", "password", "host":
		case "port":
			if strings.HasPrefix(host, "/") {
				q.Set(k, kv[k])
			}
		default:
			q.Set(k, kv[k])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// tool finds a PostgreSQL server program on PATH or in Debian's versioned
// directories (the newest version).
func tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH or under /usr/lib/postgresql/*/bin", name)
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// StartCluster runs initdb and pg_ctl into a temporary directory and
// returns the keyword/value DSN of the cluster (without dbname; the
// "postgres" database exists) and a function that stops it and removes
// the directory. As root (PostgreSQL refuses to run as root) it runs them
// as the postgres user. durable keeps PostgreSQL's defaults (fsync, full
// page writes, synchronous commit), for benchmarks; otherwise they are off,
// which is what tests want.
func StartCluster(durable bool) (base string, stop func(), err error) {
	initdb, err := tool("initdb")
	if err != nil {
		return "", nil, err
	}
	pgctl, err := tool("pg_ctl")
	if err != nil {
		return "", nil, err
	}
	dir, err := os.MkdirTemp("", "iamd-pg-")
	if err != nil {
		return "", nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return "", nil, fmt.Errorf("running as root and no postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		if cred != nil {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v\n%s", filepath.Base(name), err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run(initdb, "-D", data, "-U", "iamd", "--auth=trust", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	opts := fmt.Sprintf("-k %s -c listen_addresses='' -c max_connections=300", dir)
	if !durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if err := run(pgctl, "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	stop = func() {
		_ = run(pgctl, "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	return fmt.Sprintf("host=%s user=iamd sslmode=disable", dir), stop, nil
}
