#!/usr/bin/env bash
# The cluster at scale: C connections (default 200), each with its own export directory of small event-feed-like
# files (default 1,000 files in all), replicated by `responsys-cluster node` processes from a cold start, on one
# node and on three, with small-file batching on (RSX_NODE_BATCH_FILES=50, the default) and off (=1). The time is
# from the first node's start to the last file's ledger row; the span from the first ledger row to the last is
# the loading alone. Every scenario starts on a database of its own (an empty registry, journal and ledger).
#
#   bash bench/cluster-benchmark.sh [--connections C] [--files-per-connection F] [--rows R] [--runs N] [--seed S] [--results FILE]
#
#   --connections C            connections, each a `--connections` file with a 1 h schedule (default 200)
#   --files-per-connection F   files in each connection's directory (default 5)
#   --rows R                   rows of each file (default 300)
#
# Runs as root (the throwaway sshd and PostgreSQL need it). All nodes share this machine's cores: three nodes here
# show the cost of the cluster's coordination, not the gain of three machines.
set -euo pipefail

BENCH_NAME=cluster
ROWS=300
BIG_BYTES=1   # not used: lib.sh's options are shared
SEED=20181001
RUNS=3
CONNECTIONS=200
FILES_PER_CONNECTION=5
script_option() {
  case $1 in
    --connections) CONNECTIONS=$2 ;;
    --files-per-connection) FILES_PER_CONNECTION=$2 ;;
    *) return 1 ;;
  esac
}

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
for value in "$CONNECTIONS" "$FILES_PER_CONNECTION"; do
  [[ $value =~ ^[0-9]+$ && $value -gt 0 ]] || die "--connections and --files-per-connection must be positive numbers"
done
COMMAND="bench/cluster-benchmark.sh --connections $CONNECTIONS --files-per-connection $FILES_PER_CONNECTION --rows $ROWS --seed $SEED --runs $RUNS"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"
require_tools psql
record_source
build
make_work_dir

log "starting sshd and PostgreSQL (fsync on)"
start_sftp_server
start_postgres
FILES=$((CONNECTIONS * FILES_PER_CONNECTION))
figure files "$FILES"
figure connections "$CONNECTIONS"

log "generating $FILES_PER_CONNECTION files of $ROWS rows, linked into $CONNECTIONS export directories"
FEED=$RSX_SFTP_DATA_DIR/feed
generate_contacts feed_ "$FEED/20181001_EVENTS.csv" --rows "$ROWS" --files "$FILES_PER_CONNECTION"
CONFIGS=$WORK/connections
mkdir -p "$CONFIGS"
for ((c = 1; c <= CONNECTIONS; c++)); do
  dir=$RSX_SFTP_DATA_DIR/c$c
  mkdir -p "$dir"
  cp -l "$FEED"/* "$dir/"
  write_connection_config "$CONFIGS/c$c.json" "$dir" "c$c"
  sed -i '0,/^{$/s//{\n  "schedule": {"every": "1h"},/' "$CONFIGS/c$c.json"
done
chown -R "$RSX_SFTP_USER" "$RSX_SFTP_DATA_DIR" 2>/dev/null || true

trap 'stop_nodes; cleanup' EXIT

# scenario NAME NODES BATCH RUN: a cold cluster of NODES nodes replicating every connection; records
# NAME_rRUN_seconds (start to the last ledger row), _load_seconds (first to last ledger row), _status, and the
# files each node loaded.
scenario() {
  local name=$1 nodes=$2 batch=$3 run=$4 id=${1}_r${4} database postgres port start loaded=0 status=0 i
  database=bench_$id
  sql "CREATE DATABASE $database"
  postgres="Host=127.0.0.1;Port=$RSX_PG_PORT;Username=postgres;Password=$RSX_PG_PASSWORD;Database=$database"
  local ledger=(env PGTZ=UTC psql -X -q -A -t -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d "$database")
  log "$id: $nodes node(s), RSX_NODE_BATCH_FILES=$batch"
  start=$(now)
  export RSX_NODE_BATCH_FILES=$batch
  start_node "$id-a" "$postgres" "$CONFIGS" "$LOGS/$id-a.log"
  port=$NODE_PORT
  for ((i = 2; i <= nodes; i++)); do
    start_node "$id-$i" "$postgres" "$CONFIGS" "$LOGS/$id-$i.log" "127.0.0.1:$port"
  done
  for _ in $(seq 6000); do
    loaded=$("${ledger[@]}" -c "SELECT count(*) FROM responsys_cluster.file_ledger" 2>/dev/null || echo 0)
    ((loaded < FILES)) || break
    sleep 0.1
  done
  figure "${id}_seconds" "$(python3 -c "print(f'{$(now) - $start:.3f}')")"
  ((loaded >= FILES)) || { status=1; log "$id: only $loaded of $FILES files loaded within 10 minutes"; }
  figure "${id}_status" "$status"
  figure "${id}_load_seconds" "$("${ledger[@]}" -c "SELECT extract(epoch FROM max(loaded_at) - min(loaded_at)) FROM responsys_cluster.file_ledger")"
  figure "${id}_rows" "$("${ledger[@]}" -c "SELECT sum(rows_loaded) FROM responsys_cluster.file_ledger")"
  figure "${id}_per_node" "$("${ledger[@]}" -c "SELECT string_agg(n::text, '/' ORDER BY n DESC) FROM (SELECT count(*) n FROM responsys_cluster.file_ledger GROUP BY loaded_by) s")"
  figure "${id}_sessions" "$("${ledger[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'responsys-cluster:%'")"
  stop_nodes
  ! pgrep -f "$CONFIGS" >/dev/null || die "a node of $CONFIGS still runs after SIGTERM"
  sql "DROP DATABASE $database WITH (FORCE)"
}

for ((run = 1; run <= RUNS; run++)); do
  # The order turns from run to run, so that no scenario always runs on a warmer machine.
  scenarios=(one_batched one_single three_batched three_single)
  for ((k = 0; k < 4; k++)); do
    s=${scenarios[$(((k + run - 1) % 4))]}
    case $s in
      one_batched) scenario one_batched 1 50 "$run" ;;
      one_single) scenario one_single 1 1 "$run" ;;
      three_batched) scenario three_batched 3 50 "$run" ;;
      three_single) scenario three_single 3 1 "$run" ;;
    esac
  done
done

TABLE=$(render_table <<'EOF'
import sys
from figures import Figures, Table, stat, rates, ratios
f = Figures(sys.argv[1])
files, connections = int(f.num("files")), int(f.num("connections"))
t = Table()
t.row("Exports", f"{connections} connections × {files // connections} files × {int(f.num('feed_rows')) // (files // connections):,} rows "
      f"({files:,} files, {f.num('feed_bytes') / (files // connections) / 1000:,.1f} kB a file)")
seconds = {}
for name, label in [("one_batched", "1 node, batches of up to 50 files"), ("one_single", "1 node, one file at a time"),
                    ("three_batched", "3 nodes, batches of up to 50 files"), ("three_single", "3 nodes, one file at a time")]:
    total = f.per_run(name, "seconds")
    load = f.per_run(name, "load_seconds")
    seconds[name] = load
    failed = [r for r in range(1, f.runs + 1) if f.text(f"{name}_r{r}_status") != "0"]
    per_node = ", ".join(sorted({f.text(f"{name}_r{r}_per_node") for r in range(1, f.runs + 1)}))
    rows = {f.text(f"{name}_r{r}_rows") for r in range(1, f.runs + 1)}
    sessions = ", ".join(sorted({f.text(f"{name}_r{r}_sessions") for r in range(1, f.runs + 1)}))
    t.row(f"{label}: cold start to every file loaded", stat(total, unit=" s") + (f" — **runs {failed} failed**" if failed else ""))
    t.row(f"{label}: first to last commit", f"{stat(load, unit=' s')}, {stat(rates(files, load), '{:,.1f}', ' files/s')}; "
          f"files per node {per_node}; rows {', '.join(sorted(rows))}; the nodes' PostgreSQL sessions at the end {sessions}")
t.row("batching ÷ one at a time, 1 node (files/s)", f"**{stat(ratios(seconds['one_single'], seconds['one_batched']), unit=' ×')}**")
t.row("batching ÷ one at a time, 3 nodes (files/s)", f"**{stat(ratios(seconds['three_single'], seconds['three_batched']), unit=' ×')}**")
t.row("3 nodes ÷ 1 node, batched (files/s; the same 2 cores)", f"**{stat(ratios(seconds['one_batched'], seconds['three_batched']), unit=' ×')}**")
print(t)
EOF
)

append_report "the cluster replicating many connections of small files" \
  ".NET $(dotnet --version), $PG_DESCRIPTION, RSX_NODE_WORKERS and RSX_NODE_DB_CONNECTIONS at their defaults (4)" "$TABLE"
