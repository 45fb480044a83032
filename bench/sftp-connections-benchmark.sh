#!/usr/bin/env bash
# Kept against fresh SFTP connections: reads every file of two export sets through the product's read path
# (SftpConnector, OpenReadAsync's read-ahead, the CSV reader), two files at a time as two engine workers would,
# once over a new connection per file and once over a connection kept per worker (SftpConnectionPool).
#
#   bash bench/sftp-connections-benchmark.sh [--rows N] [--small-files F] [--small-rows R] [--runs R] [--seed S] [--results FILE]
#
# Sets: F small files of R rows each (default 1,000 × 1,000) and 3 large files of N rows each (default
# 1,000,000). In every run both modes read both sets, the mode that goes first alternating from run to run.
# Results as in bench/README.md: median (min–max) of the runs; the ratio is the median of each run's ratio.
set -euo pipefail

BENCH_NAME=sftp-connections
ROWS=1000000
BIG_BYTES=1
SEED=20181001
RUNS=3
SMALL_FILES=1000
SMALL_ROWS=1000
LARGE_FILES=3
WORKERS=2
script_option() {
  case $1 in
    --small-files) SMALL_FILES=$2 ;;
    --small-rows) SMALL_ROWS=$2 ;;
    *) return 1 ;;
  esac
}
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
COMMAND="bench/sftp-connections-benchmark.sh --rows $ROWS --small-files $SMALL_FILES --small-rows $SMALL_ROWS --seed $SEED --runs $RUNS"

record_source
require_tools ssh-keygen
log "building responsys-bench (Release)"
mkdir -p "$OUT"
dotnet publish "$REPO/bench/ResponsysCluster.Bench" -c Release -o "$OUT/bench" --nologo -v quiet >"$OUT/$BENCH_NAME-build.log" 2>&1 ||
  { cat "$OUT/$BENCH_NAME-build.log" >&2; die "building bench/ResponsysCluster.Bench failed"; }
make_work_dir
start_sftp_server

SMALL=$RSX_SFTP_DATA_DIR/small
LARGE=$RSX_SFTP_DATA_DIR/large
log "generating $SMALL_FILES files of $SMALL_ROWS rows and $LARGE_FILES of $ROWS rows"
generate_contacts small_ "$SMALL/20181001_SMALL_0000.csv" --rows "$SMALL_ROWS"
for ((i = 1; i < SMALL_FILES; i++)); do
  name=$(printf '20181001_SMALL_%04d' "$i")
  cp "$SMALL/20181001_SMALL_0000.csv" "$SMALL/$name.csv"
  cp "$SMALL/20181001_SMALL_0000.ready" "$SMALL/$name.ready"
done
generate_contacts large_ "$LARGE/20181001_LARGE_0.csv" --rows "$ROWS"
for ((i = 1; i < LARGE_FILES; i++)); do
  cp "$LARGE/20181001_LARGE_0.csv" "$LARGE/20181001_LARGE_$i.csv"
  cp "$LARGE/20181001_LARGE_0.ready" "$LARGE/20181001_LARGE_$i.ready"
done
write_connection_config "$WORK/small.json" "$SMALL"
write_connection_config "$WORK/large.json" "$LARGE"

read_set() { # read_set SET MODE RUN
  local result
  result=$("$BENCH" sftp-files --config "$WORK/$1.json" --connections "$2" --workers "$WORKERS" 2>"$LOGS/$1_$2_r$3.log") ||
    { cat "$LOGS/$1_$2_r$3.log" >&2; die "responsys-bench sftp-files failed ($1, $2)"; }
  log "  $1 $2: $result"
  figure "$1_$2_r$3_seconds" "$(field "$result" seconds)"
  figure "$1_$2_r$3_records" "$(field "$result" records)"
  figure "$1_$2_r$3_connections" "$(field "$result" connections)"
  figure "$1_$2_r$3_bytes" "$(field "$result" bytes)"
  figure "$1_$2_r$3_files" "$(field "$result" files)"
}
for ((run = 1; run <= RUNS; run++)); do
  log "run $run of $RUNS"
  for set in small large; do
    if ((run % 2 == 1)); then order=(fresh kept); else order=(kept fresh); fi
    for mode in "${order[@]}"; do read_set "$set" "$mode" "$run"; done
  done
done

TABLE=$(render_table <<'EOF'
import sys
from figures import Figures, stat, ratios, median, MIB
f = Figures(sys.argv[1])
lines = ["| Set | Connections | Seconds | Files/s | MiB/s | Connections opened | Kept ÷ fresh time |", "|---|---|---|---|---|---|---|"]
for name in ("small", "large"):
    fresh = f.per_run(f"{name}_fresh", "seconds")
    for mode in ("fresh", "kept"):
        seconds = f.per_run(f"{name}_{mode}", "seconds")
        file_counts = f.per_run(f"{name}_{mode}", "files")
        per_second = [n / s if n and s else None for n, s in zip(file_counts, seconds)]
        byte_counts = f.per_run(f"{name}_{mode}", "bytes")
        connections = median(f.per_run(f"{name}_{mode}", "connections"))
        records = median(f.per_run(f"{name}_{mode}", "records"))
        ratio = stat(ratios(seconds, fresh), "{:.2f}", "×") if mode == "kept" else ""
        mib = [b / MIB / s if b and s else None for b, s in zip(byte_counts, seconds)]
        lines.append(f"| {name} ({records:,.0f} records) | {mode} | {stat(seconds, '{:.2f}', ' s')} | {stat(per_second, '{:.1f}')} | {stat(mib, '{:.1f}')} | {connections:.0f} | {ratio} |")
print("\n".join(lines))
EOF
)
append_report "kept and fresh SFTP connections" "$WORKERS files at a time through SftpConnector, OpenReadAsync and the CSV reader, over loopback" "$TABLE"
