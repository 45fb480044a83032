# Measuring helpers shared by the benchmarks (sourced). They use the caller's WORK (scratch), LOGS (kept stderr),
# FIGURES (key=value lines) and log().

figure() { printf '%s=%s\n' "$1" "$2" >>"$FIGURES"; }

# Value of KEY in a line of key=value pairs.
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

now() { date +%s.%N; }

# measure NAME CMD...: runs CMD under GNU time; records NAME_seconds, NAME_rss_kb and NAME_status.
# Standard output goes to $MEASURE_STDOUT (default /dev/null), standard error to $LOGS/NAME.log.
measure() {
  local name=$1 start end status=0
  shift
  start=$(now)
  /usr/bin/time -v -o "$WORK/$name.time" "$@" >"${MEASURE_STDOUT:-/dev/null}" 2>"$LOGS/$name.log" || status=$?
  end=$(now)
  figure "${name}_seconds" "$(python3 -c "print(f'{$end - $start:.3f}')")"
  figure "${name}_rss_kb" "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time")"
  figure "${name}_status" "$status"
  if ((status != 0)); then
    log "$name exited with status $status; last lines of its stderr:"
    tail -n 15 "$LOGS/$name.log" >&2
  fi
  return 0
}

# parse_arguments "$@": --rows, --big-bytes, --seed and --help into ROWS, BIG_BYTES and SEED (defaults set by the caller).
parse_arguments() {
  while (($# > 0)); do
    case $1 in
      --rows) ROWS=${2:?--rows needs a value}; shift 2 ;;
      --big-bytes) BIG_BYTES=${2:?--big-bytes needs a value}; shift 2 ;;
      --seed) SEED=${2:?--seed needs a value}; shift 2 ;;
      -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
      *) die "unknown argument: $1 (see --help)" ;;
    esac
  done
  [[ $ROWS =~ ^[0-9]+$ && $ROWS -gt 0 ]] || die "--rows must be a positive number"
  [[ $BIG_BYTES =~ ^[0-9]+$ && $BIG_BYTES -gt 0 ]] || die "--big-bytes must be a positive number"
}

# GNU time measures peak RSS; installed when missing.
ensure_gnu_time() {
  if [[ ! -x /usr/bin/time ]]; then
    log "installing GNU time (for peak RSS)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null ||
      { apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
  fi
}
