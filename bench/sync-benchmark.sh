#!/usr/bin/env bash
# Throughput and memory of `responsys-cluster sync` loading a contact export from a local OpenSSH sshd into a
# local PostgreSQL, with psql's own `\copy` of the same rows as the baseline: into a table exactly like the
# sync's, and into a plain table. See bench/README.md for what each figure means and the targets.
#
#   bench/sync-benchmark.sh [--rows N] [--big-bytes B] [--runs R] [--seed S] [--results FILE]
#
#   --rows N        rows of the contact export loaded by \copy and by the sync (default 1000000, ~225 MB)
#   --big-bytes B   size of the second export, for peak memory on a large file (default 1 GiB)
#   --runs R        rounds of the three loads; the table shows their median and min–max (default 3)
#   --results FILE  where the entry is appended (default bench/results.md, which takes only a clean tree's
#                   runs with R >= 3)
#
# Runs as root (the throwaway sshd and PostgreSQL need it). PostgreSQL runs with fsync on, as in production.
# Everything generated lives in a mktemp directory that is removed on exit, with the sshd and PostgreSQL stopped.
set -euo pipefail

BENCH_NAME=sync
ROWS=1000000
BIG_BYTES=$((1024 * 1024 * 1024))
SEED=20181001
RUNS=3

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"
require_tools psql
record_source
build
make_work_dir

log "starting sshd and PostgreSQL (fsync on)"
start_sftp_server
start_postgres
EXPORTS=$RSX_SFTP_DATA_DIR/contacts
BIG_EXPORTS=$RSX_SFTP_DATA_DIR/big
CONFIG=$WORK/connection.json
COPY_INPUT=$WORK/copy-input.csv   # the export with the sync's five _sdc_* values appended to each record
# A fresh connection id per sync: a new ledger, so no file is skipped as already loaded, and a new target schema.
RUN_ID=bench_$(date -u +%Y%m%d%H%M%S)
SYSTEM_COLUMNS="_sdc_source_file, _sdc_source_lineno, _sdc_extra, _sdc_extracted_at, _sdc_batched_at"

log "generating $ROWS contact rows"
generate_contacts "" "$EXPORTS/$FILE_NAME" --rows "$ROWS"

# count_table NAME TABLE: its rows and its size with indexes, as NAME_count and NAME_table_bytes.
count_table() {
  figure "$1_count" "$(sql "SELECT count(*) FROM $2" 2>>"$LOGS/$1.log" || true)"
  figure "$1_table_bytes" "$(sql "SELECT pg_total_relation_size('$2')" 2>>"$LOGS/$1.log" || true)"
}

# fingerprint NAME TABLE [system]: an order-free hash of the export's values in each row, as NAME_data_hash, and
# with "system" of the _sdc_* values the sync derives from the file (path, line number, extra fields) as
# NAME_system_hash: equal hashes show that a baseline loaded the same values as the sync.
fingerprint() {
  figure "$1_data_hash" "$(sql "SELECT sum(hashtext(ROW($DATA_COLUMNS)::text)::bigint) FROM $2" 2>>"$LOGS/$1.log" || true)"
  if [[ ${3:-} == system ]]; then
    figure "$1_system_hash" "$(sql "SELECT sum(hashtext(ROW(_sdc_source_file, _sdc_source_lineno, _sdc_extra)::text)::bigint) FROM $2" 2>>"$LOGS/$1.log" || true)"
  fi
}

# The baselines' tables copy the sync's, made by the first sync: bench_template.contact_list has its columns,
# types, order and primary key (LIKE … INCLUDING ALL), no rows. DATA_COLUMNS lists the export's columns in the
# header's order. COPY_INPUT gets, after each record, the values the sync writes into the _sdc_* columns:
# the same source path, the record's line number (header = 1, first record = 2), no extra fields, and the
# extraction and batch times (one fixed time: the sync computes them itself, so \copy must not pay
# clock_timestamp() or nextval() per row either).
make_template() {
  local sync_table=$1
  sql "CREATE SCHEMA bench_template; CREATE TABLE bench_template.contact_list (LIKE $sync_table INCLUDING ALL)"
  sql "SELECT column_name || ' ' || data_type FROM information_schema.columns
       WHERE table_schema = 'bench_template' AND table_name = 'contact_list' ORDER BY ordinal_position" >"$LOGS/columns.txt"
  sql "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'bench_template.contact_list'::regclass" >"$LOGS/constraints.txt"
  DATA_COLUMNS=$(sql "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
                      FROM information_schema.columns
                      WHERE table_schema = 'bench_template' AND table_name = 'contact_list' AND column_name NOT LIKE '\_sdc\_%'")
  local source_file stamp
  source_file=$(sql "SELECT _sdc_source_file FROM $sync_table LIMIT 1")
  stamp=$(sql "SELECT _sdc_extracted_at FROM $sync_table LIMIT 1")
  [[ -n $source_file && -n $stamp ]] || die "the first sync left no rows in $sync_table to copy the _sdc_* values from"
  log "writing the \\copy input with the _sdc_* values"
  python3 - "$EXPORTS/$FILE_NAME" "$COPY_INPUT" "$source_file" "$stamp" "$(tr ',' '\n' <<<"$DATA_COLUMNS" | wc -l)" <<'EOF'
import csv, sys
source, target, source_file, stamp, column_count = sys.argv[1:6]
with open(source, newline="", encoding="utf-8") as inp, open(target, "w", newline="", encoding="utf-8") as out:
    reader = csv.reader(inp)
    header = next(reader)
    if len(header) != int(column_count):
        sys.exit(f"the export has {len(header)} columns, the sync's table {column_count} data columns")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header + ["_sdc_source_file", "_sdc_source_lineno", "_sdc_extra", "_sdc_extracted_at", "_sdc_batched_at"])
    line = 1
    for record in reader:
        if not record:
            continue  # blank lines are not records, for the sync either
        line += 1
        writer.writerow(record + [source_file, line, None, stamp, stamp])
EOF
}

measure_sync() {
  local run=$1 connection=${RUN_ID}_r$1
  local table=responsys_$connection.contact_list
  write_connection_config "$CONFIG" "$EXPORTS" "$connection"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/sync_r$run.out measure "sync_r$run" "$NODE" sync --config "$CONFIG" --postgres "$RSX_POSTGRES"
  figure "sync_r${run}_file_seconds" "$(log_span "$LOGS/sync_r$run.log" '(: | file )started\b' '(: | file )finished\b')"
  count_table "sync_r$run" "$table"
  [[ -n ${DATA_COLUMNS:-} ]] || make_template "$table"
  fingerprint "sync_r$run" "$table" system
  sql "DROP SCHEMA responsys_$connection CASCADE"
}

measure_copy() {
  local run=$1
  sql "CREATE SCHEMA IF NOT EXISTS bench_copy; CREATE TABLE bench_copy.contact_list (LIKE bench_template.contact_list INCLUDING ALL)"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/copy_r$run.out measure "copy_r$run" "${PSQL[@]}" \
    -c "\\copy bench_copy.contact_list ($DATA_COLUMNS, $SYSTEM_COLUMNS) FROM '$COPY_INPUT' csv header"
  count_table "copy_r$run" bench_copy.contact_list
  fingerprint "copy_r$run" bench_copy.contact_list system
  sql "DROP TABLE bench_copy.contact_list"
}

measure_plain() {
  local run=$1
  sql "CREATE SCHEMA IF NOT EXISTS bench_plain;
       CREATE TABLE bench_plain.contact_list AS SELECT $DATA_COLUMNS FROM bench_template.contact_list WITH NO DATA"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/plain_r$run.out measure "plain_r$run" "${PSQL[@]}" \
    -c "\\copy bench_plain.contact_list ($DATA_COLUMNS) FROM '$EXPORTS/$FILE_NAME' csv header"
  count_table "plain_r$run" bench_plain.contact_list
  fingerprint "plain_r$run" bench_plain.contact_list
  sql "DROP TABLE bench_plain.contact_list"
}

# 1–2. Rounds of the three loads, the order turning each round (sync first in the first: it makes the table the
# baselines copy), so that none of them always comes first or last. Each starts after a CHECKPOINT, into an
# empty table; the one before it has been dropped.
LOADS=(sync copy plain)
for run in $(seq 1 "$RUNS"); do
  for i in 0 1 2; do
    load=${LOADS[$(((i + run - 1) % 3))]}
    log "round $run of $RUNS: $load"
    "measure_$load" "$run"
  done
done
rm -f "$COPY_INPUT"

# 3. A large export, synced once: peak memory must not grow with the file.
log "3. generating a $BIG_BYTES-byte export and syncing it"
rm -f "$EXPORTS/$FILE_NAME"   # disk hygiene: the first export is no longer needed
generate_contacts big_ "$BIG_EXPORTS/$BIG_NAME" --target-bytes "$BIG_BYTES"
write_connection_config "$CONFIG" "$BIG_EXPORTS" "${RUN_ID}_big"
sql "CHECKPOINT"
MEASURE_STDOUT=$LOGS/big_sync.out measure big_sync "$NODE" sync --config "$CONFIG" --postgres "$RSX_POSTGRES"
figure big_sync_file_seconds "$(log_span "$LOGS/big_sync.log" '(: | file )started\b' '(: | file )finished\b')"
count_table big_sync "responsys_${RUN_ID}_big.contact_list"
rm -f "$BIG_EXPORTS/$BIG_NAME"

TABLE=$(render_table <<'EOF'
from figures import Figures, MB, Table, median, present, rates, ratios, runs_note, stat
f = Figures(__import__("sys").argv[1])
t = Table()
rows, size = int(f.num("rows")), f.num("bytes")
t.row("Contact export", f"{rows:,} rows, {size / MB:.1f} MB ({size / rows:.0f} B/row), generated in {f.num('generate_seconds'):.2f} s")

def table_mb(name):
    sizes = present(f.per_run(name, "table_bytes"))
    return f"; table and index {max(sizes) / MB:,.0f} MB" if sizes else ""

def counts(name):
    values = f.per_run(name, "count")
    return ", ".join("none" if v is None else f"{int(v):,}" for v in values), all(v == rows for v in values)

def hashes(name, kind):
    return {f.text(f"{name}_r{run}_{kind}_hash") for run in range(1, f.runs + 1)}

def load_row(label, name, kinds):
    seconds = f.per_run(name, "seconds")
    t.row(label, f"{stat(seconds, unit=' s')}, **{stat(rates(rows, seconds), '{:,.0f}', ' rows/s')}**"
                 f"{table_mb(name)}{runs_note(f, name)}")
    shown, right = counts(name)
    number = label.split('.')[0]
    t.row(f"{number}. rows loaded in each run", shown, f"= {rows:,}", right)
    # One hash for all runs of both loads, and not an empty one, or the baseline loaded other values.
    same = all(len(hashes(name, k) | hashes("sync", k)) == 1 and "" not in hashes(name, k) for k in kinds)
    t.row(f"{number}. values loaded equal the sync's ({' and '.join(kinds)} columns, hashed)",
          "equal" if same else "**different**", "equal", same)
    return rates(rows, seconds)

copy = load_row("1. psql `\\copy … csv header` into a table like the sync's: same columns, types, order and primary key, "
                "the `_sdc_*` values in the file (baseline)", "copy", ["data", "system"])
plain = load_row("1p. psql `\\copy … csv header` into a plain table: the export's columns only, same types, no key, no defaults", "plain", ["data"])

seconds = f.per_run("sync", "seconds")
sync = rates(rows, seconds)
to_copy, to_plain = ratios(sync, copy), ratios(sync, plain)
file_rate = rates(rows, f.per_run("sync", "file_seconds"))
file_note = f"; file load alone {stat(file_rate, '{:,.0f}', ' rows/s')}" if present(file_rate) else ""
rss = [kb * 1024 / MB for kb in present(f.per_run("sync", "rss_kb"))]
t.row("2. `responsys-cluster sync` (SFTP → PostgreSQL)",
      f"{stat(seconds, unit=' s')}, **{stat(sync, '{:,.0f}', ' rows/s')}** = **{stat(to_copy, unit=' ×')}** (1), "
      f"{stat(to_plain, unit=' ×')} (1p){file_note}; peak RSS {max(rss):.0f} MB (largest){table_mb('sync')}{runs_note(f, 'sync')}",
      "≥ 0.8 × (1)", median(to_copy) is not None and median(to_copy) >= 0.8 and not f.failed_runs("sync"))
shown, right = counts("sync")
t.row("2. rows in `contact_list` after each sync", shown, f"= {rows:,}", right)

big_rows, big_size = int(f.num("big_rows")), f.num("big_bytes")
big, big_rss, big_file = f.num("big_sync_seconds"), f.num("big_sync_rss_kb") * 1024 / MB, f.num("big_sync_file_seconds")
big_note = f"; file load alone {big_rows / big_file:,.0f} rows/s" if big_file else ""
big_table = f.num("big_sync_table_bytes")
status = "" if f.ok("big_sync") else f" — **exit status {f.text('big_sync_status')}**"
t.row(f"3. sync of a {big_size / MB:,.0f} MB export ({big_rows:,} rows), one run",
      f"{big:.2f} s, {big_rows / big:,.0f} rows/s, {big_size / MB / big:.1f} MB/s{big_note}; **peak RSS {big_rss:.0f} MB**"
      f"{'' if big_table is None else f'; table and index {big_table / MB:,.0f} MB'}{status}",
      "RSS < 400 MB", big_rss < 400 and f.ok("big_sync"))
big_count = f.num("big_sync_count")
t.row("3. rows in `contact_list` after the sync", "none" if big_count is None else f"{int(big_count):,}",
      f"= {big_rows:,}", big_count == big_rows)
print(t)
EOF
)

append_report "sync into PostgreSQL" ".NET $(dotnet --version), $PG_DESCRIPTION, $(ssh -V 2>&1 | cut -d, -f1)" "$TABLE"
