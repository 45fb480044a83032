#!/usr/bin/env bash
# A running three-node cluster with C connections (default 200) on a schedule (default every 30 s): their export
# files appear once the cluster is up, idle and its schedulers settled over the nodes (F files each, default 5,
# written at once per connection), and the benchmark reports the time from a file appearing (its mtime) to its rows
# committed (median, 99th percentile), how file jobs and schedulers spread over the nodes, the nodes' PostgreSQL
# sessions at the peak, each node's peak memory, whether any connection ran (listed its directory) more often than
# its schedule ticks, and whether the SFTP sessions all close once every connection is paused (no connection holds
# one between runs).
#
#   bash bench/cluster-latency-benchmark.sh [--connections C] [--files-per-connection F] [--rows R] [--every S] [--runs N] [--seed S] [--results FILE]
#
# Runs as root (the throwaway sshd and PostgreSQL need it). The three nodes share this machine's cores.
set -euo pipefail

BENCH_NAME=cluster-latency
ROWS=300
BIG_BYTES=1   # not used: lib.sh's options are shared
SEED=20181001
RUNS=3
CONNECTIONS=200
FILES_PER_CONNECTION=5
EVERY=30
script_option() {
  case $1 in
    --connections) CONNECTIONS=$2 ;;
    --files-per-connection) FILES_PER_CONNECTION=$2 ;;
    --every) EVERY=$2 ;;
    *) return 1 ;;
  esac
}

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
for value in "$CONNECTIONS" "$FILES_PER_CONNECTION" "$EVERY"; do
  [[ $value =~ ^[0-9]+$ && $value -gt 0 ]] || die "--connections, --files-per-connection and --every must be positive numbers"
done
COMMAND="bench/cluster-latency-benchmark.sh --connections $CONNECTIONS --files-per-connection $FILES_PER_CONNECTION --rows $ROWS --every $EVERY --seed $SEED --runs $RUNS"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"
require_tools psql ss curl
record_source
build
make_work_dir

log "starting sshd and PostgreSQL (fsync on)"
start_sftp_server
start_postgres
FILES=$((CONNECTIONS * FILES_PER_CONNECTION))
figure files "$FILES"
figure connections "$CONNECTIONS"
figure every "$EVERY"
FEED=$WORK/feed
generate_contacts feed_ "$FEED/20181001_EVENTS.csv" --rows "$ROWS" --files "$FILES_PER_CONNECTION"

trap 'stop_nodes; cleanup' EXIT

run_once() {
  local run=$1 id=r$1 database postgres configs data i c loaded=0 peak=0 sessions start listed=0
  database=bench_latency_$id
  sql "CREATE DATABASE $database"
  postgres="Host=127.0.0.1;Port=$RSX_PG_PORT;Username=postgres;Password=$RSX_PG_PASSWORD;Database=$database"
  local q=(env PGTZ=UTC psql -X -q -A -t -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d "$database")
  configs=$WORK/connections-$id
  data=$RSX_SFTP_DATA_DIR/$id
  mkdir -p "$configs"
  for ((c = 1; c <= CONNECTIONS; c++)); do
    mkdir -p "$data/c$c"
    write_connection_config "$configs/c$c.json" "$data/c$c" "c$c"
    sed -i "0,/^{\$/s//{\n  \"schedule\": {\"every\": \"${EVERY}s\"},/" "$configs/c$c.json"
  done
  chown -R "$RSX_SFTP_USER" "$data" 2>/dev/null || true

  log "$id: three nodes, $CONNECTIONS connections every ${EVERY}s; waiting for every connection's first run"
  start_node "$id-a" "$postgres" "$configs" "$LOGS/$id-a.log"
  local seed=127.0.0.1:$NODE_PORT
  start_node "$id-b" "$postgres" "$configs" "$LOGS/$id-b.log" "$seed"
  start_node "$id-c" "$postgres" "$configs" "$LOGS/$id-c.log" "$seed"
  for _ in $(seq 3000); do
    listed=$("${q[@]}" -c "SELECT count(DISTINCT connection_id) FROM responsys_cluster.extraction_log WHERE step = 'list'" 2>/dev/null || echo 0)
    ((listed < CONNECTIONS)) || break
    sleep 0.2
  done
  ((listed >= CONNECTIONS)) || die "$id: only $listed of $CONNECTIONS connections listed their directory within 10 minutes"

  # The shards move to the nodes that joined over a few rebalance rounds (10 s each): the exports appear once the
  # schedulers per node, as the members report them, have not changed for three rounds.
  local http spread previous="" steady=0
  http=$(sed -n 's/.*health endpoints on \(http:\/\/127\.0\.0\.1:[0-9]*\).*/\1/p' "$LOGS/$id-a.log" | head -n 1)
  [[ -n $http ]] || die "$id: node a's log names no HTTP listener"
  for _ in $(seq 300); do
    spread=$(curl -fsS "$http/api/v1/cluster/members" | python3 -c '
import json, sys
counts = [len(m["connections"]) if m["connections"] is not None else -1 for m in json.load(sys.stdin)]
print("/".join(map(str, sorted(counts, reverse=True))))')
    if [[ $spread == "$previous" && $spread != *-1* ]]; then steady=$((steady + 1)); else steady=0; fi
    previous=$spread
    ((steady < 30)) || break
    sleep 1
  done
  ((steady >= 30)) || die "$id: the schedulers per node still changed after 5 minutes (last $spread)"
  figure "${id}_schedulers_settled" "$spread"

  log "$id: the exports appear (schedulers per node $spread)"
  start=$("${q[@]}" -c "SELECT now()")
  for ((c = 1; c <= CONNECTIONS; c++)); do
    cp "$FEED"/* "$data/c$c/"
    touch "$data/c$c"/*
  done
  chown -R "$RSX_SFTP_USER" "$data" 2>/dev/null || true
  for _ in $(seq 6000); do
    loaded=$("${q[@]}" -c "SELECT count(*) FROM responsys_cluster.file_ledger" 2>/dev/null || echo 0)
    sessions=$("${q[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'responsys-cluster:$id-%'" 2>/dev/null || echo 0)
    ((sessions <= peak)) || peak=$sessions
    ((loaded < FILES)) || break
    sleep 0.2
  done
  figure "${id}_status" "$((loaded >= FILES ? 0 : 1))"
  figure "${id}_peak_sessions" "$peak"
  figure "${id}_latency_p50" "$("${q[@]}" -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - modified)) FROM responsys_cluster.file_ledger")"
  figure "${id}_latency_p99" "$("${q[@]}" -c "SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM loaded_at - modified)) FROM responsys_cluster.file_ledger")"
  figure "${id}_files_per_node" "$("${q[@]}" -c "SELECT string_agg(n::text, '/' ORDER BY n DESC) FROM (SELECT count(*) n FROM responsys_cluster.file_ledger GROUP BY loaded_by) s")"
  figure "${id}_schedulers_per_node" "$("${q[@]}" -c "SELECT string_agg(n::text, '/' ORDER BY n DESC) FROM (SELECT count(DISTINCT connection_id) n FROM responsys_cluster.extraction_log WHERE step = 'list' AND at > '$start' GROUP BY node) s")"
  # Runs of one connection started since the exports appeared that listed its directory, against the ticks its
  # schedule has in that time. A run's start is its tick; its list step comes after the connect, which a loaded
  # machine delays by seconds, so counting list steps would count a run of the tick before the window. A run that
  # found the run lock held lists nothing and is left out. A run cut short by a move is finished at once by its new
  # node (the tick's work does not wait a period): the run after an interrupted one resumes that tick, and is counted
  # apart as a resumption.
  local kept_runs="SELECT r.connection_id, r.started_at, r.status,
      EXISTS (SELECT 1 FROM responsys_cluster.extraction_log l WHERE l.run_id = r.run_id AND l.step = 'list') AS listed,
      lag(r.status) OVER (PARTITION BY r.connection_id ORDER BY r.started_at) AS before
    FROM responsys_cluster.runs r
    WHERE r.status = 'interrupted' OR EXISTS (SELECT 1 FROM responsys_cluster.extraction_log l WHERE l.run_id = r.run_id AND l.step = 'list')"
  figure "${id}_most_runs" "$("${q[@]}" -c "SELECT coalesce(max(n), 0) FROM (SELECT count(*) n FROM ($kept_runs) k
    WHERE started_at > '$start' AND listed AND before IS DISTINCT FROM 'interrupted' GROUP BY connection_id) s")"
  figure "${id}_resumed" "$("${q[@]}" -c "SELECT count(*) FROM ($kept_runs) k WHERE started_at > '$start' AND listed AND before = 'interrupted'")"
  figure "${id}_interrupted" "$("${q[@]}" -c "SELECT count(*) FROM responsys_cluster.runs WHERE started_at > '$start' AND status = 'interrupted'")"
  figure "${id}_ticks" "$("${q[@]}" -c "SELECT floor(extract(epoch FROM (SELECT max(started_at) FROM responsys_cluster.runs) - '$start'::timestamptz) / $EVERY) + 1")"
  for i in 0 1 2; do
    figure "${id}_rss_kb_$((i + 1))" "$(awk '/VmHWM/ {print $2}' "/proc/${NODE_PIDS[$i]}/status")"
  done
  # Between runs a connection holds no SFTP session: pause every connection (the runs going finish, no new one
  # starts), then the sessions still open, once a second, until none is (each pool closes a session idle for 15 s).
  local waited=0
  for ((c = 1; c <= CONNECTIONS; c++)); do
    curl -fsS -X POST "$http/api/v1/connections/c$c/pause" >/dev/null || die "$id: pausing c$c failed"
  done
  local open_sessions
  while open_sessions=$(ss -Htn state established "( sport = :$RSX_SFTP_PORT )" | wc -l) && ((open_sessions > 0 && waited < 120)); do
    sleep 1
    waited=$((waited + 1))
  done
  figure "${id}_sftp_sessions_after" "$open_sessions"
  figure "${id}_sftp_idle_seconds" "$waited"
  stop_nodes
  sql "DROP DATABASE $database WITH (FORCE)"
  rm -rf "$data"
}

for ((run = 1; run <= RUNS; run++)); do run_once "$run"; done

TABLE=$(render_table <<'EOF'
import sys
from figures import Figures, Table, stat
f = Figures(sys.argv[1])
files, connections, every = int(f.num("files")), int(f.num("connections")), int(f.num("every"))
runs = range(1, f.runs + 1)
per_run = lambda key: [f.num(f"r{r}_{key}") for r in runs]
texts = lambda key: ", ".join(f.text(f"r{r}_{key}") for r in runs)
t = Table()
t.row("Cluster and exports", f"3 nodes on this machine; {connections} connections every {every} s; {files // connections} files of "
      f"{int(f.num('feed_rows')) // (files // connections):,} rows each per connection ({files:,} files), written once the cluster is up")
failed = [r for r in runs if f.text(f"r{r}_status") != "0"]
t.row("file appearing → its rows committed, median", stat(per_run("latency_p50"), unit=" s") + (f" — **runs {failed} failed**" if failed else ""))
t.row("file appearing → its rows committed, 99th percentile", stat(per_run("latency_p99"), unit=" s"))
t.row("files loaded per node (each run)", texts("files_per_node"))
t.row("schedulers per node once they settled, before the exports appeared (each run)", texts("schedulers_settled"))
t.row("connections listed per node (each run)", texts("schedulers_per_node"))
t.row("the nodes' PostgreSQL sessions at the peak", stat(per_run("peak_sessions"), "{:.0f}"), "≤ 3 nodes × budget 4 = 12",
      all(v is not None and v <= 12 for v in per_run("peak_sessions")))
for node in "123":
    t.row(f"peak RSS of node {node}", stat([v / 1024 if v else None for v in per_run(f"rss_kb_{node}")], "{:.0f}", " MB"))
most, allowed = per_run("most_runs"), per_run("ticks")
t.row("most runs listing one connection since the files appeared ÷ its schedule's ticks in that time (resumptions apart)", ", ".join(f"{m:.0f}/{a:.0f}" for m, a in zip(most, allowed)),
      "≤ 1", all(m is not None and a is not None and m <= a for m, a in zip(most, allowed)))
t.row("runs cut short by a move in that time; runs that resumed one and listed (each run)", ", ".join(
      f"{f.text(f'r{r}_interrupted')}; {f.text(f'r{r}_resumed')}" for r in runs))
t.row("SFTP sessions open once every connection is paused (each run)", ", ".join(
      f"{f.text(f'r{r}_sftp_sessions_after')} after {f.text(f'r{r}_sftp_idle_seconds')} s" for r in runs), "0 within 120 s",
      all(f.text(f"r{r}_sftp_sessions_after") == "0" for r in runs))
print(t)
EOF
)

append_report "a three-node cluster: latency, spread and resources" \
  ".NET $(dotnet --version), $PG_DESCRIPTION, RSX_NODE_WORKERS, RSX_NODE_DB_CONNECTIONS and RSX_NODE_BATCH_FILES at their defaults" "$TABLE"
