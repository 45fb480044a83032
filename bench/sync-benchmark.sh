#!/usr/bin/env bash
# Throughput and memory of `responsys-cluster sync` loading a contact export from a local OpenSSH sshd into a
# local PostgreSQL, with psql's own `\copy` of the same file as the baseline. See bench/README.md for what each
# figure means and the targets.
#
#   bench/sync-benchmark.sh [--rows N] [--big-bytes B] [--seed S]
#
#   --rows N        rows of the contact export loaded by \copy and by the sync (default 1000000, ~225 MB)
#   --big-bytes B   size of the second export, for peak memory on a large file (default 1 GiB)
#
# Runs as root (the throwaway sshd and PostgreSQL need it). PostgreSQL runs with fsync on, as in production.
# Prints a Markdown table and appends it to bench/results.md. Everything generated lives in a mktemp directory
# that is removed on exit, with the sshd and PostgreSQL stopped.
set -euo pipefail

ROWS=1000000
BIG_BYTES=$((1024 * 1024 * 1024))
SEED=20181001

die() { echo "sync-benchmark: $*" >&2; exit 1; }
log() { echo "sync-benchmark: $*" >&2; }

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=$REPO/bench/.out
NODE=$OUT/node/responsys-cluster
BENCH=$OUT/bench/responsys-bench
SFTP_SERVER=$REPO/deploy/local/sftp-server.sh
POSTGRES_SERVER=$REPO/deploy/local/postgres.sh
umask 022   # generated exports must be readable by the sftp user

ensure_gnu_time
for tool in python3 psql; do
  command -v "$tool" >/dev/null || die "$tool is required (deploy/local/install-prereqs.sh installs it)"
done

LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
if python3 -c "import sys; sys.exit(0 if float('$LOAD_AT_START') < 1 else 1)"; then :; else
  log "load average is $LOAD_AT_START: the figures are wall-clock times, other work on the machine skews them"
fi

log "building responsys-cluster and responsys-bench (Release)"
mkdir -p "$OUT"
BUILD_LOG=$OUT/sync-build.log
dotnet publish "$REPO/src/ResponsysCluster.Node" -c Release -o "$OUT/node" --nologo -v quiet >"$BUILD_LOG" 2>&1 ||
  { cat "$BUILD_LOG" >&2; die "building src/ResponsysCluster.Node failed"; }
dotnet publish "$REPO/bench/ResponsysCluster.Bench" -c Release -o "$OUT/bench" --nologo -v quiet >>"$BUILD_LOG" 2>&1 ||
  { cat "$BUILD_LOG" >&2; die "building bench/ResponsysCluster.Bench failed"; }

WORK=$(mktemp -d /tmp/rsx-sync.XXXXXX)
SFTP_DIR=$WORK/sftp
PG_DIR=$WORK/pg
LOGS=$OUT/sync-last-run     # stderr and stdout of every measured command, kept after the run for inspection
rm -rf "$LOGS" && mkdir -p "$LOGS"
FIGURES=$WORK/figures       # key=value lines, rendered into the table at the end

cleanup() {
  local status=$?
  if [[ -f $PG_DIR/data/postmaster.pid ]]; then
    "$POSTGRES_SERVER" stop "$PG_DIR" >/dev/null 2>&1 || log "could not stop the PostgreSQL of $PG_DIR"
  fi
  if [[ -s $SFTP_DIR/sshd.pid ]]; then
    "$SFTP_SERVER" stop "$SFTP_DIR" >/dev/null 2>&1 || log "could not stop the sshd of $SFTP_DIR"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Seconds between the sync's "file started" log line and its "file finished" line ("FILE: started" and
# "FILE: finished" in older builds): the load of the file alone, without process start, engine start, connect,
# listing and sampling. Empty when the log has no such lines.
file_load_seconds() {
  python3 - "$1" <<'EOF'
import re, sys
from datetime import datetime
stamps = {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        continue
    if re.search(r"(: | file )started\b", line) and "start" not in stamps:
        stamps["start"] = datetime.fromisoformat(m.group(1))
    elif re.search(r"(: | file )finished\b", line):
        stamps.setdefault("end", datetime.fromisoformat(m.group(1)))
if "start" in stamps and "end" in stamps:
    print(f"{(stamps['end'] - stamps['start']).total_seconds():.3f}")
EOF
}

log "starting sshd"
ENV_FILE=$("$SFTP_SERVER" start "$SFTP_DIR" | tail -n 1)
[[ -f $ENV_FILE ]] || die "sftp-server.sh did not print its env file"
# shellcheck disable=SC1090
source "$ENV_FILE"
KEY=$RSX_SFTP_KEYS_DIR/ed25519

log "starting PostgreSQL (fsync on)"
PG_ENV_FILE=$("$POSTGRES_SERVER" start "$PG_DIR" | tail -n 1)
[[ -f $PG_ENV_FILE ]] || die "postgres.sh did not print its env file"
# shellcheck disable=SC1090
source "$PG_ENV_FILE"
export PGPASSWORD=$RSX_PG_PASSWORD PGCLIENTENCODING=UTF8
# Wall-clock dates of the export are read as UTC, as the sync does without a time_zone key.
PSQL=(env PGTZ=UTC psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$RSX_PG_PORT" -U postgres -d postgres)
"${PSQL[@]}" -c "SELECT 1" >/dev/null || die "cannot connect to PostgreSQL on 127.0.0.1:$RSX_PG_PORT"
sql() { "${PSQL[@]}" -c "$1"; }
PG_VERSION=$(sql "SHOW server_version" | cut -d' ' -f1)
PG_SETTINGS="fsync $(sql "SHOW fsync"), synchronous_commit $(sql "SHOW synchronous_commit"), shared_buffers $(sql "SHOW shared_buffers"), max_wal_size $(sql "SHOW max_wal_size")"

EXPORTS=$RSX_SFTP_DATA_DIR/contacts
BIG_EXPORTS=$RSX_SFTP_DATA_DIR/big
mkdir -p "$EXPORTS" "$BIG_EXPORTS"
FILE_NAME=20181001_CONTACT_LIST.csv
BIG_NAME=20181002_CONTACT_LIST.csv

log "generating $ROWS contact rows"
GENERATED=$("$BENCH" generate contacts --rows "$ROWS" --seed "$SEED" --ready --out "$EXPORTS/$FILE_NAME")
figure rows "$(field "$GENERATED" rows)"
figure bytes "$(field "$GENERATED" bytes)"
figure generate_seconds "$(field "$GENERATED" seconds)"

# 1. Baseline: psql's \copy of the same file into an equivalent table: the columns as the sync names and types
# them, and the same system columns and primary key (_sdc_source_file, _sdc_source_lineno), filled by defaults,
# so both write the same rows, indexes and WAL.
log "1. psql \\copy (baseline)"
HEADER=$(head -n 1 "$EXPORTS/$FILE_NAME" | tr -d '\r')
mapfile -t COPY_TABLE < <(python3 - "$HEADER" "$EXPORTS/$FILE_NAME" <<'EOF'
import sys
types = {"riid_": "bigint", "lifetime_value": "numeric",
         "created_date_": "timestamptz", "modified_date_": "timestamptz", "last_purchase": "timestamptz"}
columns = [name.strip().lower() for name in sys.argv[1].split(",")]
path = sys.argv[2].replace("'", "''")
system = [f"_sdc_source_file text NOT NULL DEFAULT '{path}'",
          "_sdc_source_lineno bigint NOT NULL DEFAULT nextval('bench_copy.lineno')",
          "_sdc_extra jsonb",
          "_sdc_extracted_at timestamptz NOT NULL DEFAULT now()",
          "_sdc_batched_at timestamptz NOT NULL DEFAULT clock_timestamp()",
          "PRIMARY KEY (_sdc_source_file, _sdc_source_lineno)"]
print(", ".join([f"{c} {types.get(c, 'text')}" for c in columns] + system))
print(", ".join(columns))
EOF
)
COPY_DDL=${COPY_TABLE[0]}
COPY_COLUMNS=${COPY_TABLE[1]}
sql "CREATE SCHEMA bench_copy; CREATE SEQUENCE bench_copy.lineno START 2; CREATE TABLE bench_copy.contact_list ($COPY_DDL)"
sql "CHECKPOINT"
MEASURE_STDOUT=$LOGS/copy.out measure copy "${PSQL[@]}" -c "\\copy bench_copy.contact_list ($COPY_COLUMNS) FROM '$EXPORTS/$FILE_NAME' csv header"
figure copy_count "$(sql "SELECT count(*) FROM bench_copy.contact_list" 2>>"$LOGS/copy.log" || true)"
figure copy_table_bytes "$(sql "SELECT pg_total_relation_size('bench_copy.contact_list')" 2>>"$LOGS/copy.log" || true)"

write_config() {
  cat >"$1" <<EOF
{
  "connection_id": "$2",
  "host": "$RSX_SFTP_HOST",
  "port": $RSX_SFTP_PORT,
  "username": "$RSX_SFTP_USER",
  "path": "$3",
  "private_key_file": "$KEY",
  "host_key_fingerprint": "$RSX_SFTP_HOST_KEY_FINGERPRINT",
  "start_date": "2000-01-01T00:00:00Z"
}
EOF
}
# A fresh connection id per run: a new ledger, so no file is skipped as already loaded, and a new target schema.
RUN_ID=bench_$(date -u +%Y%m%d%H%M%S)
CONNECTION=$RUN_ID
BIG_CONNECTION=${RUN_ID}_big
CONFIG=$WORK/connection.json
BIG_CONFIG=$WORK/connection-big.json
write_config "$CONFIG" "$CONNECTION" "$EXPORTS"
write_config "$BIG_CONFIG" "$BIG_CONNECTION" "$BIG_EXPORTS"

# count_target NAME CONNECTION: rows in the connection's contact_list, and its size, as NAME_count and NAME_table_bytes.
count_target() {
  local table=responsys_$2.contact_list
  figure "$1_count" "$(sql "SELECT count(*) FROM $table" 2>>"$LOGS/$1.log" || true)"
  figure "$1_table_bytes" "$(sql "SELECT pg_total_relation_size('$table')" 2>>"$LOGS/$1.log" || true)"
  sql "SELECT column_name || ' ' || data_type FROM information_schema.columns
       WHERE table_schema = 'responsys_$2' AND table_name = 'contact_list' ORDER BY ordinal_position" \
    >"$LOGS/$1.columns" 2>>"$LOGS/$1.log" || true
}

# 2. The sync of the same file, from the sshd into PostgreSQL.
log "2. responsys-cluster sync ($CONNECTION)"
sql "CHECKPOINT"
MEASURE_STDOUT=$LOGS/sync.out measure sync "$NODE" sync --config "$CONFIG" --postgres "$RSX_POSTGRES"
figure sync_file_seconds "$(file_load_seconds "$LOGS/sync.log")"
count_target sync "$CONNECTION"

# 3. A large export: peak memory must not grow with the file.
log "3. generating a $BIG_BYTES-byte export and syncing it ($BIG_CONNECTION)"
rm -f "$EXPORTS/$FILE_NAME"   # disk hygiene: the 1M-row file is no longer needed
GENERATED=$("$BENCH" generate contacts --target-bytes "$BIG_BYTES" --seed "$SEED" --ready --out "$BIG_EXPORTS/$BIG_NAME")
figure big_rows "$(field "$GENERATED" rows)"
figure big_bytes "$(field "$GENERATED" bytes)"
sql "CHECKPOINT"
MEASURE_STDOUT=$LOGS/big_sync.out measure big_sync "$NODE" sync --config "$BIG_CONFIG" --postgres "$RSX_POSTGRES"
figure big_sync_file_seconds "$(file_load_seconds "$LOGS/big_sync.log")"
count_target big_sync "$BIG_CONNECTION"
rm -f "$BIG_EXPORTS/$BIG_NAME"

# The report.
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MACHINE="$(nproc) cores, ${CPU:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
TOOLS=".NET $(dotnet --version), PostgreSQL $PG_VERSION ($PG_SETTINGS), $(ssh -V 2>&1 | cut -d, -f1)"
TABLE=$(python3 - "$FIGURES" <<'EOF'
import sys
f = {}
for line in open(sys.argv[1]):
    key, _, value = line.rstrip("\n").partition("=")
    f[key] = value

def num(key):
    try:
        return float(f.get(key, ""))
    except ValueError:
        return None

MB = 1_000_000
rows, size = int(num("rows")), num("bytes")
out = ["| Benchmark | Result | Target | Met |", "|---|---|---|---|"]

def row(name, result, target="", met=None):
    out.append(f"| {name} | {result} | {target} | {'' if met is None else ('yes' if met else '**no**')} |")

def rss_mb(key):
    kb = num(key)
    return None if kb is None else kb * 1024 / MB

def ok(key):
    return f.get(key) == "0"

def status_note(key):
    status = f.get(key, "0")
    return "" if status == "0" else f" — **exit status {status}**"

def table_note(key):
    table = num(key)
    return "" if table is None else f"; table and index {table / MB:,.0f} MB"

def count_cell(key):
    count = num(key)
    return "no table" if count is None else f"{int(count):,} rows"

row("Contact export", f"{rows:,} rows, {size / MB:.1f} MB ({size / rows:.0f} B/row), generated in {num('generate_seconds'):.2f} s")

copy = num("copy_seconds")
copy_rate = rows / copy
row("1. psql `\\copy … csv header` (baseline)",
    f"{copy:.2f} s, **{copy_rate:,.0f} rows/s**, {size / MB / copy:.1f} MB/s; "
    f"{count_cell('copy_count')}{table_note('copy_table_bytes')}{status_note('copy_status')}")

sync, sync_rss = num("sync_seconds"), rss_mb("sync_rss_kb")
sync_rate = rows / sync
ratio = sync_rate / copy_rate if ok("copy_status") else float("nan")
file_seconds = num("sync_file_seconds")
file_note = f"; file load alone {file_seconds:.2f} s = {rows / file_seconds:,.0f} rows/s" if file_seconds else ""
row("2. `responsys-cluster sync` (SFTP → PostgreSQL)",
    f"{sync:.2f} s, **{sync_rate:,.0f} rows/s**, {size / MB / sync:.1f} MB/s = **{ratio:.2f} ×** `\\copy`{file_note}; "
    f"peak RSS {sync_rss:.0f} MB{table_note('sync_table_bytes')}{status_note('sync_status')}",
    "≥ 0.8 × `\\copy`", ratio >= 0.8 and ok("sync_status"))
sync_count = num("sync_count")
row("2. rows in `contact_list` after the sync", count_cell("sync_count"),
    f"= {rows:,}", sync_count == rows)

big_rows, big_size = int(num("big_rows")), num("big_bytes")
big, big_rss = num("big_sync_seconds"), rss_mb("big_sync_rss_kb")
big_file = num("big_sync_file_seconds")
big_note = f"; file load alone {big_rows / big_file:,.0f} rows/s" if big_file else ""
big_count = num("big_sync_count")
row(f"3. sync of a {big_size / MB:,.0f} MB export ({big_rows:,} rows)",
    f"{big:.2f} s, {big_rows / big:,.0f} rows/s, {big_size / MB / big:.1f} MB/s{big_note}; "
    f"**peak RSS {big_rss:.0f} MB**{table_note('big_sync_table_bytes')}{status_note('big_sync_status')}",
    "RSS < 400 MB", big_rss < 400 and ok("big_sync_status"))
row("3. rows in `contact_list` after the sync", count_cell("big_sync_count"), f"= {big_rows:,}", big_count == big_rows)
print("\n".join(out))
EOF
)

STAMP=$(date -u '+%Y-%m-%d %H:%M UTC')
REPORT=$(printf '## %s, sync into PostgreSQL\n\n%s; %s; load average %s at start. `sync-benchmark.sh --rows %s --big-bytes %s`.\n\n%s\n' \
  "$STAMP" "$MACHINE" "$TOOLS" "$LOAD_AT_START" "$ROWS" "$BIG_BYTES" "$TABLE")
echo
echo "$REPORT"
RESULTS=$REPO/bench/results.md
[[ -f $RESULTS ]] || printf '# Benchmark results\n\nAppended by `bench/tap-benchmark.sh` and `bench/sync-benchmark.sh`, newest last. See README.md for what each figure means.\n' >"$RESULTS"
printf '\n%s\n' "$REPORT" >>"$RESULTS"
log "appended to $RESULTS; stdout and stderr of each command in $LOGS"
