# Set-up, measuring and reporting steps shared by bench/tap-benchmark.sh and bench/sync-benchmark.sh (sourced).
#
# The caller sets BENCH_NAME (tap or sync) and the defaults ROWS, BIG_BYTES, SEED and RUNS before sourcing, and
# may define script_option NAME VALUE (returning non-zero for an option it does not know; the caller adds its
# own options to COMMAND, the command the entry records). Everything a run generates lives in WORK, a mktemp
# directory removed on exit with every server this file started.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=$REPO/bench/.out
NODE=$OUT/node/responsys-cluster
BENCH=$OUT/bench/responsys-bench
SFTP_SERVER=$REPO/deploy/local/sftp-server.sh
POSTGRES_SERVER=$REPO/deploy/local/postgres.sh
RESULTS_OF_RECORD=$REPO/bench/results.md
RESULTS=$RESULTS_OF_RECORD
FILE_NAME=20181001_CONTACT_LIST.csv
BIG_NAME=20181002_CONTACT_LIST.csv
umask 022   # generated exports must be readable by the sftp user

die() { echo "$BENCH_NAME-benchmark: $*" >&2; exit 1; }
log() { echo "$BENCH_NAME-benchmark: $*" >&2; }

figure() { printf '%s=%s\n' "$1" "$2" >>"$FIGURES"; }

# Value of KEY in a line of key=value pairs.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

now() { date +%s.%N; }

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# parse_arguments "$@": the options every benchmark takes, then the caller's script_option for the others.
parse_arguments() {
  while (($# > 0)); do
    case $1 in
      --rows) ROWS=${2:?--rows needs a value}; shift 2 ;;
      --big-bytes) BIG_BYTES=${2:?--big-bytes needs a value}; shift 2 ;;
      --seed) SEED=${2:?--seed needs a value}; shift 2 ;;
      --runs) RUNS=${2:?--runs needs a value}; shift 2 ;;
      --results) RESULTS=${2:?--results needs a value}; shift 2 ;;
      -h | --help) usage; exit 0 ;;
      *)
        (($# >= 2)) && declare -F script_option >/dev/null && script_option "$1" "$2" ||
          die "unknown argument: $1 (see --help)"
        shift 2
        ;;
    esac
  done
  [[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "--rows must be a positive number"
  [[ $BIG_BYTES =~ ^[0-9]+$ && $BIG_BYTES -gt 0 ]] || die "--big-bytes must be a positive number"
  [[ $SEED =~ ^[0-9]+$ ]] || die "--seed must be a number"
  [[ $RUNS =~ ^[0-9]+$ && $RUNS -gt 0 ]] || die "--runs must be a positive number"
  mkdir -p "$(dirname "$RESULTS")"
  RESULTS=$(cd "$(dirname "$RESULTS")" && pwd -P)/$(basename "$RESULTS")
  COMMAND="bench/$BENCH_NAME-benchmark.sh --rows $ROWS --big-bytes $BIG_BYTES --seed $SEED --runs $RUNS"
}

# The commit measured and whether the tree matched it (results.md itself aside: the first benchmark of
# run-all.sh appends to it before the second starts). bench/results.md takes only runs of a clean tree
# with three runs or more; other runs go to a file named with --results.
tree_state() {
  local changes
  changes=$(git -C "$REPO" status --porcelain -- . ':(exclude)bench/results.md' | wc -l)
  if ((changes == 0)); then echo clean; else echo "uncommitted changes ($changes paths)"; fi
}

record_source() {
  COMMIT=$(git -C "$REPO" rev-parse HEAD 2>/dev/null) || die "$REPO is not a git checkout: results must name their commit"
  TREE=$(tree_state)
  if [[ $RESULTS == "$RESULTS_OF_RECORD" ]]; then
    [[ $TREE == clean ]] || die "the tree has $TREE: bench/results.md takes only figures of a commit; commit first, or give --results FILE"
    ((RUNS >= 3)) || die "bench/results.md takes medians of 3 runs or more; give --runs 3 or more, or --results FILE"
  fi
  LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
  if ! python3 -c "import sys; sys.exit(0 if float('$LOAD_AT_START') < 1 else 1)"; then
    log "load average is $LOAD_AT_START: the figures are wall-clock times, other work on the machine skews them"
  fi
}

# check_source_unchanged: the commit and tree are still the ones recorded at the start.
check_source_unchanged() {
  local head
  head=$(git -C "$REPO" rev-parse HEAD)
  [[ $head == "$COMMIT" ]] || die "HEAD moved from $COMMIT to $head during the run; nothing written"
  [[ $(tree_state) == "$TREE" ]] || die "the tree changed during the run (now: $(tree_state)); nothing written"
}

# Tools every benchmark needs; GNU time (for peak RSS) is installed when missing.
require_tools() {
  if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (for peak RSS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
  fi
  local tool
  for tool in python3 git "$@"; do
    command -v "$tool" >/dev/null || die "$tool is required (deploy/local/install-prereqs.sh installs it)"
  done
}

# dotnet_rid: the runtime identifier of this machine, for a ReadyToRun publish.
dotnet_rid() {
  case $(uname -m) in
    x86_64) echo linux-x64 ;;
    aarch64) echo linux-arm64 ;;
    *) die "no ReadyToRun runtime identifier for $(uname -m)" ;;
  esac
}

build() {
  log "building responsys-cluster and responsys-bench (Release)"
  mkdir -p "$OUT"
  local build_log=$OUT/$BENCH_NAME-build.log
  # ReadyToRun, as deploy/Dockerfile publishes it: what users run.
  dotnet publish "$REPO/src/ResponsysCluster.Node" -c Release -r "$(dotnet_rid)" --self-contained false -p:PublishReadyToRun=true \
    -o "$OUT/node" --nologo -v quiet >"$build_log" 2>&1 ||
    { cat "$build_log" >&2; die "building src/ResponsysCluster.Node failed"; }
  dotnet publish "$REPO/bench/ResponsysCluster.Bench" -c Release -o "$OUT/bench" --nologo -v quiet >>"$build_log" 2>&1 ||
    { cat "$build_log" >&2; die "building bench/ResponsysCluster.Bench failed"; }
}

# The scratch directory, the kept logs ($OUT/NAME-last-run: stdout and stderr of every measured command) and
# the clean-up on exit, even on failure or Ctrl-C.
make_work_dir() {
  WORK=$(mktemp -d "/tmp/rsx-$BENCH_NAME-bench.XXXXXX")
  SFTP_DIR=$WORK/sftp
  PG_DIR=$WORK/pg
  LOGS=$OUT/$BENCH_NAME-last-run
  rm -rf "$LOGS" && mkdir -p "$LOGS"
  FIGURES=$WORK/figures
  : >"$FIGURES"
  figure runs "$RUNS"
  trap cleanup EXIT
  trap 'exit 130' INT TERM
}

cleanup() {
  local status=$?
  if [[ -f $PG_DIR/data/postmaster.pid ]]; then
    "$POSTGRES_SERVER" stop "$PG_DIR" >/dev/null 2>&1 || log "could not stop the PostgreSQL of $PG_DIR"
  fi
  stop_sftp_server
  rm -rf "$WORK"
  exit "$status"
}

# start_sftp_server [CIPHERS]: a throwaway sshd on 127.0.0.1 in SFTP_DIR (keys kept across restarts), offering
# only CIPHERS when given; sets the RSX_SFTP_* variables and KEY, the client key.
start_sftp_server() {
  local env_file
  env_file=$(RSX_SFTP_CIPHERS=${1:-} "$SFTP_SERVER" start "$SFTP_DIR" | tail -n 1)
  [[ -f $env_file ]] || die "sftp-server.sh did not print its env file"
  # shellcheck disable=SC1090
  source "$env_file"
  KEY=$RSX_SFTP_KEYS_DIR/ed25519
}

stop_sftp_server() {
  if [[ -s $SFTP_DIR/sshd.pid ]]; then
    "$SFTP_SERVER" stop "$SFTP_DIR" >/dev/null 2>&1 || log "could not stop the sshd of $SFTP_DIR"
  fi
}

# A throwaway PostgreSQL with fsync and synchronous commit on, as in production; sets PSQL and PG_DESCRIPTION.
start_postgres() {
  local env_file
  env_file=$("$POSTGRES_SERVER" start "$PG_DIR" | tail -n 1)
  [[ -f $env_file ]] || die "postgres.sh did not print its env file"
  # shellcheck disable=SC1090
  source "$env_file"
  export PGPASSWORD=$RSX_PG_PASSWORD PGCLIENTENCODING=UTF8
  # Wall-clock dates of the export are read as UTC, as the sync does without a time_zone key.
  PSQL=(env PGTZ=UTC psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d postgres)
  sql "SELECT 1" >/dev/null || die "cannot connect to PostgreSQL on 127.0.0.1:$RSX_PG_PORT"
  PG_DESCRIPTION="PostgreSQL $(sql "SHOW server_version" | cut -d' ' -f1) (fsync $(sql "SHOW fsync"), synchronous_commit $(sql "SHOW synchronous_commit"), shared_buffers $(sql "SHOW shared_buffers"), max_wal_size $(sql "SHOW max_wal_size"))"
}

sql() { "${PSQL[@]}" -c "SET client_min_messages = warning" -c "$1"; }

# generate_contacts PREFIX FILE (--rows N | --target-bytes B): a contact export and its ready file; records
# PREFIXrows, PREFIXbytes and PREFIXgenerate_seconds.
generate_contacts() {
  local prefix=$1 file=$2 generated
  shift 2
  mkdir -p "$(dirname "$file")"
  generated=$("$BENCH" generate contacts "$@" --seed "$SEED" --ready --out "$file")
  figure "${prefix}rows" "$(field "$generated" rows)"
  figure "${prefix}bytes" "$(field "$generated" bytes)"
  figure "${prefix}generate_seconds" "$(field "$generated" seconds)"
}

# write_connection_config FILE REMOTE_PATH [CONNECTION_ID]: a connection config for the running sshd, logging in
# with the ed25519 key and pinning its host key.
write_connection_config() {
  local connection_id=''
  [[ -z ${3:-} ]] || connection_id="\"connection_id\": \"$3\","
  cat >"$1" <<EOF
{
  $connection_id
  "host": "$RSX_SFTP_HOST",
  "port": $RSX_SFTP_PORT,
  "username": "$RSX_SFTP_USER",
  "path": "$2",
  "private_key_file": "$KEY",
  "host_key_fingerprint": "$RSX_SFTP_HOST_KEY_FINGERPRINT",
  "start_date": "2000-01-01T00:00:00Z"
}
EOF
}

# measure NAME CMD...: runs CMD under GNU time; records NAME_seconds, NAME_rss_kb and NAME_status, and sets
# MEASURED_STATUS. Standard output goes to $MEASURE_STDOUT (default /dev/null), standard error to $LOGS/NAME.log.
measure() {
  local name=$1 start end
  shift
  MEASURED_STATUS=0
  start=$(now)
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"${MEASURE_STDOUT:-/dev/null}" 2>"$LOGS/$name.log" || MEASURED_STATUS=$?
  end=$(now)
  figure "${name}_seconds" "$(python3 -c "print(f'{$end - $start:.3f}')")"
  figure "${name}_rss_kb" "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")"
  figure "${name}_status" "$MEASURED_STATUS"
  if ((MEASURED_STATUS != 0)); then
    log "$name exited with status $MEASURED_STATUS; last lines of its stderr:"
    tail -n 15 "$LOGS/$name.log" >&2
  fi
  return 0
}

# log_span LOG START_REGEX END_REGEX: seconds from the first log line matching START_REGEX to the first line
# after it matching END_REGEX, by their ISO timestamps; empty when either is missing.
log_span() {
  python3 - "$@" <<'EOF'
import re, sys
from datetime import datetime
path, start_pattern, end_pattern = sys.argv[1:4]
start = end = None
for line in open(path, encoding="utf-8", errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        continue
    if start is None:
        if re.search(start_pattern, line):
            start = datetime.fromisoformat(m.group(1))
    elif re.search(end_pattern, line):
        end = datetime.fromisoformat(m.group(1))
        break
if start is not None and end is not None:
    print(f"{(end - start).total_seconds():.3f}")
EOF
}

# render_table SCRIPT: runs the Python report SCRIPT (stdin) over FIGURES, with bench/figures.py importable.
render_table() {
  PYTHONDONTWRITEBYTECODE=1 PYTHONPATH=$REPO/bench python3 - "$FIGURES"
}

# append_report TITLE TOOLS TABLE: prints the entry and appends it to RESULTS, naming the script, its command,
# the commit, the tree, the machine and the load.
append_report() {
  local title=$1 tools=$2 table=$3 cpu machine stamp report tree_note
  check_source_unchanged
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
  machine="$(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
  stamp=$(date -u '+%Y-%m-%d %H:%M UTC')
  tree_note="clean tree"
  [[ $TREE == clean ]] || tree_note="**not a commit's figures: the tree had $TREE**"
  report=$(printf '## %s, %s\n\n`%s`\n\nCommit `%s` (%s). %s; %s. Load average %s at start, %s at end. Each cell: median of %s runs, (min–max) of them.\n\n%s\n' \
    "$stamp" "$title" "$COMMAND" "$COMMIT" "$tree_note" "$machine" "$tools" "$LOAD_AT_START" "$(cut -d' ' -f1 /proc/loadavg)" "$RUNS" "$table")
  echo
  echo "$report"
  [[ -f $RESULTS ]] || printf '# Benchmark results\n\nEntries appended by bench/run-all.sh (bench/tap-benchmark.sh, bench/sync-benchmark.sh), newest last.\n' >"$RESULTS"
  printf '\n%s\n' "$report" >>"$RESULTS"
  log "appended to $RESULTS; stdout and stderr of each command in $LOGS"
}

# Node processes of the cluster benchmarks, their PIDs in NODE_PIDS (so never started in a subshell).
NODE_PIDS=()

# start_node NAME POSTGRES CONFIGS LOG [SEED]: `responsys-cluster node` in the background with the connections of
# CONFIGS (and the environment the caller exported); sets NODE_PORT to its cluster port once it logs its address.
start_node() {
  local name=$1 postgres=$2 configs=$3 log_file=$4 seed=${5:-}
  local arguments=(node --postgres "$postgres" --connections "$configs" --port 0 --http 127.0.0.1:0 --name "$name")
  [[ -z $seed ]] || arguments+=(--seeds "$seed")
  "$NODE" "${arguments[@]}" 2>"$log_file" >/dev/null &
  NODE_PIDS+=($!)
  for _ in $(seq 600); do
    NODE_PORT=$(sed -n 's/.*Node .* at akka\.tcp:\/\/responsys-cluster@127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$log_file" | head -n 1)
    [[ -z $NODE_PORT ]] || return 0
    sleep 0.1
  done
  die "node $name did not start; see $log_file"
}

# stop_nodes: SIGTERM to every node started, then waits for each.
stop_nodes() {
  local pid
  for pid in "${NODE_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  NODE_PIDS=()
}
