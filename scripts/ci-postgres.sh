#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for the quota tests and prints the line to export:
#   eval "$(scripts/ci-postgres.sh)"   # sets SANDAN_TEST_PG_URL
#   SANDAN_TEST_REQUIRE_TOOLS=postgres npx vitest run test/quota   # fail, not skip, without a server
#   scripts/ci-postgres-stop.sh
# Installs Debian's postgresql package when no server binaries are present (needs root).
# Settings: SANDAN_PG_DIR (default /tmp/sandan-ci-postgres), SANDAN_PG_PORT (default 55432).
# Everything but the export line goes to standard error.
set -euo pipefail

DIR="${SANDAN_PG_DIR:-/tmp/sandan-ci-postgres}"
PORT="${SANDAN_PG_PORT:-55432}"
DB=sandan_test
USER_NAME=sandan

find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

BIN="$(find_bin)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "ci-postgres: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y postgresql >&2
  BIN="$(find_bin)"
fi
[ -x "$BIN/initdb" ] || { echo "ci-postgres: no initdb under /usr/lib/postgresql/*/bin" >&2; exit 1; }

# The server refuses to run as root: run it as the postgres user (created by the package).
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

PASSWORD_FILE="$DIR/password"
if [ -f "$DIR/data/postmaster.pid" ] && as_pg "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
  echo "ci-postgres: already running in $DIR" >&2
else
  rm -rf "$DIR"
  mkdir -p "$DIR"
  # A random password for the test role; the cluster listens on 127.0.0.1 only.
  head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$PASSWORD_FILE"
  [ "$(id -u)" = 0 ] && chown -R postgres "$DIR"
  chmod 700 "$DIR"
  as_pg "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$DIR/initdb.log" 2>&1 \
    || { cat "$DIR/initdb.log" >&2; exit 1; }
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >&2 \
    || { cat "$DIR/server.log" >&2; exit 1; }
  PASSWORD="$(cat "$PASSWORD_FILE")"
  as_pg "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -q \
    -c "CREATE ROLE $USER_NAME LOGIN PASSWORD '$PASSWORD'" \
    -c "CREATE DATABASE $DB OWNER $USER_NAME" >&2
fi

echo "export SANDAN_TEST_PG_URL=postgres://$USER_NAME:$(cat "$PASSWORD_FILE")@127.0.0.1:$PORT/$DB"
