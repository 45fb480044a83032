#!/usr/bin/env bash
# The load into PostgreSQL alone (no SFTP): how the target table's design and a late widening weigh on it.
# The product's FileVersionLoader loads a local contact export into tables indexed as each candidate design
# says, beside psql's `\copy` of the same rows into the same candidates; and the same export with one more,
# last row whose RIID_ is not a number, which widens the column inside the load. See bench/README.md.
#
#   bench/load-benchmark.sh [--rows N] [--runs R] [--seed S] [--results FILE]
#
#   --rows N        rows of the contact export (default 1000000, ~225 MB)
#   --runs R        rounds of every load; the table shows their median and min–max (default 3)
#   --results FILE  where the entry is appended (default bench/results.md, which takes only a clean tree's
#                   runs with R >= 3)
#
# Runs as root (deploy/local/postgres.sh runs initdb). PostgreSQL runs with fsync on, as in production.
# Everything generated lives in a mktemp directory that is removed on exit, with PostgreSQL stopped.
set -euo pipefail

BENCH_NAME=load
ROWS=1000000
BIG_BYTES=1   # not used: lib.sh's options are shared
SEED=20181001
RUNS=3

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
COMMAND="bench/load-benchmark.sh --rows $ROWS --seed $SEED --runs $RUNS"
((EUID == 0)) || die "run as root: deploy/local/postgres.sh runs initdb"
require_tools psql
record_source

log "building responsys-bench (Release)"
mkdir -p "$OUT"
dotnet publish "$REPO/bench/ResponsysCluster.Bench" -c Release -o "$OUT/bench" --nologo -v quiet >"$OUT/load-build.log" 2>&1 ||
  { cat "$OUT/load-build.log" >&2; die "building bench/ResponsysCluster.Bench failed"; }
make_work_dir

log "starting PostgreSQL (fsync on)"
start_postgres
EXPORT=$WORK/$FILE_NAME
WIDENED=$WORK/widened/$FILE_NAME
RUN_ID=bench_$(date -u +%Y%m%d%H%M%S)

log "generating $ROWS contact rows"
generate_contacts "" "$EXPORT" --rows "$ROWS"
# The same export with one more record at the end whose RIID_ (an integer column) is text: the column widens.
mkdir -p "$(dirname "$WIDENED")"
cp "$EXPORT" "$WIDENED"
printf 'not-a-number\n' >>"$WIDENED"
figure utcnow_ns "$(field "$("$BENCH" clock)" utcnow_ns)"

DATA_COLUMNS=$(head -n 1 "$EXPORT" | tr -d '\r' | python3 -c "import sys; print(', '.join('\"' + c.lower() + '\"' for c in sys.stdin.read().strip().split(',')))")
TEXT_COLUMNS=$(sed 's/"\([^"]*\)"/"\1" text/g' <<<"$DATA_COLUMNS")
SDC_TABLE_COLUMNS="_sdc_source_file text NOT NULL, _sdc_source_lineno bigint NOT NULL, _sdc_extra jsonb,
  _sdc_extracted_at timestamptz NOT NULL, _sdc_batched_at timestamptz NOT NULL"

# The \copy inputs: the export with the values the loader writes into its _sdc_* columns after each record
# (path, line number, no extra fields, one time per file), and with the first three only (the times left to
# a column default of now(), one value per transaction).
log "writing the \\copy inputs with the _sdc_* values"
python3 - "$EXPORT" "$WORK/sdc5.csv" "$WORK/sdc3.csv" <<'EOF'
import csv, sys
source, five, three = sys.argv[1:4]
stamp = "2026-01-01 00:00:00+00"
with open(source, newline="", encoding="utf-8") as inp, open(five, "w", newline="", encoding="utf-8") as out5, \
        open(three, "w", newline="", encoding="utf-8") as out3:
    reader = csv.reader(inp)
    header = next(reader)
    w5, w3 = csv.writer(out5, lineterminator="\n"), csv.writer(out3, lineterminator="\n")
    w5.writerow(header + ["_sdc_source_file", "_sdc_source_lineno", "_sdc_extra", "_sdc_extracted_at", "_sdc_batched_at"])
    w3.writerow(header + ["_sdc_source_file", "_sdc_source_lineno", "_sdc_extra"])
    line = 1
    for record in reader:
        if not record:
            continue
        line += 1
        w5.writerow(record + ["/bench/x.csv", line, None, stamp, stamp])
        w3.writerow(record + ["/bench/x.csv", line, None])
EOF

# delete_probe NAME TABLE: milliseconds the delete every load starts with takes when the table holds this file
# and the path is new (no rows to delete), as the server's own execution time.
delete_probe() {
  local plan
  # With the table's statistics, as autovacuum soon gathers them: without them the planner scans the table.
  sql "ANALYZE $2" 2>>"$LOGS/$1.log" || true
  plan=$(sql "BEGIN; EXPLAIN (ANALYZE, FORMAT JSON) DELETE FROM $2 WHERE _sdc_source_file = '/bench/20181002_CONTACT_LIST.csv'; ROLLBACK" 2>>"$LOGS/$1.log" || true)
  figure "$1_delete_ms" "$(python3 -c "import json, sys; print(json.loads(sys.argv[1])[0]['Execution Time'])" "$plan" 2>/dev/null || true)"
}

count_table() {
  figure "$1_count" "$(sql "SELECT count(*) FROM $2" 2>>"$LOGS/$1.log" || true)"
  figure "$1_table_bytes" "$(sql "SELECT pg_total_relation_size('$2')" 2>>"$LOGS/$1.log" || true)"
}

# load_DESIGN RUN: the product's loader, the table indexed as DESIGN; widen: the widened export, product design.
loader() {
  local name=$1 design=$2 file=$3 connection=${RUN_ID}_$1
  local table=responsys_$connection.contact_list
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" "$BENCH" load --postgres "$RSX_POSTGRES" --file "$file" --connection-id "$connection" --design "$design"
  figure "${name}_load_seconds" "$(field "$(cat "$LOGS/$name.out")" load_seconds)"
  figure "${name}_widened" "$(field "$(cat "$LOGS/$name.out")" widened)"
  count_table "$name" "$table"
  delete_probe "$name" "$table"
  if [[ $design == brin ]]; then
    local started
    started=$(now)
    sql "SELECT brin_summarize_new_values('responsys_$connection.contact_list__sdc_source_file_idx')" >/dev/null 2>>"$LOGS/$name.log" || true
    figure "${name}_summarize_seconds" "$(python3 -c "print(f'{$(now) - $started:.3f}')")"
    delete_probe "${name%_r*}_summarized_r${name##*_r}" "$table"
  fi
  sql "DROP SCHEMA responsys_$connection CASCADE"
}

# copy NAME KIND INDEX: psql \copy into a text table of the export's columns; KIND text: nothing else; sdc: with
# the five _sdc_* columns; defaults: with them, the two times left to DEFAULT now(). Indexed by INDEX (none, pk,
# btree, brin).
copy() {
  local name=$1 kind=$2 index=$3 table=bench_copy.contact_list columns input
  sql "CREATE SCHEMA IF NOT EXISTS bench_copy"
  case $kind in
    text) sql "CREATE TABLE $table ($TEXT_COLUMNS)"; columns=$DATA_COLUMNS; input=$EXPORT ;;
    defaults)
      sql "CREATE TABLE $table ($TEXT_COLUMNS, $(sed 's/timestamptz NOT NULL/timestamptz NOT NULL DEFAULT now()/g' <<<"$SDC_TABLE_COLUMNS"))"
      columns="$DATA_COLUMNS, _sdc_source_file, _sdc_source_lineno, _sdc_extra"; input=$WORK/sdc3.csv ;;
    *) sql "CREATE TABLE $table ($TEXT_COLUMNS, $SDC_TABLE_COLUMNS)"
      columns="$DATA_COLUMNS, _sdc_source_file, _sdc_source_lineno, _sdc_extra, _sdc_extracted_at, _sdc_batched_at"; input=$WORK/sdc5.csv ;;
  esac
  case $index in
    pk) sql "ALTER TABLE $table ADD PRIMARY KEY (_sdc_source_file, _sdc_source_lineno)" ;;
    btree) sql "CREATE INDEX ON $table (_sdc_source_file)" ;;
    brin) sql "CREATE INDEX ON $table USING brin (_sdc_source_file) WITH (autosummarize = on)" ;;
  esac
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" "${PSQL[@]}" -c "\\copy $table ($columns) FROM '$input' csv header"
  count_table "$name" "$table"
  sql "DROP TABLE $table"
}

LOADS=(loader_brin loader_none loader_btree loader_pk copy_text copy_sdc copy_sdc_pk copy_sdc_btree copy_sdc_brin copy_defaults)
run_load() {
  local load=$1 run=$2 name="$1_r$2"
  log "round $run of $RUNS: $load"
  case $load in
    loader_brin)
      # The widened export right before or after its baseline, by turns: the two figures of the ratio come from
      # the same minute of a machine whose load may drift.
      if ((run % 2 == 1)); then
        loader "$name" brin "$EXPORT"; log "round $run of $RUNS: loader_widen"; loader "loader_widen_r$run" brin "$WIDENED"
      else
        loader "loader_widen_r$run" brin "$WIDENED"; log "round $run of $RUNS: loader_brin"; loader "$name" brin "$EXPORT"
      fi
      ;;
    loader_*) loader "$name" "${load#loader_}" "$EXPORT" ;;
    copy_text) copy "$name" text none ;;
    copy_defaults) copy "$name" defaults none ;;
    copy_sdc) copy "$name" sdc none ;;
    copy_sdc_*) copy "$name" sdc "${load#copy_sdc_}" ;;
  esac
}

# Rounds of every load, each into a fresh empty table after a CHECKPOINT; the order turns each round, so that
# none of them always runs first or last. The widened file runs next to its baseline (the product design).
for run in $(seq 1 "$RUNS"); do
  for i in $(seq 0 $((${#LOADS[@]} - 1))); do
    run_load "${LOADS[$(((i + (run - 1) * 4) % ${#LOADS[@]}))]}" "$run"
  done
done

TABLE=$(render_table <<'EOF'
from figures import Figures, MB, Table, median, present, rates, ratios, runs_note, stat
f = Figures(__import__("sys").argv[1])
t = Table()
rows, size = int(f.num("rows")), f.num("bytes")
t.row("Contact export", f"{rows:,} rows, {size / MB:.1f} MB ({size / rows:.0f} B/row), 23 columns")

def counted(name, expected):
    values = f.per_run(name, "count")
    return all(v == expected for v in values)

def table_mb(name):
    sizes = present(f.per_run(name, "table_bytes"))
    return f"; table and index {max(sizes) / MB:,.0f} MB" if sizes else ""

def delete_ms(name):
    values = present(f.per_run(name, "delete_ms"))
    return f"; delete of a new path {stat(values, '{:,.1f}', ' ms')}" if values else ""

copies = {}
for name, label in [
        ("copy_text", "psql `\\copy`: the export's 23 columns as text, nothing else"),
        ("copy_sdc", "+ the five `_sdc_*` columns, no index"),
        ("copy_sdc_pk", "+ primary key (`_sdc_source_file`, `_sdc_source_lineno`)"),
        ("copy_sdc_btree", "+ b-tree on `_sdc_source_file` instead"),
        ("copy_sdc_brin", "+ BRIN on `_sdc_source_file` instead"),
        ("copy_defaults", "the `_sdc_*` columns, no index, both times left to `DEFAULT now()` (not sent)")]:
    seconds = f.per_run(name, "seconds")
    copies[name] = rates(rows, seconds)
    t.row(label, f"{stat(seconds, unit=' s')}, **{stat(copies[name], '{:,.0f}', ' rows/s')}**{table_mb(name)}{runs_note(f, name)}",
          f"rows = {rows:,}", counted(name, rows))

loads = {}
for name, label in [
        ("loader_brin", "FileVersionLoader (binary COPY), the product's table: no key, BRIN on `_sdc_source_file`"),
        ("loader_none", "FileVersionLoader, no key, no index"),
        ("loader_btree", "FileVersionLoader, no key, b-tree on `_sdc_source_file`"),
        ("loader_pk", "FileVersionLoader, the earlier primary key")]:
    seconds = f.per_run(name, "load_seconds")
    loads[name] = rates(rows, seconds)
    t.row(label, f"{stat(seconds, unit=' s')}, **{stat(loads[name], '{:,.0f}', ' rows/s')}** = {stat(ratios(loads[name], copies['copy_sdc_pk']), unit=' ×')} "
                 f"`\\copy` with the key{table_mb(name)}{delete_ms(name)}{runs_note(f, name)}", f"rows = {rows:,}", counted(name, rows))

summarize = f.per_run("loader_brin", "summarize_seconds")
t.row("BRIN after `brin_summarize_new_values`",
      f"summarizing {stat(summarize, unit=' s')}; delete of a new path then {stat(present(f.per_run('loader_brin_summarized', 'delete_ms')), '{:,.1f}', ' ms')}")

widen = f.per_run("loader_widen", "load_seconds")
ratio = ratios(widen, f.per_run("loader_brin", "load_seconds"))
widened = all(v == 1 for v in f.per_run("loader_widen", "widened"))
t.row(f"The same export plus a last row whose RIID_ is text (bigint → text inside the load), product's table",
      f"{stat(widen, unit=' s')}; **{stat(ratio, unit=' ×')}** the load without that row (same rounds); one column widened in every run: {'yes' if widened else '**no**'}",
      "< 1.3 ×", median(ratio) is not None and median(ratio) < 1.3 and widened and counted("loader_widen", rows + 1))
t.row("`DateTime.UtcNow` per row (the batch time before it was one per file)", f"{f.num('utcnow_ns'):.1f} ns a call, {f.num('utcnow_ns') * rows / 1e9:.3f} s per {rows:,} rows")
print(t)
EOF
)

append_report "the load into PostgreSQL: table designs and a late widening" ".NET $(dotnet --version), $PG_DESCRIPTION; the loader's time is its own (LoadAsync alone), \\copy's the psql process" "$TABLE"
