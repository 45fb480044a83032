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
