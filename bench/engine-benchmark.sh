#!/usr/bin/env bash
# The engine's speed targets: `responsys-cluster sync` end to end (SFTP → PostgreSQL, two files at a time) against
# what a user would script (OpenSSH `sftp get`, then psql `\copy`) and against psql `\copy` of the same local
# files, on three export sets served by a local OpenSSH sshd: one table's three daily files of N rows each, one
# file whose rows carry a long text column, and many small files. See bench/README.md ("The engine benchmark").
#
#   bench/engine-benchmark.sh [--rows N] [--notes-rows R] [--notes-bytes B] [--small-files F] [--small-rows S]
#                             [--runs R] [--seed S] [--results FILE]
#
#   --rows N          rows of each of the three files of the first set (default 1000000, ~225 MB a file)
#   --notes-rows R    rows of the file with a long text column (default: N)
#   --notes-bytes B   characters of that column, LONG_NOTES, in every row (default 2048)
#   --small-files F   files of the small-file set (default 1000) ...
#   --small-rows S    ... of S rows each (default 1000)
#   --runs R          rounds of every load; the table shows their median and min–max (default 3)
#   --results FILE    where the entry is appended (default bench/results.md, which takes only a clean tree's
#                     runs with R >= 3)
#
# Runs as root (the throwaway sshd and PostgreSQL need it). PostgreSQL runs with fsync on, as in production.
# Everything generated lives in a mktemp directory that is removed on exit, with the sshd and PostgreSQL stopped.
set -euo pipefail

BENCH_NAME=engine
ROWS=1000000
BIG_BYTES=1   # not used: lib.sh's options are shared
SEED=20181001
RUNS=3
NOTES_ROWS=''
NOTES_BYTES=2048
SMALL_FILES=1000
SMALL_ROWS=1000
CONCURRENT_DOWNLOADS=2   # the product's default for max_concurrent_downloads, written into each config
script_option() {
  case $1 in
    --notes-rows) NOTES_ROWS=$2 ;;
    --notes-bytes) NOTES_BYTES=$2 ;;
    --small-files) SMALL_FILES=$2 ;;
    --small-rows) SMALL_ROWS=$2 ;;
    *) return 1 ;;
  esac
}

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
NOTES_ROWS=${NOTES_ROWS:-$ROWS}
for value in "$NOTES_ROWS" "$NOTES_BYTES" "$SMALL_FILES" "$SMALL_ROWS"; do
  [[ $value =~ ^[0-9]+$ && $value -gt 0 ]] || die "--notes-rows, --notes-bytes, --small-files and --small-rows must be positive numbers"
done
COMMAND="bench/engine-benchmark.sh --rows $ROWS --notes-rows $NOTES_ROWS --notes-bytes $NOTES_BYTES --small-files $SMALL_FILES --small-rows $SMALL_ROWS --seed $SEED --runs $RUNS"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"
require_tools psql sftp
record_source
build
make_work_dir

log "starting sshd and PostgreSQL (fsync on)"
start_sftp_server
start_postgres
# One directory per set on the server; its files are also read locally by the \copy baselines.
TRIPLE=$RSX_SFTP_DATA_DIR/triple
NOTES=$RSX_SFTP_DATA_DIR/notes
SMALL=$RSX_SFTP_DATA_DIR/small
declare -A SET_DIR=([triple]=$TRIPLE [notes]=$NOTES [small]=$SMALL)
CONFIG=$WORK/connection.json
DOWNLOADS=$WORK/downloads   # where the user's script puts the files it fetches
# A fresh connection id per sync: a new ledger, so no file is skipped as already loaded, and a new target schema.
RUN_ID=bench_$(date -u +%Y%m%d%H%M%S)

log "generating the exports: 3 × $ROWS rows, $NOTES_ROWS rows with a $NOTES_BYTES-character column, $SMALL_FILES × $SMALL_ROWS rows"
generate_contacts triple_ "$TRIPLE/20181001_CONTACT_LIST.csv" --rows "$ROWS" --files 3
generate_contacts notes_ "$NOTES/20181001_CONTACT_LIST.csv" --rows "$NOTES_ROWS" --notes-bytes "$NOTES_BYTES"
generate_contacts small_ "$SMALL/20181001_CONTACT_LIST.csv" --rows "$SMALL_ROWS" --files "$SMALL_FILES"
for set in triple notes small; do
  figure "${set}_files" "$(find "${SET_DIR[$set]}" -name '*.csv' | wc -l)"
done
mapfile -t TRIPLE_FILES < <(find "$TRIPLE" -name '*.csv' | sort)

# count_table NAME TABLE: its rows and its size with indexes, as NAME_count and NAME_table_bytes.
count_table() {
  figure "$1_count" "$(sql "SELECT count(*) FROM $2" 2>>"$LOGS/$1.log" || true)"
  figure "$1_table_bytes" "$(sql "SELECT pg_total_relation_size('$2')" 2>>"$LOGS/$1.log" || true)"
}

# fingerprint NAME TABLE: an order-free hash of the export's values in each row (DATA_COLUMNS, with the sync's
# types), as NAME_data_hash: equal hashes show that the user's script loaded the same values as the sync.
fingerprint() {
  figure "$1_data_hash" "$(sql "SELECT sum(hashtext(ROW($DATA_COLUMNS)::text)::bigint) FROM $2" 2>>"$LOGS/$1.log" || true)"
}

# The user's script loads into a table of the sync's data columns with the sync's types, no _sdc_* columns, no
# index: bench_template.contact_list, copied from the first sync of the three files (which runs first in the
# first round). DATA_COLUMNS lists its columns in order.
make_template() {
  sql "CREATE SCHEMA bench_template;
       CREATE TABLE bench_template.contact_list AS
         SELECT * FROM $1 WITH NO DATA"
  sql "SELECT column_name || ' ' || data_type FROM information_schema.columns
       WHERE table_schema = 'bench_template' AND table_name = 'contact_list' ORDER BY ordinal_position" >"$LOGS/sync-columns.txt"
  DATA_COLUMNS=$(sql "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
                      FROM information_schema.columns
                      WHERE table_schema = 'bench_template' AND table_name = 'contact_list' AND column_name NOT LIKE '\_sdc\_%'")
  [[ -n $DATA_COLUMNS ]] || die "the first sync made no table $1 to copy the columns from"
}

# text_columns FILE: the header's columns, lower-cased, each as text.
text_columns() {
  head -n 1 "$1" | tr -d '\r' | tr ',' '\n' | tr '[:upper:]' '[:lower:]' | sed 's/.*/"&" text/' | paste -sd, | sed 's/,/, /g'
}

# write_engine_config SET RUN: the connection config of SET's directory under a new connection id, with
# max_concurrent_downloads written out; prints the target table.
write_engine_config() {
  local connection=${RUN_ID}_$1_r$2
  write_connection_config "$CONFIG" "${SET_DIR[$1]}" "$connection"
  sed -i "0,/^{\$/s//{\n  \"max_concurrent_downloads\": $CONCURRENT_DOWNLOADS,/" "$CONFIG"
  echo "responsys_$connection.contact_list"
}

# measure_sync SET RUN: `responsys-cluster sync` of every file of SET, as SET_sync_rRUN.
measure_sync() {
  local set=$1 run=$2 name=$1_sync_r$2 table
  table=$(write_engine_config "$set" "$run")
  cp "$CONFIG" "$LOGS/$name.config.json"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" "$NODE" sync --config "$CONFIG" --postgres "$RSX_POSTGRES"
  count_table "$name" "$table"
  if [[ $set == triple ]]; then
    [[ -n ${DATA_COLUMNS:-} ]] || make_template "$table"
    fingerprint "$name" "$table"
  fi
  sql "DROP SCHEMA ${table%%.*} CASCADE"
}

# measure_script RUN: the user's script, as triple_script_rRUN: OpenSSH sftp in batch mode (key login, the same
# sshd) gets the three files into a local directory, then one psql session \copies each into a plain table of
# the sync's data columns and types. Timed whole; the downloaded files are removed afterwards, untimed.
measure_script() {
  local run=$1 name=triple_script_r$1 file
  sql "CREATE SCHEMA IF NOT EXISTS bench_script;
       CREATE TABLE bench_script.contact_list AS SELECT $DATA_COLUMNS FROM bench_template.contact_list WITH NO DATA"
  rm -rf "$DOWNLOADS" && mkdir -p "$DOWNLOADS"
  : >"$WORK/sftp-batch"
  for file in "${TRIPLE_FILES[@]}"; do echo "get $file $DOWNLOADS/" >>"$WORK/sftp-batch"; done
  {
    echo 'set -euo pipefail'
    printf '%q ' sftp -q -b "$WORK/sftp-batch" -i "$KEY" -P "$RSX_SFTP_PORT" -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile=/dev/null -o BatchMode=yes "$RSX_SFTP_USER@$RSX_SFTP_HOST"
    echo
    printf '%q ' "${PSQL[@]}"
    for file in "${TRIPLE_FILES[@]}"; do
      printf '%q ' -c "\\copy bench_script.contact_list ($DATA_COLUMNS) FROM '$DOWNLOADS/$(basename "$file")' csv header"
    done
    echo
  } >"$WORK/user-script.sh"
  cp "$WORK/user-script.sh" "$LOGS/user-script.sh"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" bash "$WORK/user-script.sh"
  count_table "$name" bench_script.contact_list
  fingerprint "$name" bench_script.contact_list
  sql "DROP TABLE bench_script.contact_list"
  rm -rf "$DOWNLOADS"
}

# measure_text SET RUN: one psql session running a \copy of each local file of SET into a plain table of the
# export's columns, all text, no index, as SET_text_rRUN.
measure_text() {
  local set=$1 run=$2 name=$1_text_r$2 file
  local files=("${SET_DIR[$1]}"/*.csv)
  sql "CREATE SCHEMA IF NOT EXISTS bench_text;
       CREATE TABLE bench_text.$set ($(text_columns "${files[0]}"))"
  : >"$WORK/$set-copy.sql"
  for file in "${files[@]}"; do echo "\\copy bench_text.$set FROM '$file' csv header" >>"$WORK/$set-copy.sql"; done
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" "${PSQL[@]}" -f "$WORK/$set-copy.sql"
  count_table "$name" "bench_text.$set"
  sql "DROP TABLE bench_text.$set"
}

# Rounds of every load, each after a CHECKPOINT into a fresh table (the one before it dropped). Within a set
# the order turns each round, so that no load always comes first or last; the first round starts with the sync
# of the three files, whose table is the model of the user's script's.
for run in $(seq 1 "$RUNS"); do
  triple_loads=("measure_sync triple" measure_script "measure_text triple")
  for i in 0 1 2; do
    load=${triple_loads[$(((i + run - 1) % 3))]}
    log "round $run of $RUNS: ${load#measure_} (3 × $ROWS rows)"
    $load "$run"
  done
  for set in notes small; do
    if ((run % 2 == 1)); then order=(sync text); else order=(text sync); fi
    for load in "${order[@]}"; do
      log "round $run of $RUNS: $load $set"
      "measure_$load" "$set" "$run"
    done
  done
done

TABLE=$(render_table <<'EOF'
import sys
from figures import Figures, MB, Table, median, present, rates, ratios, runs_note, stat
f = Figures(sys.argv[1])
t = Table()

def data(set_name):
    rows, size, files = int(f.num(f"{set_name}_rows")), f.num(f"{set_name}_bytes"), int(f.num(f"{set_name}_files"))
    return rows, size, files

def counts(name, expected):
    values = f.per_run(name, "count")
    return ", ".join("none" if v is None else f"{int(v):,}" for v in values), all(v == expected for v in values)

def timed(name, rows, size):
    seconds = f.per_run(name, "seconds")
    per_second = rates(rows, seconds)
    return per_second, (f"{stat(seconds, unit=' s')}, **{stat(per_second, '{:,.0f}', ' rows/s')}**, "
                        f"{stat(rates(size / MB, seconds), '{:.1f}', ' MB/s')}{runs_note(f, name)}")

def count_row(number, name, what, expected):
    shown, right = counts(name, expected)
    t.row(f"{number}. rows in {what} after each load", shown, f"= {expected:,}", right)
    return right

def peak_mb(name):
    return max([kb * 1024 / MB for kb in present(f.per_run(name, "rss_kb"))], default=None)

def target_met(ratio_values, bound, *names_counted):
    m = median(ratio_values)
    return m is not None and m >= bound and all(not f.failed_runs(n) for n in names_counted)

rows, size, files = data("triple")
notes_rows, notes_size, _ = data("notes")
small_rows, small_size, small_files = data("small")
t.row("Exports (contact list, one table, on the local sshd)",
      f"{files} files × {rows // files:,} rows, {size / MB:,.1f} MB; 1 file × {notes_rows:,} rows with a "
      f"`LONG_NOTES` column, {notes_size / MB:,.1f} MB ({notes_size / notes_rows:,.0f} B/row); "
      f"{small_files:,} files × {small_rows // small_files:,} rows, {small_size / MB:,.1f} MB")

sync, shown = timed("triple_sync", rows, size)
sync_rss = peak_mb("triple_sync")
t.row(f"1. `responsys-cluster sync` of the {files} files (SFTP → PostgreSQL, `max_concurrent_downloads` 2)",
      f"{shown}; peak RSS {sync_rss:.0f} MB (largest)")
sync_ok = count_row(1, "triple_sync", "the sync's `contact_list`", rows)

script, shown = timed("triple_script", rows, size)
to_script = ratios(sync, script)
t.row("2. the user's script: OpenSSH `sftp -b` get of the files, then psql `\\copy … csv header` of each into a "
      "plain table of the sync's data columns and types (no `_sdc_*`, no index)", shown)
script_ok = count_row(2, "triple_script", "the script's table", rows)
hashes = {f.text(f"{name}_r{run}_data_hash") for name in ("triple_sync", "triple_script") for run in range(1, f.runs + 1)}
same = len(hashes) == 1 and "" not in hashes
t.row("2. values the script loaded equal the sync's (data columns, hashed)", "equal" if same else "**different**", "equal", same)
t.row("2. sync ÷ user's script (rows/s)", f"**{stat(to_script, unit=' ×')}**", "≥ 1.3 ×",
      target_met(to_script, 1.3, "triple_sync", "triple_script") and sync_ok and script_ok)

text, shown = timed("triple_text", rows, size)
to_text = ratios(sync, text)
t.row("3. psql `\\copy … csv header` of the same local files into a plain table of the export's columns as `text` "
      "(no index), one session", shown)
text_ok = count_row(3, "triple_text", "the text table", rows)
t.row("3. sync ÷ local `\\copy` into text (rows/s)", f"**{stat(to_text, unit=' ×')}**", "≥ 0.9 ×",
      target_met(to_text, 0.9, "triple_sync", "triple_text") and sync_ok and text_ok)

t.row(f"4. peak RSS of the sync of the {files} files (largest of the runs)", f"**{sync_rss:.0f} MB**", "< 300 MB",
      sync_rss < 300 and not f.failed_runs("triple_sync"))

notes_sync, shown = timed("notes_sync", notes_rows, notes_size)
t.row(f"5. sync of the file with a `LONG_NOTES` column", f"{shown}; peak RSS {peak_mb('notes_sync'):.0f} MB (largest)")
count_row(5, "notes_sync", "the sync's `contact_list`", notes_rows)
notes_text, shown = timed("notes_text", notes_rows, notes_size)
t.row("5. psql `\\copy` of the same local file into a plain text table", shown)
count_row(5, "notes_text", "the text table", notes_rows)
t.row("5. sync ÷ local `\\copy` into text (rows/s)", f"**{stat(ratios(notes_sync, notes_text), unit=' ×')}**")

small_sync, shown = timed("small_sync", small_rows, small_size)
files_per_second = rates(small_files, f.per_run("small_sync", "seconds"))
t.row(f"6. sync of the {small_files:,} small files in one run",
      f"{shown}, {stat(files_per_second, '{:,.1f}', ' files/s')}; peak RSS {peak_mb('small_sync'):.0f} MB (largest)")
count_row(6, "small_sync", "the sync's `contact_list`", small_rows)
small_text, shown = timed("small_text", small_rows, small_size)
t.row(f"6. one psql session running {small_files:,} `\\copy` lines of the same local files into a plain text table", shown)
count_row(6, "small_text", "the text table", small_rows)
t.row("6. sync ÷ local `\\copy` into text (rows/s)", f"**{stat(ratios(small_sync, small_text), unit=' ×')}**")
print(t)
EOF
)

append_report "the engine against a user's script and local \\copy" \
  ".NET $(dotnet --version), $PG_DESCRIPTION, $(ssh -V 2>&1 | cut -d, -f1)" "$TABLE"
