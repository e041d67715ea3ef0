#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on 127.0.0.1 for the PostgreSQL store tests.
#
#   eval "$(scripts/ci/postgres.sh start)"   # prints: export NEWSGRAPH_TEST_PG=… NEWSGRAPH_PG_DIR=…
#   NEWSGRAPH_TEST_PG=… cargo test -p newsgraph-store-pg -p newsgraph-server
#   scripts/ci/postgres.sh stop "$NEWSGRAPH_PG_DIR"
#
# `start [DIR]` installs the Debian `postgresql` package when `initdb` is missing (with sudo
# only when not root), creates a cluster in DIR (default: a new temporary directory), starts
# it on 127.0.0.1:$NEWSGRAPH_PG_PORT (default 55432; no Unix socket outside DIR), waits until
# it accepts connections and prints the shell lines to export. The cluster trusts local TCP
# connections, has one superuser `newsgraph` and runs without fsync: it is for tests only.
# PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user (created
# when missing) and DIR is chowned to it. Progress goes to stderr; stdout has only the exports.
# `stop DIR` stops the server and deletes DIR.
set -euo pipefail

PORT="${NEWSGRAPH_PG_PORT:-55432}"
log() { echo "postgres.sh: $*" >&2; }

find_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then echo "$PG_BIN"; return 0; fi
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Runs a command as the cluster's owner (root cannot run PostgreSQL).
RUN_AS=""
as_owner() {
  if [ -n "$RUN_AS" ]; then runuser -u "$RUN_AS" -- "$@"; else "$@"; fi
}

pick_owner() {
  if [ "$(id -u)" = 0 ]; then
    if ! getent passwd postgres >/dev/null; then
      log "creating system user postgres"
      useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    fi
    RUN_AS=postgres
  fi
}

start() {
  local bin dir
  if ! bin="$(find_bin)"; then
    log "initdb not found: installing postgresql from Debian"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    bin="$(find_bin)" || { log "initdb still missing after installing postgresql"; exit 2; }
  fi
  dir="${1:-$(mktemp -d "${TMPDIR:-/tmp}/newsgraph-pg.XXXXXX")}"
  mkdir -p "$dir"
  pick_owner
  if [ -n "$RUN_AS" ]; then chown -R "$RUN_AS" "$dir"; chmod 700 "$dir"; fi
  log "cluster in $dir (bin $bin, port $PORT${RUN_AS:+, user $RUN_AS})"
  as_owner "$bin/initdb" -D "$dir/data" -U newsgraph --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || as_owner "$bin/initdb" -D "$dir/data" -U newsgraph --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 2; }
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$dir' -c fsync=off \
        -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2 \
    || { cat "$dir/server.log" >&2; exit 2; }
  local i
  for i in $(seq 1 60); do
    if "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then break; fi
    sleep 0.5
  done
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { log "server not ready"; cat "$dir/server.log" >&2; exit 2; }
  log "ready"
  echo "export NEWSGRAPH_TEST_PG=postgres://newsgraph@127.0.0.1:$PORT/postgres"
  echo "export NEWSGRAPH_PG_DIR=$dir"
}

stop() {
  local dir="${1:?usage: postgres.sh stop DIR}" bin
  bin="$(find_bin)" || { log "initdb not found"; exit 2; }
  pick_owner
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  fi
  case "$dir" in
    */newsgraph-pg.*) rm -rf "$dir" ;;
    *) log "left $dir in place (not made by start)" ;;
  esac
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
