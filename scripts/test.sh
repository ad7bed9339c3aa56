#!/usr/bin/env bash
# Runs every test of iamd: the main module and the bench module's own tests.
# PostgreSQL-backed tests need a server: when initdb is on the PATH (Debian's
# postgresql package puts it under /usr/lib/postgresql/*/bin), a throwaway
# cluster is started on a Unix socket in a temporary directory and
# IAMD_TEST_POSTGRES_URL points the tests at it (a keyword/value DSN to
# which tests append " dbname=..."); it is removed on exit. With a cluster
# started here, IAMD_REQUIRE_POSTGRES=1 makes PostgreSQL tests fail rather
# than skip, so that CI cannot silently skip them.
set -euo pipefail
cd "$(dirname "$0")/.."

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "${IAMD_TEST_POSTGRES_URL:-}" ] && [ -n "$pgbin" ] && [ -x "$pgbin/initdb" ]; then
  pgdir=$(mktemp -d /tmp/iamd-pg.XXXXXX)
  cleanup() { "$pgbin/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
  trap cleanup EXIT
  # initdb refuses to run as root; run the cluster as Debian's postgres
  # user (created by the package), or a system user made for the purpose.
  run=()
  if [ "$(id -u)" = 0 ]; then
    pguser=postgres
    id "$pguser" >/dev/null 2>&1 || { pguser=iamdpg; id iamdpg >/dev/null 2>&1 || useradd --system --no-create-home iamdpg; }
    chown "$pguser" "$pgdir"
    run=(runuser -u "$pguser" --)
  fi
  "${run[@]}" "$pgbin/initdb" -D "$pgdir/data" -U iamd --auth=trust >/dev/null
  "${run[@]}" "$pgbin/pg_ctl" -D "$pgdir/data" -w -l "$pgdir/log" \
    -o "-k $pgdir -c listen_addresses='' -c fsync=off -c max_connections=200" start >/dev/null
  export IAMD_TEST_POSTGRES_URL="host=$pgdir user=iamd dbname=postgres sslmode=disable"
  export IAMD_REQUIRE_POSTGRES=1
  echo "test.sh: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on $pgdir"
fi

go vet ./...
go test -count=1 ./... "$@"
if [ -f bench/go.mod ]; then (cd bench && go vet ./... && go test -count=1 ./...); fi
