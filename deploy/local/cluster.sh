#!/usr/bin/env bash
# The docker-compose topology as processes on 127.0.0.1, without Docker: a throwaway sshd and PostgreSQL, three
# `responsys-cluster node` processes forming one cluster, and three sample Responsys connections (generated exports
# with their .ready files) that every node is given.
#
#   deploy/local/cluster.sh up       start everything and show the nodes replicating (files and rows per node)
#   deploy/local/cluster.sh status   each node's process, readiness and what it loaded; the cluster's members
#   deploy/local/cluster.sh down     stop the nodes (SIGTERM, by their PIDs), then sshd and PostgreSQL (the logs stay)
#
# Everything lives under RSX_CLUSTER_DIR (default .local/cluster): node logs in nodes/NAME.log, connection files
# in connections/; `up` starts from an empty one. Ports are picked free on 127.0.0.1; every server binds to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
# shellcheck source=deploy/local/server-lib.sh
source deploy/local/server-lib.sh

dir=${RSX_CLUSTER_DIR:-$repo/.local/cluster}
nodes=(node-a node-b node-c)
connections=(shop newsletter events)

die() { echo "cluster: $*" >&2; exit 1; }

psql_cluster() {
  # shellcheck disable=SC1091
  source "$dir/postgres.env"
  PGPASSWORD=$RSX_PG_PASSWORD psql -X -q -P pager=off -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d postgres "$@"
}

node_pid() { [[ -f $dir/nodes/$1.pid ]] && cat "$dir/nodes/$1.pid"; }
node_alive() { local pid; pid=$(node_pid "$1") && kill -0 "$pid" 2>/dev/null; }
node_http() { cat "$dir/nodes/$1.http"; }

ready() { [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(node_http "$1")/health/ready") == 200 ]]; }

# Files and rows each node has loaded (the ledger's loaded_by), and the files still to load.
show_loaded() {
  psql_cluster -c "
    SELECT coalesce(loaded_by, '(before nodes)') AS node, count(*) AS files, sum(rows_loaded) AS rows
    FROM responsys_cluster.file_ledger WHERE connection_id = ANY('{$(IFS=,; echo "${connections[*]}")}')
    GROUP BY 1 ORDER BY 1" 2>/dev/null || echo "(nothing loaded yet)"
}

files_loaded() {
  psql_cluster -At -c "SELECT count(*) FROM responsys_cluster.file_ledger WHERE connection_id = ANY('{$(IFS=,; echo "${connections[*]}")}')" 2>/dev/null || echo 0
}

start_node() {
  local name=$1 port=$2 http=$3 seeds=$4
  echo "$http" >"$dir/nodes/$name.http"
  RSX_CONNECTIONS=$dir/connections RSX_POSTGRES=$RSX_POSTGRES RSX_NODE_WORKERS=2 \
    setsid dotnet "$dir/bin/responsys-cluster.dll" node --name "$name" --port "$port" --http "127.0.0.1:$http" --seeds "$seeds" \
    >"$dir/nodes/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/nodes/$name.pid"
}

up() {
  bash deploy/local/install-prereqs.sh
  if node_alive node-a 2>/dev/null; then die "already up in $dir (run: $0 down)"; fi
  # A fresh start every time: the servers' data and the logs of the last cluster go.
  rm -rf "$dir"
  mkdir -p "$dir/nodes" "$dir/connections"
  echo "== building into $dir/bin"
  dotnet build -c Release -v quiet -nologo src/ResponsysCluster.Node -o "$dir/bin" >/dev/null
  dotnet build -c Release -v quiet -nologo bench/ResponsysCluster.Bench -o "$dir/bench" >/dev/null

  echo "== sshd and PostgreSQL on 127.0.0.1"
  cp "$(bash deploy/local/sftp-server.sh start "$dir/sftp" | tail -n 1)" "$dir/sftp.env"
  cp "$(bash deploy/local/postgres.sh start "$dir/postgres" | tail -n 1)" "$dir/postgres.env"
  # shellcheck disable=SC1091
  source "$dir/sftp.env"
  # shellcheck disable=SC1091
  source "$dir/postgres.env"

  echo "== sample connections: ${connections[*]} (exports arrive once the cluster is up)"
  local connection
  for connection in "${connections[@]}"; do
    local exports=$RSX_SFTP_DATA_DIR/$connection
    mkdir -p "$exports"
    cat >"$dir/connections/$connection.json" <<JSON
{
  "connection_id": "$connection",
  "host": "$RSX_SFTP_HOST",
  "port": $RSX_SFTP_PORT,
  "username": "$RSX_SFTP_USER",
  "path": "$exports",
  "private_key_file": "$RSX_SFTP_KEYS_DIR/ed25519",
  "host_key_fingerprint": "$RSX_SFTP_HOST_KEY_FINGERPRINT",
  "start_date": "2000-01-01T00:00:00Z",
  "max_concurrent_downloads": 3,
  "schedule": { "every": "10s" }
}
JSON
  done

  echo "== three nodes"
  local ports=() https=() name i
  for i in 0 1 2; do
    ports+=("$(pick_free_port)")
    https+=("$(pick_free_port)")
  done
  local seeds="127.0.0.1:${ports[0]},127.0.0.1:${ports[1]},127.0.0.1:${ports[2]}"
  for i in 0 1 2; do start_node "${nodes[$i]}" "${ports[$i]}" "${https[$i]}" "$seeds"; done
  local deadline=$((SECONDS + 90))
  for i in 0 1 2; do
    name=${nodes[$i]}
    until ready "$name"; do
      node_alive "$name" || die "$name stopped; its log: $dir/nodes/$name.log"
      ((SECONDS < deadline)) || die "$name not ready after 90 s; its log: $dir/nodes/$name.log"
      sleep 1
    done
    echo "$name ready: cluster port ${ports[$i]}, health on http://127.0.0.1:${https[$i]}/health/ready, log $dir/nodes/$name.log"
  done

  echo "== Responsys drops its exports"
  local expected=0 staging
  for connection in "${connections[@]}"; do
    staging=$RSX_SFTP_DATA_DIR/.staging-$connection
    dotnet "$dir/bench/responsys-bench.dll" generate sample "$staging" >/dev/null
    # Each data file in place before its ready file, as Responsys does: a run never sees a ready file early.
    find "$staging" -maxdepth 1 -type f ! -name '*.ready' -exec mv -t "$RSX_SFTP_DATA_DIR/$connection" {} +
    find "$staging" -maxdepth 1 -type f -name '*.ready' -exec mv -t "$RSX_SFTP_DATA_DIR/$connection" {} +
    rmdir "$staging"
    expected=$((expected + $(find "$RSX_SFTP_DATA_DIR/$connection" -name '*.ready' | wc -l)))
  done

  echo "== replicating"
  deadline=$((SECONDS + 120))
  while (($(files_loaded) < expected && SECONDS < deadline)); do
    echo "files loaded: $(files_loaded) of $expected"
    sleep 3
  done
  show_loaded
  echo "up: $(files_loaded) of $expected sample files loaded; '$0 status' shows the nodes, '$0 down' stops everything"
}

status() {
  [[ -d $dir/nodes ]] || die "not up (run: $0 up)"
  local name
  for name in "${nodes[@]}"; do
    if ! node_alive "$name"; then
      echo "$name: not running"
    elif ready "$name"; then
      echo "$name: pid $(node_pid "$name"), ready"
    else
      echo "$name: pid $(node_pid "$name"), not ready"
    fi
  done
  for name in "${nodes[@]}"; do
    if node_alive "$name"; then
      echo "== members as $name sees them"
      grep -E "Cluster member (up|unreachable|reachable again|left|removed)" "$dir/nodes/$name.log" | sed 's/^.*Cluster member/  member/' | tail -n 6
      break
    fi
  done
  show_loaded
}

down() {
  local name pid
  for name in "${nodes[@]}"; do
    if node_alive "$name"; then
      pid=$(node_pid "$name")
      kill -TERM "$pid"
      echo "$name: stopping (pid $pid)"
    fi
  done
  for name in "${nodes[@]}"; do
    pid=$(node_pid "$name" || true)
    [[ -n $pid ]] || continue
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name: still running after 30 s, killing (pid $pid)"
      kill -KILL "$pid"
    fi
    rm -f "$dir/nodes/$name.pid"
  done
  bash deploy/local/sftp-server.sh stop "$dir/sftp" >/dev/null 2>&1 || true
  bash deploy/local/postgres.sh stop "$dir/postgres" >/dev/null 2>&1 || true
  echo "down"
}

case ${1:-} in
  up) up ;;
  status) status ;;
  down) down ;;
  *) die "usage: $0 up | status | down" ;;
esac
