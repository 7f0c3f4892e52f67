#!/bin/bash
# A throw-away PostgreSQL 15 + PostGIS cluster for `strike bench --postgres`, run as the postgres user:
#   Tests/Bench/postgres.sh start DIR   makes the cluster in DIR (fsync and synchronous_commit on, listening only
#                                       on a unix socket in DIR, a free port) and prints its libpq connection string
#   Tests/Bench/postgres.sh stop DIR    stops it and removes DIR
# It removes only a directory it made itself (the marker file below), never one that merely has the same name.
# The socket is open to every local user (the bench may run as another user than the one who started it), so
# the cluster takes a random password, which the connection string carries, not `trust`.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
marker=.strike-bench-cluster
command=${1:-}
dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

ours() { [ -f "$1/$marker" ]; }

case "$command" in
start)
  [ -x "$bin/initdb" ] || { echo "PostgreSQL 15 is not installed (make bench installs postgresql-15)" >&2; exit 1; }
  [ -f /usr/share/postgresql/15/extension/postgis.control ] ||
    { echo "PostGIS for PostgreSQL 15 is not installed (make bench installs postgresql-15-postgis-3)" >&2; exit 1; }
  id postgres >/dev/null 2>&1 || { echo "there is no postgres user (the postgresql-15 package makes it)" >&2; exit 1; }
  if [ -e "$dir" ]; then
    if ours "$dir"; then
      bash "$0" stop "$dir"
    elif [ -n "$(ls -A "$dir")" ]; then
      echo "$dir exists and is not a cluster this script made: not touching it" >&2
      exit 1
    fi
  fi
  mkdir -p "$dir"
  touch "$dir/$marker"
  chown postgres:postgres "$dir"
  chmod 0755 "$dir"
  runuser -u postgres -- test -w "$dir" ||
    { echo "the postgres user cannot write $dir (choose a directory under /tmp)" >&2; rm -rf "$dir"; exit 1; }
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  (umask 077 && echo "$password" >"$dir/password")
  chown postgres:postgres "$dir/password"
  runuser -u postgres -- "$bin/initdb" --pgdata "$dir/data" --auth scram-sha-256 --pwfile "$dir/password" \
    --username postgres --no-instructions >"$dir/initdb.log"
  rm -f "$dir/password"
  if ! runuser -u postgres -- "$bin/pg_ctl" --pgdata "$dir/data" --log "$dir/server.log" --wait --options \
    "-k $dir -p $port -c listen_addresses='' -c fsync=on -c synchronous_commit=on -c max_connections=64 -c shared_buffers=128MB" \
    start >/dev/null; then
    echo "PostgreSQL did not start:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    rm -rf "$dir"
    exit 1
  fi
  echo "host=$dir port=$port user=postgres password=$password dbname=postgres"
  ;;
stop)
  [ -e "$dir" ] || exit 0
  ours "$dir" || { echo "$dir is not a cluster this script made: not touching it" >&2; exit 1; }
  if [ -d "$dir/data" ]; then
    runuser -u postgres -- "$bin/pg_ctl" --pgdata "$dir/data" --mode fast --wait stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
