#!/usr/bin/env bash
# Throughput and memory of `responsys-cluster tap` against a local OpenSSH sshd, with OpenSSH's own sftp
# client as the baseline. See bench/README.md for what each figure means and the targets.
#
#   bench/tap-benchmark.sh [--rows N] [--big-bytes B] [--seed S]
#
#   --rows N        rows of the contact export used for the SFTP and sync figures (default 1000000, ~225 MB)
#   --big-bytes B   size of the second export, for peak memory on a large file (default 1 GiB)
#
# Runs as root (the throwaway sshd needs it). Prints a Markdown table and appends it to bench/results.md.
# Everything generated lives in a mktemp directory that is removed on exit, with the sshd stopped.
set -euo pipefail

ROWS=1000000
BIG_BYTES=$((1024 * 1024 * 1024))
SEED=20181001

die() { echo "tap-benchmark: $*" >&2; exit 1; }
log() { echo "tap-benchmark: $*" >&2; }

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd and creates its user"

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
OUT=$REPO/bench/.out
NODE=$OUT/node/responsys-cluster
BENCH=$OUT/bench/responsys-bench
SFTP_SERVER=$REPO/deploy/local/sftp-server.sh
umask 022   # generated exports must be readable by the sftp user

ensure_gnu_time
for tool in python3 sftp; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

log "building responsys-cluster and responsys-bench (Release)"
mkdir -p "$OUT"
BUILD_LOG=$OUT/build.log
dotnet publish "$REPO/src/ResponsysCluster.Node" -c Release -o "$OUT/node" --nologo -v quiet >"$BUILD_LOG" 2>&1 ||
  { cat "$BUILD_LOG" >&2; die "building src/ResponsysCluster.Node failed"; }
dotnet publish "$REPO/bench/ResponsysCluster.Bench" -c Release -o "$OUT/bench" --nologo -v quiet >>"$BUILD_LOG" 2>&1 ||
  { cat "$BUILD_LOG" >&2; die "building bench/ResponsysCluster.Bench failed"; }

WORK=$(mktemp -d /tmp/rsx-bench.XXXXXX)
SFTP_DIR=$WORK/sftp
LOGS=$OUT/last-run          # stderr of every measured command, kept after the run for inspection
rm -rf "$LOGS" && mkdir -p "$LOGS"
FIGURES=$WORK/figures       # key=value lines, rendered into the table at the end

cleanup() {
  local status=$?
  if [[ -s $SFTP_DIR/sshd.pid ]]; then
    "$SFTP_SERVER" stop "$SFTP_DIR" >/dev/null 2>&1 || log "could not stop the sshd of $SFTP_DIR"
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# Seconds between the tap's "Syncing file" log line and its "records (" line: the read of the file alone,
# without process start, connect and listing. Empty when the log has no such lines.
file_sync_seconds() {
  python3 - "$1" <<'EOF'
import re, sys
from datetime import datetime
stamps = {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    if not m:
        continue
    if "Syncing file" in line and "start" not in stamps:
        stamps["start"] = datetime.fromisoformat(m.group(1))
    elif "records (" in line or "completed sync" in line:
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

write_config() {
  cat >"$1" <<EOF
{
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
CONFIG=$WORK/config.json
BIG_CONFIG=$WORK/config-big.json
write_config "$CONFIG" "$EXPORTS"
write_config "$BIG_CONFIG" "$BIG_EXPORTS"

# a. OpenSSH's sftp client: the whole download, and a connect-only session to take the handshake out.
# Best of two runs for a and b: the file is in the page cache from the second read on, for both clients.
SFTP_ARGS=(-q -b - -i "$KEY" -P "$RSX_SFTP_PORT" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
  -o BatchMode=yes "$RSX_SFTP_USER@$RSX_SFTP_HOST")
best_of() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
log "a. OpenSSH sftp download (baseline)"
openssh_runs=() connect_runs=()
for run in 1 2; do
  start=$(now)
  sftp "${SFTP_ARGS[@]}" <<<"get $EXPORTS/$FILE_NAME /dev/null" >/dev/null 2>"$LOGS/openssh-sftp.log" ||
    { cat "$LOGS/openssh-sftp.log" >&2; die "OpenSSH sftp download failed"; }
  end=$(now)
  openssh_runs+=("$(python3 -c "print($end - $start)")")
  start=$(now)
  sftp "${SFTP_ARGS[@]}" <<<"pwd" >/dev/null 2>>"$LOGS/openssh-sftp.log" || die "OpenSSH sftp connect failed"
  end=$(now)
  connect_runs+=("$(python3 -c "print($end - $start)")")
done
figure openssh_seconds "$(best_of "${openssh_runs[@]}")"
figure openssh_connect_seconds "$(best_of "${connect_runs[@]}")"

# b. The product's SFTP adapter reading the same file.
log "b. responsys-bench sftp-read"
read_runs=() total_runs=()
for run in 1 2; do
  result=$("$BENCH" sftp-read --config "$CONFIG" --file "$FILE_NAME" 2>"$LOGS/sftp-read.log") ||
    { cat "$LOGS/sftp-read.log" >&2; die "responsys-bench sftp-read failed"; }
  read_runs+=("$(field "$result" read_seconds)")
  total_runs+=("$(field "$result" total_seconds)")
done
figure sftp_read_seconds "$(best_of "${read_runs[@]}")"
figure sftp_read_total_seconds "$(best_of "${total_runs[@]}")"

# c. Discovery.
log "c. tap --discover"
MEASURE_STDOUT=$WORK/catalog.json measure discover "$NODE" tap --config "$CONFIG" --discover
CATALOG=$WORK/catalog-selected.json
if [[ -s $WORK/catalog.json ]]; then
  python3 - "$WORK/catalog.json" "$CATALOG" <<'EOF'
import json, sys
catalog = json.load(open(sys.argv[1], encoding="utf-8"))
for stream in catalog["streams"]:
    for entry in stream.get("metadata", []):
        if entry.get("breadcrumb") == []:
            entry.setdefault("metadata", {})["selected"] = True
json.dump(catalog, open(sys.argv[2], "w", encoding="utf-8"), indent=2)
EOF
  cp "$WORK/catalog.json" "$LOGS/catalog.json"
else
  die "discovery wrote no catalog; see $LOGS/discover.log"
fi

# d. Sync of the contact export to /dev/null, then once more through a counter of the messages.
log "d. tap --catalog (sync to /dev/null)"
measure sync "$NODE" tap --config "$CONFIG" --catalog "$CATALOG"
figure sync_file_seconds "$(file_sync_seconds "$LOGS/sync.log")"

log "d. counting the messages of a second sync"
set +e
counts=$("$NODE" tap --config "$CONFIG" --catalog "$CATALOG" 2>"$LOGS/sync-count.log" |
  LC_ALL=C awk '/^\{"type":"RECORD"/ { records++ } END { print NR, records + 0 }')
count_status=${PIPESTATUS[0]}
set -e
figure count_lines "${counts% *}"
figure count_records "${counts#* }"
figure count_status "$count_status"

# e. A large export: peak memory must not grow with the file.
log "e. generating a $BIG_BYTES-byte export and syncing it"
rm -f "$EXPORTS/$FILE_NAME"   # disk hygiene: the 1M-row file is no longer needed
GENERATED=$("$BENCH" generate contacts --target-bytes "$BIG_BYTES" --seed "$SEED" --ready --out "$BIG_EXPORTS/$BIG_NAME")
figure big_rows "$(field "$GENERATED" rows)"
figure big_bytes "$(field "$GENERATED" bytes)"
measure big_sync "$NODE" tap --config "$BIG_CONFIG" --catalog "$CATALOG"
figure big_sync_file_seconds "$(file_sync_seconds "$LOGS/big_sync.log")"
rm -f "$BIG_EXPORTS/$BIG_NAME"

# The report.
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MACHINE="$(nproc) cores, ${CPU:-unknown CPU}, $(awk '/MemTotal/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
TOOLS=".NET $(dotnet --version), $(ssh -V 2>&1 | cut -d, -f1)"
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

MIB, MB = 1024 * 1024, 1_000_000
rows, size = int(num("rows")), num("bytes")
out = ["| Benchmark | Result | Target | Met |", "|---|---|---|---|"]

def row(name, result, target="", met=None):
    out.append(f"| {name} | {result} | {target} | {'' if met is None else ('yes' if met else '**no**')} |")

def rss_mb(key):
    kb = num(key)
    return None if kb is None else kb * 1024 / MB

def status_note(key):
    status = f.get(key, "0")
    return "" if status == "0" else f" — **exit status {status}**"

row("Contact export", f"{rows:,} rows, {size / MB:.1f} MB ({size / rows:.0f} B/row), generated in {num('generate_seconds'):.2f} s")

openssh, handshake = num("openssh_seconds"), num("openssh_connect_seconds")
transfer = max(openssh - handshake, 1e-3)
openssh_mib, openssh_transfer_mib = size / MIB / openssh, size / MIB / transfer
row("a. OpenSSH `sftp` get → /dev/null (baseline)",
    f"{openssh:.2f} s, {openssh_mib:.1f} MiB/s end to end; {openssh_transfer_mib:.1f} MiB/s without the {handshake:.2f} s handshake")

read, total = num("sftp_read_seconds"), num("sftp_read_total_seconds")
read_mib, total_mib = size / MIB / read, size / MIB / total
ratio = read_mib / openssh_transfer_mib
row("b. `responsys-bench sftp-read` (SftpConnector + OpenReadAsync)",
    f"{read_mib:.1f} MiB/s reading ({read:.2f} s); {total_mib:.1f} MiB/s with connect and listing ({total:.2f} s); "
    f"**{ratio:.2f} ×** OpenSSH transfer, {total_mib / openssh_mib:.2f} × end to end",
    "≥ 0.8 × OpenSSH", ratio >= 0.8)

discover, discover_rss = num("discover_seconds"), rss_mb("discover_rss_kb")
row("c. `tap --discover`", f"{discover:.2f} s, peak RSS {discover_rss:.0f} MB{status_note('discover_status')}",
    "< 2 s", discover < 2 and f.get("discover_status") == "0")

sync, sync_rss = num("sync_seconds"), rss_mb("sync_rss_kb")
sync_rate = rows / sync
file_seconds = num("sync_file_seconds")
file_note = f"; file read alone {file_seconds:.2f} s = {rows / file_seconds:,.0f} rows/s" if file_seconds else ""
row("d. `tap --catalog` sync → /dev/null",
    f"{sync:.2f} s, **{sync_rate:,.0f} rows/s**, {size / MB / sync:.1f} MB/s{file_note}{status_note('sync_status')}",
    "≥ 200,000 rows/s", sync_rate >= 200_000 and f.get("sync_status") == "0")
row("d. sync peak RSS", f"{sync_rss:.0f} MB", "< 300 MB", sync_rss < 300)

lines, records = int(num("count_lines") or 0), int(num("count_records") or 0)
row("d. messages of a second sync", f"{records:,} RECORD lines of {lines:,} lines (other: {lines - records}){status_note('count_status')}",
    f"= {rows:,} records", records == rows and f.get("count_status") == "0")

big_rows, big_size = int(num("big_rows")), num("big_bytes")
big, big_rss = num("big_sync_seconds"), rss_mb("big_sync_rss_kb")
big_file = num("big_sync_file_seconds")
big_note = f"; file read alone {big_rows / big_file:,.0f} rows/s" if big_file else ""
row(f"e. sync of a {big_size / MB:,.0f} MB export ({big_rows:,} rows) → /dev/null",
    f"{big:.2f} s, {big_rows / big:,.0f} rows/s, {big_size / MB / big:.1f} MB/s{big_note}; **peak RSS {big_rss:.0f} MB**{status_note('big_sync_status')}",
    "RSS < 300 MB", big_rss < 300 and f.get("big_sync_status") == "0")
print("\n".join(out))
EOF
)

STAMP=$(date -u '+%Y-%m-%d %H:%M UTC')
REPORT=$(printf '## %s\n\n%s; %s. `tap-benchmark.sh --rows %s --big-bytes %s`.\n\n%s\n' \
  "$STAMP" "$MACHINE" "$TOOLS" "$ROWS" "$BIG_BYTES" "$TABLE")
echo
echo "$REPORT"
RESULTS=$REPO/bench/results.md
[[ -f $RESULTS ]] || printf '# Benchmark results\n\nAppended by `bench/tap-benchmark.sh`, newest last. See README.md for what each figure means.\n' >"$RESULTS"
printf '\n%s\n' "$REPORT" >>"$RESULTS"
log "appended to $RESULTS; stderr of each command in $LOGS"
