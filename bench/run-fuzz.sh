#!/bin/bash
# The long fuzzing campaign: every Jazzer target (bundles/*/src/test/**/*FuzzTest.java, the decoders
# of what crosses a process boundary) for at least 10 million executions, each from its committed
# corpus alone (libFuzzer -runs, no time limit), through the same failsafe execution `fuzz` that
# mvn verify runs for 8 s a target.
#   per target: executions, seconds, exec/s, crashes (inputs written: crash-, timeout-, oom-),
#   coverage as libFuzzer counts it at the end (cov: edges, ft: features) and the corpus it grew.
# usage: bench/run-fuzz.sh [--runs N] [--lanes 1|2] [TargetClass ...]
#   --runs   executions per target (10000000)
#   --lanes  targets run at once (2 on this 2-core machine: exec/s are then those of two fuzzers
#            sharing the cores)
# results: bench/results/fuzz-<date>.txt (the table), bench/results/fuzz-<date>/<Target>.log
# (libFuzzer's output); an input that failed is kept in <module>/target/fuzz-bench/<Target>/.
# Holds the Maven lock (/tmp/headroom-mvn.lock) for its whole run, an hour or more: builds wait.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
args=("$@")
runs=10000000
lanes=2
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --lanes) lanes=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run-fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) only+=("$1"); shift ;;
  esac
done
if command -v flock >/dev/null && ! bench_lock_held; then
  exec flock "$bench_mvn_lock" "$0" "${args[@]}"
fi

# module class, one line per target
targets=$(find bundles -path '*/src/test/java/*' -name '*FuzzTest.java' | sort | while read -r f; do
  module=${f%%/src/test/*}; class=$(basename "$f" .java)
  if [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $class "* ]]; then echo "$module $class"; fi
done)
[ -n "$targets" ] || { echo "run-fuzz.sh: no such target: ${only[*]}" >&2; exit 2; }
modules=$(echo "$targets" | awk '{print $1}' | sort -u | tr '\n' ',' | sed 's/,$//')

out=$(bench_results fuzz)
mkdir -p "$out"
mvn -B -o -q install -pl "testing,$modules" -am -DskipTests -DskipITs

# One target: libFuzzer's output in its log; prints "target module executions seconds exec/s crashes cov ft corpus".
fuzz_one() {
  local module=$1 class=$2 log=$out/$2.log dir=$PWD/$1/target/fuzz-bench/$2 rc=0
  rm -rf "$dir"
  mvn -B -o -pl "$module" failsafe:integration-test@fuzz failsafe:verify@fuzz -Dfuzz.test="$class" \
      -Dfuzz.runs="$runs" -Dfuzz.seconds=0 -Dfuzz.fork.timeout=0 -Dfuzz.dir="$dir" >"$log" 2>&1 || rc=$?
  local done_line execs secs rate crashes
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  crashes=$(find "$dir" -maxdepth 1 \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) 2>/dev/null | wc -l)
  if [ "$rc" != 0 ] && [ "$crashes" = 0 ]; then crashes="failed(rc=$rc)"; fi
  echo "$class $module ${execs:--} ${secs:--} ${rate:--} $crashes" \
    "$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\) corp: \([^ ]*\).*/\1 \2 \3/p')"
}

# Lanes take the next target from one queue, so that the slow targets spread over them.
echo "$targets" >"$out/queue"
next_target() { flock "$out/queue.lock" sh -c 'head -1 "$1"; sed -i 1d "$1"' _ "$out/queue"; }
started=$(date -u +%FT%TZ)
for lane in $(seq 1 "$lanes"); do
  (
    # Jazzer unpacks its agent when a JVM starts: two starting at once have broken each other's copy.
    sleep $(( (lane - 1) * 20 ))
    while target=$(next_target) && [ -n "$target" ]; do
      # shellcheck disable=SC2086
      result=$(fuzz_one $target)
      echo "$result" >>"$out/lane-$lane.results"
      echo "done: $result"
    done
  ) &
done
wait

{
  echo "bench/run-fuzz.sh --runs $runs --lanes $lanes ${only[*]}"
  echo "started $started, ended $(date -u +%FT%TZ); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- bundles testing || echo ' (with local changes)')"
  echo "$(nproc) cores; $(java -version 2>&1 | head -1); Jazzer 0.24.0 (libFuzzer)"
  echo
  printf '%-22s %-16s %12s %8s %8s %8s %6s %6s %s\n' target module executions seconds exec/s crashes cov ft corpus
  cat "$out"/lane-*.results | sort | while read -r class module execs secs rate crashes cov ft corp; do
    printf '%-22s %-16s %12s %8s %8s %8s %6s %6s %s\n' "$class" "${module#bundles/}" "$execs" "$secs" "$rate" "$crashes" \
      "${cov:--}" "${ft:--}" "${corp:--}"
  done
} | tee "$out.txt"
rm -f "$out"/lane-*.results "$out/queue" "$out/queue.lock"
# exit status: 0 when every target ran to its end without a crash
awk 'NR > 5 && ($6 != "0" || $3 == "-") {bad = 1} END {exit bad}' "$out.txt"
