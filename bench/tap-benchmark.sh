#!/usr/bin/env bash
# Throughput and memory of `responsys-cluster tap` against a local OpenSSH sshd, with OpenSSH's own sftp
# client as the baseline of the SFTP read. See bench/README.md for what each figure means and the targets.
#
#   bench/tap-benchmark.sh [--rows N] [--big-bytes B] [--runs R] [--ciphers "C1 C2"] [--seed S] [--results FILE]
#
#   --rows N        rows of the contact export used for the SFTP and sync figures (default 1000000, ~225 MB)
#   --big-bytes B   size of the second export, for peak memory on a large file (default 1 GiB)
#   --runs R        repetitions of each timed figure; the table shows their median and min–max (default 3)
#   --ciphers LIST  the SSH ciphers the SFTP read is compared under, one sshd per cipher offering only that one
#                   (default "aes128-gcm@openssh.com chacha20-poly1305@openssh.com")
#   --results FILE  where the entry is appended (default bench/results.md, which takes only a clean tree's
#                   runs with R >= 3)
#
# Runs as root (the throwaway sshd needs it). Everything generated lives in a mktemp directory that is removed
# on exit, with the sshd stopped.
set -euo pipefail

BENCH_NAME=tap
ROWS=1000000
BIG_BYTES=$((1024 * 1024 * 1024))
SEED=20181001
RUNS=3
CIPHERS="aes128-gcm@openssh.com chacha20-poly1305@openssh.com"

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
script_option() {
  case $1 in
    --ciphers) CIPHERS=$2 ;;
    *) return 1 ;;
  esac
}
parse_arguments "$@"
read -r -a CIPHER_LIST <<<"$CIPHERS"
((${#CIPHER_LIST[@]} > 0)) || die "--ciphers needs at least one cipher"
[[ $CIPHERS == "aes128-gcm@openssh.com chacha20-poly1305@openssh.com" ]] || COMMAND+=" --ciphers '$CIPHERS'"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd and creates its user"
require_tools sftp ssh
record_source
build
make_work_dir

start_sftp_server
EXPORTS=$RSX_SFTP_DATA_DIR/contacts
BIG_EXPORTS=$RSX_SFTP_DATA_DIR/big
CONFIG=$WORK/config.json
BIG_CONFIG=$WORK/config-big.json

log "generating $ROWS contact rows"
generate_contacts "" "$EXPORTS/$FILE_NAME" --rows "$ROWS"

# a and b, for each cipher: an sshd that offers only that cipher, so OpenSSH's sftp (also told -c CIPHER) and the
# SFTP adapter (which offers AES-GCM first, then SSH.NET's other ciphers) both use it. In each run, OpenSSH
# downloads the file, opens a session that only runs `pwd` (the handshake and login, taken out of its transfer
# time), then the adapter reads the file: just written, the file is in the page cache for every read.
cipher_index=0
for cipher in "${CIPHER_LIST[@]}"; do
  cipher_index=$((cipher_index + 1))
  figure "cipher_${cipher_index}" "$cipher"
  stop_sftp_server
  start_sftp_server "$cipher"
  grep -qx "Ciphers $cipher" "$SFTP_DIR/sshd_config" || die "the sshd does not restrict its ciphers to $cipher"
  write_connection_config "$CONFIG" "$EXPORTS"
  SFTP_ARGS=(-q -b - -c "$cipher" -i "$KEY" -P "$RSX_SFTP_PORT" -o StrictHostKeyChecking=no
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes "$RSX_SFTP_USER@$RSX_SFTP_HOST")
  for run in $(seq 1 "$RUNS"); do
    log "a/b. $cipher, run $run of $RUNS: OpenSSH sftp, then responsys-bench sftp-read"
    measure "openssh_c${cipher_index}_r${run}" sftp "${SFTP_ARGS[@]}" <<<"get $EXPORTS/$FILE_NAME /dev/null"
    ((MEASURED_STATUS == 0)) || die "OpenSSH sftp download failed ($cipher)"
    measure "openssh_connect_c${cipher_index}_r${run}" sftp "${SFTP_ARGS[@]}" <<<"pwd"
    ((MEASURED_STATUS == 0)) || die "OpenSSH sftp connect failed ($cipher)"
    result=$("$BENCH" sftp-read --config "$CONFIG" --file "$FILE_NAME" 2>"$LOGS/sftp-read_c${cipher_index}_r${run}.log") ||
      { cat "$LOGS/sftp-read_c${cipher_index}_r${run}.log" >&2; die "responsys-bench sftp-read failed ($cipher)"; }
    figure "sftp_read_c${cipher_index}_r${run}_seconds" "$(field "$result" read_seconds)"
    figure "sftp_read_total_c${cipher_index}_r${run}_seconds" "$(field "$result" total_seconds)"
  done
done
figure ciphers "$cipher_index"

# c–e run against an sshd with OpenSSH's default ciphers, as a user's server would offer.
stop_sftp_server
start_sftp_server
write_connection_config "$CONFIG" "$EXPORTS"
write_connection_config "$BIG_CONFIG" "$BIG_EXPORTS"

# c. Discovery.
CATALOG=$WORK/catalog-selected.json
for run in $(seq 1 "$RUNS"); do
  log "c. tap --discover, run $run of $RUNS"
  MEASURE_STDOUT=$WORK/catalog.json measure "discover_r$run" "$NODE" tap --config "$CONFIG" --discover
done
[[ -s $WORK/catalog.json ]] || die "discovery wrote no catalog; see $LOGS/discover_r$RUNS.log"
cp "$WORK/catalog.json" "$LOGS/catalog.json"
python3 - "$WORK/catalog.json" "$CATALOG" <<'EOF'
import json, sys
catalog = json.load(open(sys.argv[1], encoding="utf-8"))
for stream in catalog["streams"]:
    for entry in stream.get("metadata", []):
        if entry.get("breadcrumb") == []:
            entry.setdefault("metadata", {})["selected"] = True
json.dump(catalog, open(sys.argv[2], "w", encoding="utf-8"), indent=2)
EOF

# d. Sync of the contact export to /dev/null, then once more through a counter of the messages.
for run in $(seq 1 "$RUNS"); do
  log "d. tap --catalog (sync to /dev/null), run $run of $RUNS"
  measure "sync_r$run" "$NODE" tap --config "$CONFIG" --catalog "$CATALOG"
  figure "sync_r${run}_file_seconds" "$(log_span "$LOGS/sync_r$run.log" 'Syncing file' 'records \(|completed sync')"
done

log "d. counting the messages of a further sync"
set +e
counts=$("$NODE" tap --config "$CONFIG" --catalog "$CATALOG" 2>"$LOGS/sync-count.log" |
  LC_ALL=C awk '/^\{"type":"RECORD"/ { records++ } END { print NR, records + 0 }')
count_status=${PIPESTATUS[0]}
set -e
figure count_lines "${counts% *}"
figure count_records "${counts#* }"
figure count_status "$count_status"

# e. A large export, synced once: peak memory must not grow with the file.
log "e. generating a $BIG_BYTES-byte export and syncing it"
rm -f "$EXPORTS/$FILE_NAME"   # disk hygiene: the first export is no longer needed
generate_contacts big_ "$BIG_EXPORTS/$BIG_NAME" --target-bytes "$BIG_BYTES"
measure big_sync "$NODE" tap --config "$BIG_CONFIG" --catalog "$CATALOG"
figure big_sync_file_seconds "$(log_span "$LOGS/big_sync.log" 'Syncing file' 'records \(|completed sync')"
rm -f "$BIG_EXPORTS/$BIG_NAME"

TABLE=$(render_table <<'EOF'
from figures import Figures, MB, MIB, Table, median, present, rates, ratios, runs_note, stat
f = Figures(__import__("sys").argv[1])
t = Table()
rows, size = int(f.num("rows")), f.num("bytes")
t.row("Contact export", f"{rows:,} rows, {size / MB:.1f} MB ({size / rows:.0f} B/row), generated in {f.num('generate_seconds'):.2f} s")

for c in range(1, int(f.num("ciphers")) + 1):
    cipher = f.text(f"cipher_{c}")
    openssh = f.per_run(f"openssh_c{c}", "seconds")
    handshake = f.per_run(f"openssh_connect_c{c}", "seconds")
    # The median handshake, not each run's own: subtracting two noisy times run by run doubles the noise. A
    # download no longer than the handshake (a small file) leaves no transfer time to measure.
    transfer = [o - median(handshake) if o is not None and o > median(handshake) else None for o in openssh]
    read = f.per_run(f"sftp_read_c{c}", "seconds")
    total = f.per_run(f"sftp_read_total_c{c}", "seconds")
    mib = lambda seconds: rates(size / MIB, seconds)
    t.row(f"a. OpenSSH `sftp` get → /dev/null, `{cipher}` (baseline)",
          f"{stat(openssh, unit=' s')}; transfer alone {stat(mib(transfer), '{:.1f}', ' MiB/s')} "
          f"(the median {median(handshake):.2f} s of a `pwd` session taken out, {stat(handshake, unit=' s')}); end to end {stat(mib(openssh), '{:.1f}', ' MiB/s')}")
    transfer_ratio = ratios(mib(read), mib(transfer))
    t.row(f"b. `responsys-bench sftp-read` (SftpConnector + OpenReadAsync), `{cipher}`",
          f"reading {stat(mib(read), '{:.1f}', ' MiB/s')}; with connect and listing {stat(mib(total), '{:.1f}', ' MiB/s')}; "
          f"**{stat(transfer_ratio, unit=' ×')}** OpenSSH's transfer, {stat(ratios(mib(total), mib(openssh)), unit=' ×')} end to end",
          "≥ 0.8 × OpenSSH", median(transfer_ratio) is not None and median(transfer_ratio) >= 0.8)

discover = f.per_run("discover", "seconds")
discover_rss = [kb * 1024 / MB for kb in present(f.per_run("discover", "rss_kb"))]
t.row("c. `tap --discover`", f"{stat(discover, unit=' s')}, peak RSS {max(discover_rss):.0f} MB (largest){runs_note(f, 'discover')}",
      "< 2 s", median(discover) < 2 and not f.failed_runs("discover"))

sync = f.per_run("sync", "seconds")
sync_rate = rates(rows, sync)
file_rate = rates(rows, f.per_run("sync", "file_seconds"))
sync_rss = [kb * 1024 / MB for kb in present(f.per_run("sync", "rss_kb"))]
file_note = f"; file read alone {stat(file_rate, '{:,.0f}', ' rows/s')}" if present(file_rate) else ""
t.row("d. `tap --catalog` sync → /dev/null",
      f"{stat(sync, unit=' s')}, **{stat(sync_rate, '{:,.0f}', ' rows/s')}**, {stat(rates(size / MB, sync), '{:.1f}', ' MB/s')}{file_note}{runs_note(f, 'sync')}",
      "≥ 200,000 rows/s", median(sync_rate) >= 200_000 and not f.failed_runs("sync"))
t.row("d. sync peak RSS", f"{max(sync_rss):.0f} MB (largest of the runs)", "< 300 MB", max(sync_rss) < 300)

lines, records = int(f.num("count_lines") or 0), int(f.num("count_records") or 0)
count_note = "" if f.text("count_status") == "0" else f" — **exit status {f.text('count_status')}**"
t.row("d. messages of one more sync", f"{records:,} RECORD lines of {lines:,} lines (other: {lines - records}){count_note}",
      f"= {rows:,} records", records == rows and f.text("count_status") == "0")

big_rows, big_size = int(f.num("big_rows")), f.num("big_bytes")
big, big_rss, big_file = f.num("big_sync_seconds"), f.num("big_sync_rss_kb") * 1024 / MB, f.num("big_sync_file_seconds")
big_note = f"; file read alone {big_rows / big_file:,.0f} rows/s" if big_file else ""
status = "" if f.ok("big_sync") else f" — **exit status {f.text('big_sync_status')}**"
t.row(f"e. sync of a {big_size / MB:,.0f} MB export ({big_rows:,} rows) → /dev/null, one run",
      f"{big:.2f} s, {big_rows / big:,.0f} rows/s, {big_size / MB / big:.1f} MB/s{big_note}; **peak RSS {big_rss:.0f} MB**{status}",
      "RSS < 300 MB", big_rss < 300 and f.ok("big_sync"))
print(t)
EOF
)

append_report "tap" ".NET $(dotnet --version), $(ssh -V 2>&1 | cut -d, -f1)" "$TABLE"
