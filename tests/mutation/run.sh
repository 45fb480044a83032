#!/usr/bin/env bash
# Mutation testing with Stryker.NET (the local tool in .config/dotnet-tools.json), kept out of CI for its run time.
#
#   tests/mutation/run.sh [domain] [postgres] [engine]     (no argument: all three)
#
#   domain     src/ResponsysCluster.Domain under tests/ResponsysCluster.Domain.Tests          (target >= 90 %)
#   postgres   src/ResponsysCluster.Postgres under tests/ResponsysCluster.Postgres.Tests      (target >= 80 %)
#   engine     the bookmark actor and the run protocol: src/ResponsysCluster.Engine/Bookmarks/*.cs and
#              src/ResponsysCluster.Engine/Runs/*.cs under tests/ResponsysCluster.Engine.Tests (target >= 80 %)
#
# postgres and engine run their tests against a real sshd and PostgreSQL: those named by RSX_TEST_SFTP_ENV and
# RSX_TEST_POSTGRES, or else throwaway ones started here with deploy/local/ (as .ci/run does) and stopped on exit.
# Each target's score, overall and per file, goes into tests/mutation/scores.md with the commit and the date;
# Stryker's own reports stay in artifacts/mutation/TARGET/. The exit code is non-zero when a run fails or a
# score is below its target. RSX_MUTATION_CONCURRENCY sets Stryker's parallel test sessions (default 2).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo_root=$(pwd)
scores_file=$repo_root/tests/mutation/scores.md
concurrency=${RSX_MUTATION_CONCURRENCY:-2}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

die() { echo "mutation: $*" >&2; exit 1; }

all_targets=(domain postgres engine)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  case $target in
    domain | postgres | engine) ;;
    *) die "unknown target '$target'; give any of: ${all_targets[*]}" ;;
  esac
done

# Per target: label in scores.md, test project, project to mutate, --mutate globs (none: the whole project), target %.
label_of() {
  case $1 in
    domain) echo "Domain" ;;
    postgres) echo "PostgreSQL project" ;;
    engine) echo "Bookmark actor and run protocol" ;;
  esac
}
test_project_of() {
  case $1 in
    domain) echo tests/ResponsysCluster.Domain.Tests ;;
    postgres) echo tests/ResponsysCluster.Postgres.Tests ;;
    engine) echo tests/ResponsysCluster.Engine.Tests ;;
  esac
}
mutated_project_of() {
  case $1 in
    domain) echo ResponsysCluster.Domain.csproj ;;
    postgres) echo ResponsysCluster.Postgres.csproj ;;
    engine) echo ResponsysCluster.Engine.csproj ;;
  esac
}
scope_of() {
  case $1 in
    domain) echo "src/ResponsysCluster.Domain" ;;
    postgres) echo "src/ResponsysCluster.Postgres" ;;
    engine) echo "src/ResponsysCluster.Engine/Bookmarks/*.cs, src/ResponsysCluster.Engine/Runs/*.cs" ;;
  esac
}
mutate_globs_of() {
  case $1 in
    engine) printf '%s\n' '**/Bookmarks/*.cs' '**/Runs/*.cs' ;;
  esac
}
# Tests left out of a target's runs (a vstest filter; none: all of them). The engine's fault and secrets tests start
# the executable as a child process and load 22 MB files, its cluster-work tests run three node processes each, and
# its sync-command tests run whole syncs against the real servers for every mutant they cover: with them one run takes over an hour on 2 cores (the run protocol is covered
# by its own tests over in-memory ports). The PostgreSQL project's two widest-table cases load tables of 1,500 and
# 1,700 columns, a third of that project's test time, for every mutant of the loader (the overflow itself stays covered
# by the other WideTableTests). Leaving tests out can only lower the score, never raise it.
test_filter_of() {
  case $1 in
    engine) echo 'FullyQualifiedName!~FaultTests&FullyQualifiedName!~SecretsTests&FullyQualifiedName!~SyncCommandTests&FullyQualifiedName!~ClusterWorkTests' ;;
    postgres) echo 'FullyQualifiedName!~Should_load_a_table_wider_than_a_row_keeping_every_value' ;;
  esac
}
goal_of() {
  case $1 in
    domain) echo 90 ;;
    *) echo 80 ;;
  esac
}

# jq reads Stryker's JSON report.
if ! command -v jq >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || die "jq is missing and apt-get is not available to install it"
  echo "mutation: installing jq" >&2
  apt-get install -y -q jq >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q jq >/dev/null; } ||
    die "could not install jq"
fi

dotnet tool restore >/dev/null

# Servers for the integration targets, started only when needed and not given.
work=
started_sftp=0
started_pg=0
cleanup() {
  if ((started_sftp)); then bash "$repo_root/deploy/local/sftp-server.sh" stop "$work/sftp" >/dev/null 2>&1 || true; fi
  if ((started_pg)); then bash "$repo_root/deploy/local/postgres.sh" stop "$work/postgres" >/dev/null 2>&1 || true; fi
  if [[ -n $work ]]; then rm -rf "$work"; fi
}
trap cleanup EXIT
# A signal ends the script through exit, so that the EXIT trap stops the servers.
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_servers() {
  if [[ -n ${RSX_TEST_SFTP_ENV:-} && -n ${RSX_TEST_POSTGRES:-} ]]; then return; fi
  bash deploy/local/install-prereqs.sh
  [[ -n $work ]] || work=$(mktemp -d -t rsx-mutation.XXXXXX)
  if [[ -z ${RSX_TEST_SFTP_ENV:-} ]]; then
    # Each script prints the path of its env file as its last line.
    started_sftp=1
    RSX_TEST_SFTP_ENV=$(bash deploy/local/sftp-server.sh start "$work/sftp" | tail -n 1)
    export RSX_TEST_SFTP_ENV
  fi
  if [[ -z ${RSX_TEST_POSTGRES:-} ]]; then
    started_pg=1
    local pg_env
    pg_env=$(bash deploy/local/postgres.sh start "$work/postgres" --test | tail -n 1)
    RSX_TEST_POSTGRES=$(set -a && source "$pg_env" && printf '%s' "$RSX_POSTGRES")
    export RSX_TEST_POSTGRES
  fi
}

# Runs Stryker for one target; its JSON report ends up in artifacts/mutation/TARGET/reports/.
run_stryker() {
  local target=$1 output=$repo_root/artifacts/mutation/$1
  local args=(--project "$(mutated_project_of "$target")" -c "$concurrency" -r json -r cleartext -r progress --output "$output")
  local glob
  while IFS= read -r glob; do
    [[ -n $glob ]] && args+=(-m "$glob")
  done < <(mutate_globs_of "$target")
  local filter
  filter=$(test_filter_of "$target")
  [[ -z $filter ]] || args+=(--test-case-filter "$filter")
  rm -rf "$output"
  echo "mutation: $target: dotnet stryker ${args[*]}" >&2
  (cd "$(test_project_of "$target")" && dotnet stryker "${args[@]}")
  [[ -f $output/reports/mutation-report.json ]] || die "$target: no report in $output/reports"
}

# Stryker's score: detected (killed or timed out) over detected + undetected (survived or not covered);
# compile errors and ignored mutants do not count.
readonly JQ_COUNTS='
  def counts: reduce .[] as $m ({killed: 0, survived: 0, nocoverage: 0, timeout: 0};
      if $m.status == "Killed" then .killed += 1
      elif $m.status == "Survived" then .survived += 1
      elif $m.status == "NoCoverage" then .nocoverage += 1
      elif $m.status == "Timeout" then .timeout += 1
      else . end);
  def score: (.killed + .timeout) as $d | ($d + .survived + .nocoverage) as $v
      | if $v == 0 then "n/a" else "\(($d * 1000 / $v | round) / 10) %" end;
  def row($name): "| \($name) | \(score) | \(.killed) | \(.timeout) | \(.survived) | \(.nocoverage) |";
'

# Prints "SCORE_PERMILLE|SCORE_TEXT|KILLED|TIMEOUT|SURVIVED|NOCOVERAGE" for a report.
overall_of() {
  jq -r "$JQ_COUNTS"'
    [.files[].mutants[]] | counts
    | (.killed + .timeout) as $d | ($d + .survived + .nocoverage) as $v
    | "\(if $v == 0 then 0 else ($d * 1000 / $v | floor) end)|\(score)|\(.killed)|\(.timeout)|\(.survived)|\(.nocoverage)"' "$1"
}

# The per-file table of a report, paths relative to the repository; files without a counted mutant are left out.
file_rows_of() {
  jq -r --arg root "$repo_root/" "$JQ_COUNTS"'
    .files | to_entries | sort_by(.key)[]
    | (.key | ltrimstr($root)) as $path | .value.mutants | counts
    | select(.killed + .timeout + .survived + .nocoverage > 0) | row("`\($path)`")' "$1"
}

commit=$(git rev-parse --short=12 HEAD)
# Changes outside scores.md mean the figures are not those of the commit alone: say so.
if [[ -n $(git status --porcelain -- . ':!tests/mutation/scores.md') ]]; then
  commit="$commit (with uncommitted changes)"
fi
today=$(date -u +%Y-%m-%d)

# Rewrites scores.md: rows and sections of the targets measured now, the others as they were.
old_summary_row() {
  [[ -f $scores_file ]] && grep -F -m 1 "| $(label_of "$1") |" "$scores_file" || true
}
old_section() {
  [[ -f $scores_file ]] && awk -v b="<!-- begin $1 -->" -v e="<!-- end $1 -->" \
    '$0 == b { on = 1 } on { print } $0 == e { on = 0 }' "$scores_file" || true
}
write_scores() {
  local target row text
  {
    echo "# Mutation scores"
    echo
    echo "Written by \`tests/mutation/run.sh\` (see README.md here). Score: mutants killed or timed out, over those"
    echo "plus the survivors and the mutants no test reaches; compile errors and ignored mutants do not count."
    echo
    echo "| Target | Score | Goal | Killed | Timeout | Survived | No coverage | Commit | Date |"
    echo "|---|---|---|---|---|---|---|---|---|"
    for target in "${all_targets[@]}"; do
      if [[ -n ${summary_row[$target]:-} ]]; then
        echo "${summary_row[$target]}"
      else
        row=$(old_summary_row "$target")
        echo "${row:-| $(label_of "$target") | not measured | ≥ $(goal_of "$target") % | | | | | | |}"
      fi
    done
    for target in "${all_targets[@]}"; do
      if [[ -n ${section[$target]:-} ]]; then
        text=${section[$target]}
      else
        text=$(old_section "$target")
      fi
      if [[ -n $text ]]; then
        echo
        echo "$text"
      fi
    done
  } >"$scores_file.tmp"
  mv "$scores_file.tmp" "$scores_file"
}

declare -A summary_row section
below_goal=()
for target in "${targets[@]}"; do
  if [[ $target != domain ]]; then ensure_servers; fi
  run_stryker "$target"
  report=$repo_root/artifacts/mutation/$target/reports/mutation-report.json
  IFS='|' read -r permille score killed timeout survived nocoverage < <(overall_of "$report")
  goal=$(goal_of "$target")
  label=$(label_of "$target")
  summary_row[$target]="| $label | $score | ≥ $goal % | $killed | $timeout | $survived | $nocoverage | \`$commit\` | $today |"
  section[$target]=$(
    echo "<!-- begin $target -->"
    echo "### $label: $score"
    echo
    echo "\`$(scope_of "$target")\` under \`$(test_project_of "$target")\`, commit \`$commit\`, $today."
    echo
    echo "| File | Score | Killed | Timeout | Survived | No coverage |"
    echo "|---|---|---|---|---|---|"
    file_rows_of "$report"
    echo "<!-- end $target -->"
  )
  echo "mutation: $target: $score (target ≥ $goal %)" >&2
  ((permille >= goal * 10)) || below_goal+=("$target")
  # After each target, so that a later failure keeps what was measured.
  write_scores
  echo "mutation: scores written to ${scores_file#"$repo_root"/}" >&2
done


if ((${#below_goal[@]})); then
  die "below target: ${below_goal[*]}"
fi
