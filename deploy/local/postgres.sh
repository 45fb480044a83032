#!/usr/bin/env bash
# A throwaway PostgreSQL 15 on 127.0.0.1 for tests, benchmarks and local runs.
#
#   postgres.sh start DIR [PORT] [--test]   initdb (first time only) and start; a free port is picked
#                                           when PORT is omitted; --test trades durability for speed.
#                                           Prints the path of DIR/postgres.env as the last line.
#   postgres.sh stop DIR                    pg_ctl stop -m fast (DIR is kept)
#
# DIR holds data/, sock/ (the Unix socket), pg.log and postgres.env, all owned by the postgres
# user: initdb refuses to run as root, and pg_ctl -l needs a log it can write.
# Host connections need the generated password of user postgres (scram-sha-256).
set -euo pipefail

readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly PG_USER=postgres

die() { echo "postgres: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR [PORT] [--test] | stop DIR"; }

as_postgres() { runuser -u "$PG_USER" -- "$@"; }

# shellcheck source=deploy/local/server-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/server-lib.sh"

is_running() { as_postgres "$PG_BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

start() {
  local dir='' port='' test_mode=0 arg
  for arg in "$@"; do
    case $arg in
      --test) test_mode=1 ;;
      *)
        if [[ -z $dir ]]; then dir=$arg
        elif [[ -z $port && $arg =~ ^[0-9]+$ ]]; then port=$arg
        else usage
        fi
        ;;
    esac
  done
  [[ -n $dir ]] || usage
  ((EUID == 0)) || die "must run as root (it runs initdb and pg_ctl as $PG_USER)"
  # The first thing run on a fresh machine may be the tests: install what is missing (quiet when all is there).
  bash "$(dirname "${BASH_SOURCE[0]}")/install-prereqs.sh"
  id -u "$PG_USER" >/dev/null 2>&1 || die "user $PG_USER is missing; run deploy/local/install-prereqs.sh"

  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  allow_traverse "$dir" "$PG_USER"
  mkdir -p "$dir/sock"
  chown "$PG_USER:$PG_USER" "$dir" "$dir/sock"
  chmod 700 "$dir"
  if is_running "$dir"; then
    die "a PostgreSQL from $dir is already running; stop it first"
  fi

  # First start: initdb with a fresh password; later starts reuse both.
  local password
  if [[ -f $dir/data/PG_VERSION ]]; then
    [[ -s $dir/password ]] || die "$dir/data exists but $dir/password is missing"
    password=$(<"$dir/password")
  else
    rm -rf "$dir/data"
    password=$(random_secret 24)
    (umask 077 && printf '%s' "$password" >"$dir/password")
    chown "$PG_USER:$PG_USER" "$dir/password"
    as_postgres "$PG_BIN/initdb" -D "$dir/data" -U "$PG_USER" --pwfile="$dir/password" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  fi

  local options="-c max_connections=200"
  if ((test_mode)); then
    # Tests only: a crash may lose data, which a throwaway server does not mind.
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi

  # Retry on another port when the picked one is taken between the check and the bind.
  local attempts=1 attempt try_port
  [[ -n $port ]] || attempts=5
  for attempt in $(seq 1 "$attempts"); do
    try_port=${port:-$(pick_free_port)}
    if [[ -n $port ]] && ! port_is_free "$port"; then
      die "port $port on 127.0.0.1 is already in use"
    fi
    # The socket path is limited to 107 bytes.
    ((${#dir} + 24 < 107)) || die "DIR is too long for a Unix socket path: $dir"
    if as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/pg.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $try_port -k $dir/sock $options" start >/dev/null; then
      port=$try_port
      break
    fi
    if ((attempt == attempts)); then
      tail -n 30 "$dir/pg.log" >&2 || true
      die "PostgreSQL did not start on 127.0.0.1:$try_port"
    fi
  done

  cat >"$dir/postgres.env" <<EOF
RSX_POSTGRES='Host=127.0.0.1;Port=$port;Username=$PG_USER;Password=$password;Database=postgres'
RSX_PG_PORT=$port
RSX_PG_PASSWORD=$password
RSX_PG_PID=$(head -n 1 "$dir/data/postmaster.pid")
EOF
  chmod 600 "$dir/postgres.env"
  echo "$dir/postgres.env"
}

stop() {
  (($# == 1)) || usage
  local dir=$1
  if [[ ! -f $dir/data/postmaster.pid ]] || ! is_running "$dir"; then
    echo "postgres: no running PostgreSQL for $dir" >&2
    return 0
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) usage ;;
esac
