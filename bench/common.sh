# What bench/run-*.sh share; sourced from the repository's top directory.
#   bench_build            builds the benchmarks' jar when it is missing or older than the sources it is made of
#                          (HEADROOM_BENCH_BUILD=no: run the jar as it is, e.g. for a series of runs of one build)
#   bench_require_root W   exits 2 unless root, saying why (W)
#   bench_results NAME     makes bench/results and prints bench/results/NAME-<date>, the stem of a run's files
#   bench_distribution     prints the distribution's tar.gz, built first when missing or older than its sources
bench_jar=bench/target/benchmarks.jar
bench_mvn_lock=/tmp/headroom-mvn.lock

# Whether this shell runs under the Maven lock already (flock /tmp/headroom-mvn.lock bench/run-x.sh):
# taking it a second time would wait for ever.
bench_lock_held() {
  local ino holders p h
  ino=$(stat -c %i "$bench_mvn_lock" 2>/dev/null) || return 1
  holders=$(awk -v ino="$ino" '$2 == "FLOCK" { n = split($6, f, ":"); if (f[n] == ino) print $5 }' /proc/locks 2>/dev/null)
  [ -n "$holders" ] || return 1
  p=$$
  while [ -n "$p" ] && [ "$p" -gt 1 ]; do
    for h in $holders; do
      [ "$h" = "$p" ] && return 0
    done
    p=$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')
  done
  return 1
}

bench_build() {
  if [ -f "$bench_jar" ]; then
    [ "${HEADROOM_BENCH_BUILD:-}" = no ] && return 0
    [ -z "$(find pom.xml bench/pom.xml bench/src testing/src bundles/runtime/src bundles/api/src bundles/qmp/src \
        bundles/storage/src bundles/mailbox/src bundles/thin-extend/src bundles/virt/src \
        -newer "$bench_jar" -type f -print -quit 2>/dev/null)" ] && return 0
  fi
  local lock=()
  if command -v flock >/dev/null && ! bench_lock_held; then
    lock=(flock "$bench_mvn_lock")
  fi
  "${lock[@]}" mvn -q -B -o install -pl bench -am -DskipTests -DskipITs \
    || "${lock[@]}" mvn -q -B install -pl bench -am -DskipTests -DskipITs
}

bench_require_root() {
  if [ "$(id -u)" != 0 ]; then
    echo "$(basename "$0"): needs root ($1)" >&2
    exit 2
  fi
}

bench_results() {
  mkdir -p bench/results
  echo "bench/results/$1-$(date +%Y%m%d-%H%M%S)"
}

bench_distribution() {
  local dist
  dist=$(ls -t distribution/target/headroom-distribution-*.tar.gz 2>/dev/null | head -1)
  if [ -z "$dist" ] || [ -n "$(find bundles/*/src features.xml distribution/src -newer "$dist" -type f -print -quit)" ]; then
    mvn -q -B -o install -pl distribution -am -DskipTests -DskipITs >&2 || mvn -q -B install -pl distribution -am -DskipTests -DskipITs >&2
    dist=$(ls -t distribution/target/headroom-distribution-*.tar.gz | head -1)
  fi
  echo "$dist"
}
