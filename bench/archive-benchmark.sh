#!/usr/bin/env bash
# Throughput and memory of `responsys-cluster sync` on compressed and encrypted exports, next to the plain file in
# the same run: one contact export, made into `.csv.gz` (gzip), `.zip` (zip) and `.csv.gpg` (gpg: encrypted for a
# throwaway key protected by a passphrase, and signed), each loaded from a local OpenSSH sshd into a local
# PostgreSQL. Then a large export in the four forms, synced once each, for peak memory. See bench/README.md.
#
#   bench/archive-benchmark.sh [--rows N] [--big-bytes B] [--runs R] [--seed S] [--results FILE]
#
#   --rows N        rows of the export synced in each form (default 1000000, ~225 MB plain)
#   --big-bytes B   plain size of the large export, for peak memory (default 1 GiB)
#   --runs R        rounds of the four syncs; the table shows their median and min–max (default 3)
#   --results FILE  where the entry is appended (default bench/results.md, which takes only a clean tree's
#                   runs with R >= 3)
#
# Runs as root (the throwaway sshd and PostgreSQL need it). PostgreSQL runs with fsync on, as in production.
# Everything generated (the exports, the OpenPGP keys and their GNUPGHOME) lives in a mktemp directory that is
# removed on exit, with the sshd, PostgreSQL and the throwaway gpg-agent stopped.
set -euo pipefail

BENCH_NAME=archive
ROWS=1000000
BIG_BYTES=$((1024 * 1024 * 1024))
SEED=20181001
RUNS=3

# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_arguments "$@"
((EUID == 0)) || die "run as root: deploy/local/sftp-server.sh starts sshd, deploy/local/postgres.sh runs initdb"
require_tools psql gzip zip gpg gpgconf
record_source
build
make_work_dir

# The throwaway OpenPGP home: its gpg-agent is stopped on exit, before lib.sh's clean-up removes WORK.
export GNUPGHOME=$WORK/gnupg
archive_cleanup() {
  local status=$?
  [[ ! -d $GNUPGHOME ]] || gpgconf --homedir "$GNUPGHOME" --kill all >/dev/null 2>&1 || true
  (exit "$status")
  cleanup
}
trap archive_cleanup EXIT

log "starting sshd and PostgreSQL (fsync on)"
start_sftp_server
start_postgres
KINDS=(plain gz zip gpg)
declare -A SUFFIX=([plain]=.csv [gz]=.csv.gz [zip]=.zip [gpg]=.csv.gpg)
STEM=${FILE_NAME%.csv}
BIG_STEM=${BIG_NAME%.csv}
CONFIG=$WORK/connection.json
# A fresh connection id per sync: a new ledger, so no file is skipped as already loaded, and a new target schema.
RUN_ID=bench_$(date -u +%Y%m%d%H%M%S)

# The connection's key (encryption subkey, protected by a passphrase) and Responsys's signer, made by gpg in the
# throwaway home; the engine gets the recipient's secret key and the signer's public key as files, the passphrase
# through the variable pgp_passphrase_env names.
PGP_PASSPHRASE="bench passphrase $RANDOM$RANDOM"
export RSX_BENCH_PGP_PASSPHRASE=$PGP_PASSPHRASE
PGP_RECIPIENT=recipient@example.com
PGP_SIGNER=signer@example.com
PGP_SECRET_KEY=$WORK/recipient-secret.asc
PGP_SIGNER_KEY=$WORK/signer-public.asc
gpg_batch() { gpg --batch --yes --pinentry-mode loopback --passphrase "$PGP_PASSPHRASE" "$@"; }

log "making the throwaway OpenPGP keys"
mkdir -m 700 "$GNUPGHOME"
for who in recipient signer; do
  cat >"$WORK/$who.params" <<EOF
Key-Type: RSA
Key-Length: 2048
Key-Usage: sign
Subkey-Type: RSA
Subkey-Length: 2048
Subkey-Usage: encrypt
Name-Real: $who
Name-Email: $who@example.com
Passphrase: $PGP_PASSPHRASE
Expire-Date: 0
%commit
EOF
  gpg_batch --gen-key "$WORK/$who.params" 2>>"$LOGS/gpg.log"
done
gpg_batch --armor --export-secret-keys "$PGP_RECIPIENT" >"$PGP_SECRET_KEY" 2>>"$LOGS/gpg.log"
gpg_batch --armor --export "$PGP_SIGNER" >"$PGP_SIGNER_KEY" 2>>"$LOGS/gpg.log"

# make_forms PREFIX DIR STEM: DIR/plain/STEM.csv (and its ready file) made into DIR/gz/STEM.csv.gz, DIR/zip/STEM.zip
# and DIR/gpg/STEM.csv.gpg, each with the plain file's ready file (its record count); records PREFIXKIND_bytes and
# PREFIXKIND_make_seconds. Made by Debian's gzip, zip and gpg with their default levels and algorithms (gpg:
# AES-256, ZLIB, a SHA-512 signature).
make_forms() {
  local prefix=$1 dir=$2 stem=$3 plain kind start target
  plain=$dir/plain/$stem.csv
  figure "${prefix}plain_bytes" "$(stat -c %s "$plain")"
  for kind in gz zip gpg; do
    mkdir -p "$dir/$kind"
    target=$dir/$kind/$stem${SUFFIX[$kind]}
    log "making $target"
    start=$(now)
    case $kind in
      gz) gzip -n -c "$plain" >"$target" ;;
      zip) zip -q -X -j "$target" "$plain" ;;
      gpg) gpg_batch --trust-model always --encrypt --recipient "$PGP_RECIPIENT" --sign --local-user "$PGP_SIGNER" \
        --output "$target" "$plain" 2>>"$LOGS/gpg.log" ;;
    esac
    figure "${prefix}${kind}_make_seconds" "$(python3 -c "print(f'{$(now) - $start:.3f}')")"
    figure "${prefix}${kind}_bytes" "$(stat -c %s "$target")"
    cp "$dir/plain/$stem.ready" "$dir/$kind/$stem.ready"
  done
}

# write_config DIR CONNECTION_ID: the connection config of lib.sh, plus the OpenPGP keys.
write_config() {
  write_connection_config "$CONFIG" "$1" "$2"
  python3 - "$CONFIG" "$PGP_SECRET_KEY" "$PGP_SIGNER_KEY" <<'EOF'
import json, sys
path, secret, signer = sys.argv[1:4]
config = json.load(open(path))
config.update(pgp_private_key_file=secret, pgp_passphrase_env="RSX_BENCH_PGP_PASSPHRASE", pgp_signer_public_key_file=signer)
json.dump(config, open(path, "w"), indent=2)
EOF
}

# sync_kind NAME DIR CONNECTION_ID: one `responsys-cluster sync` of DIR under a fresh connection id, measured as
# NAME (wall time, peak RSS, the file's load alone from its log lines), its rows counted as NAME_count; sets TABLE.
sync_kind() {
  local name=$1 dir=$2 connection=$3
  TABLE=responsys_$connection.contact_list
  write_config "$dir" "$connection"
  sql "CHECKPOINT"
  MEASURE_STDOUT=$LOGS/$name.out measure "$name" "$NODE" sync --config "$CONFIG" --postgres "$RSX_POSTGRES"
  figure "${name}_file_seconds" "$(log_span "$LOGS/$name.log" '(: | file )started\b' '(: | file )finished\b')"
  figure "${name}_count" "$(sql "SELECT count(*) FROM $TABLE" 2>>"$LOGS/$name.log" || true)"
  figure "${name}_table_bytes" "$(sql "SELECT pg_total_relation_size('$TABLE')" 2>>"$LOGS/$name.log" || true)"
}

# An order-free hash of the export's values in every row (the data columns: the _sdc_* columns name the file,
# whose extension differs, and the times): equal hashes show that every form loaded the same values.
data_hash() {
  if [[ -z ${DATA_COLUMNS:-} ]]; then
    local schema=${TABLE%%.*}
    DATA_COLUMNS=$(sql "SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
                        FROM information_schema.columns
                        WHERE table_schema = '$schema' AND table_name = 'contact_list' AND column_name NOT LIKE '\_sdc\_%'")
    sql "SELECT column_name || ' ' || data_type FROM information_schema.columns
         WHERE table_schema = '$schema' AND table_name = 'contact_list' ORDER BY ordinal_position" >"$LOGS/columns.txt"
  fi
  figure "$1_data_hash" "$(sql "SELECT sum(hashtext(ROW($DATA_COLUMNS)::text)::bigint) FROM $TABLE" 2>>"$LOGS/$1.log" || true)"
}

EXPORTS=$RSX_SFTP_DATA_DIR/contacts
log "generating $ROWS contact rows"
generate_contacts "" "$EXPORTS/plain/$FILE_NAME" --rows "$ROWS"
make_forms "" "$EXPORTS" "$STEM"

# 1. Rounds of the four syncs, the order turning each round, so that none of them always comes first or last.
for run in $(seq 1 "$RUNS"); do
  for i in 0 1 2 3; do
    kind=${KINDS[$(((i + run - 1) % 4))]}
    log "round $run of $RUNS: $kind"
    sync_kind "${kind}_r$run" "$EXPORTS/$kind" "${RUN_ID}_${kind}_r$run"
    data_hash "${kind}_r$run"
    sql "DROP SCHEMA ${TABLE%%.*} CASCADE"
  done
done
rm -rf "$EXPORTS"   # disk hygiene: the first export is no longer needed

# 2. A large export in the four forms, synced once each: peak memory must not grow with the file, whatever its form.
BIG_EXPORTS=$RSX_SFTP_DATA_DIR/big
log "2. generating a $BIG_BYTES-byte export and its compressed and encrypted forms"
generate_contacts big_ "$BIG_EXPORTS/plain/$BIG_NAME" --target-bytes "$BIG_BYTES"
make_forms big_ "$BIG_EXPORTS" "$BIG_STEM"
for kind in "${KINDS[@]}"; do
  log "2. large export: $kind"
  sync_kind "big_$kind" "$BIG_EXPORTS/$kind" "${RUN_ID}_big_$kind"
  sql "DROP SCHEMA ${TABLE%%.*} CASCADE"
  rm -rf "${BIG_EXPORTS:?}/$kind"
done

TABLE_TEXT=$(render_table <<'EOF'
from figures import Figures, MB, Table, median, present, rates, ratios, runs_note, stat
f = Figures(__import__("sys").argv[1])
t = Table()
KINDS = [("plain", "plain `.csv`"), ("gz", "`.csv.gz` (gzip -6)"), ("zip", "`.zip` (zip -6, one entry)"),
         ("gpg", "`.csv.gpg` (gpg: encrypted for an RSA-2048 key with a passphrase, signed; AES-256, ZLIB)")]
rows = int(f.num("rows"))

def sizes(prefix):
    parts = []
    for kind, _ in KINDS:
        size = f.num(f"{prefix}{kind}_bytes")
        made = f.num(f"{prefix}{kind}_make_seconds")
        parts.append(f"{kind} {size / MB:,.1f} MB" + ("" if made is None else f" (made in {made:.1f} s)"))
    return "; ".join(parts)

t.row("Contact export", f"{rows:,} rows; " + sizes(""))
plain = rates(rows, f.per_run("plain", "seconds"))
hashes = {f.text(f"{kind}_r{run}_data_hash") for kind, _ in KINDS for run in range(1, f.runs + 1)}
for number, (kind, label) in enumerate(KINDS, start=1):
    seconds = f.per_run(kind, "seconds")
    rate = rates(rows, seconds)
    file_rate = rates(rows, f.per_run(kind, "file_seconds"))
    file_note = f"; file load alone {stat(file_rate, '{:,.0f}', ' rows/s')}" if present(file_rate) else ""
    rss = [kb * 1024 / MB for kb in present(f.per_run(kind, "rss_kb"))]
    to_plain = "" if kind == "plain" else f" = {stat(ratios(rate, plain), unit=' ×')} plain"
    t.row(f"1{'abcd'[number - 1]}. `responsys-cluster sync` of the {label}",
          f"{stat(seconds, unit=' s')}, **{stat(rate, '{:,.0f}', ' rows/s')}**{to_plain}{file_note}; "
          f"peak RSS **{max(rss) if rss else 0:.0f} MB** (largest){runs_note(f, kind)}")
    counts = f.per_run(kind, "count")
    t.row(f"1{'abcd'[number - 1]}. rows in `contact_list` after each sync",
          ", ".join("none" if v is None else f"{int(v):,}" for v in counts), f"= {rows:,}", all(v == rows for v in counts))
same = len(hashes) == 1 and "" not in hashes
t.row("1. values loaded equal in every form and run (data columns, hashed)", "equal" if same else "**different**", "equal", same)

big_rows = int(f.num("big_rows"))
t.row(f"2. large export, one sync of each form", f"{big_rows:,} rows; " + sizes("big_"))
for kind, label in KINDS:
    seconds, rss_kb, file_seconds = f.num(f"big_{kind}_seconds"), f.num(f"big_{kind}_rss_kb"), f.num(f"big_{kind}_file_seconds")
    rss = (rss_kb or 0) * 1024 / MB
    status = "" if f.ok(f"big_{kind}") else f" — **exit status {f.text(f'big_{kind}_status')}**"
    file_note = f"; file load alone {big_rows / file_seconds:,.0f} rows/s" if file_seconds else ""
    count = f.num(f"big_{kind}_count")
    t.row(f"2. sync of the large {label}",
          f"{seconds:.2f} s, {big_rows / seconds:,.0f} rows/s{file_note}; **peak RSS {rss:.0f} MB**; "
          f"{'no' if count is None else f'{int(count):,}'} rows loaded{status}",
          f"RSS < 400 MB, {big_rows:,} rows", rss < 400 and count == big_rows and f.ok(f"big_{kind}"))
print(t)
EOF
)

append_report "sync of compressed and encrypted exports" \
  ".NET $(dotnet --version), $PG_DESCRIPTION, $(ssh -V 2>&1 | cut -d, -f1), gzip $(gzip --version | head -n 1 | awk '{print $2}'), zip $(zip -v | sed -n 's/^This is Zip \([^ ]*\).*/\1/p'), $(gpg --version | head -n 1)" \
  "$TABLE_TEXT"
