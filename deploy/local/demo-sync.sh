#!/usr/bin/env bash
# The main job end to end on this machine: a throwaway sshd and PostgreSQL on 127.0.0.1, generated Responsys
# exports (contact list and sent/opened/clicked/bounced feeds with their .ready files), `responsys-cluster sync`
# into PostgreSQL with its loading report, a few loaded rows, and a second sync that loads nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)

bash deploy/local/install-prereqs.sh

out=$repo/.local/demo-sync
mkdir -p "$out"
echo "== building"
dotnet build -c Release -v quiet -nologo src/ResponsysCluster.Node -o "$out/node" >/dev/null
dotnet build -c Release -v quiet -nologo bench/ResponsysCluster.Bench -o "$out/bench" >/dev/null

servers=$(mktemp -d -t rsx-demo-sync.XXXXXX)
stop_servers() {
  bash "$repo/deploy/local/sftp-server.sh" stop "$servers/sftp" >/dev/null 2>&1 || true
  bash "$repo/deploy/local/postgres.sh" stop "$servers/postgres" >/dev/null 2>&1 || true
}
trap stop_servers EXIT
sftp_env=$(bash deploy/local/sftp-server.sh start "$servers/sftp" | tail -n 1)
pg_env=$(bash deploy/local/postgres.sh start "$servers/postgres" | tail -n 1)
# shellcheck disable=SC1090
source "$sftp_env"
# shellcheck disable=SC1090
source "$pg_env"
export RSX_POSTGRES

exports=$RSX_SFTP_DATA_DIR/responsys
echo "== generating sample exports in $exports"
dotnet "$out/bench/responsys-bench.dll" generate sample "$exports"

cat >"$out/connection.json" <<JSON
{
  "connection_id": "demo",
  "host": "$RSX_SFTP_HOST",
  "port": "$RSX_SFTP_PORT",
  "username": "$RSX_SFTP_USER",
  "path": "$exports",
  "private_key_file": "$RSX_SFTP_KEYS_DIR/ed25519",
  "host_key_fingerprint": "$RSX_SFTP_HOST_KEY_FINGERPRINT",
  "start_date": "2000-01-01T00:00:00Z"
}
JSON

sync() { dotnet "$out/node/responsys-cluster.dll" sync --config "$out/connection.json" 2>"$out/sync.log"; }
echo "== sync (log in $out/sync.log)"
sync
psql_demo() { PGPASSWORD=$RSX_PG_PASSWORD psql -P pager=off -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d postgres "$@"; }
echo "== a few rows"
psql_demo -c "SELECT riid_, email_address_, postal_code_, lifetime_value, created_date_ FROM responsys_demo.contact_list ORDER BY riid_ LIMIT 5"
psql_demo -c "SELECT event_type_id, riid, event_captured_dt, offer_url FROM responsys_demo._74310_clicked LIMIT 3" || true
echo "== second sync: nothing new to load"
sync
