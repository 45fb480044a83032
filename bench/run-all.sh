#!/usr/bin/env bash
# Every benchmark of bench/results.md, in one go: bench/tap-benchmark.sh, then bench/sync-benchmark.sh, each
# appending its entry (median and min–max of R runs, the commit, the command) to the results file.
#
#   bench/run-all.sh [--rows N] [--big-bytes B] [--runs R] [--seed S] [--results FILE]
#
# Without options it runs the full-size benchmarks (1,000,000 rows, a 1 GiB export, 3 runs) into
# bench/results.md, which needs a clean tree; about 10 minutes on 2 cores. The options go to both scripts, e.g.
#   bench/run-all.sh --rows 20000 --big-bytes 20000000 --results /tmp/bench-results.md   # a quick check
# Run it on an otherwise idle machine, as root: the figures are wall-clock times.
set -euo pipefail

case ${1:-} in -h | --help) sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;; esac
here=$(dirname "${BASH_SOURCE[0]}")
bash "$here/tap-benchmark.sh" "$@"
bash "$here/sync-benchmark.sh" "$@"
