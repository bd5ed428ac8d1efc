#!/usr/bin/env bash
# Stops the cluster started by scripts/ci-postgres.sh and removes its directory.
set -euo pipefail

DIR="${SANDAN_PG_DIR:-/tmp/sandan-ci-postgres}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -f "$DIR/data/postmaster.pid" ] && [ -n "$BIN" ]; then
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
  else
    "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >&2
  fi
fi
rm -rf "$DIR"
echo "ci-postgres: stopped and removed $DIR" >&2
