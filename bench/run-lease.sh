#!/bin/bash
# Storage jobs against the lease they run under (plain main class, not JMH), with a sanlock daemon
# of its own (lab/sanlock.sh; SANLOCK_RUN_DIR below, so that no other daemon is disturbed).
#   job: a no-op storage job against a bare acquire + release of the same volume lease, alternating.
# usage: bench/run-lease.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/lease-<date>.{txt,json}. Needs root and sanlock (lab/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bash lab/install.sh >/dev/null
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.LeaseBenchmark --help ;; esac
bench_require_root "the sanlock daemon"
out=$(bench_results lease)
echo "results: $out.{txt,json}" | tee "$out.txt"
export SANLOCK_RUN_DIR=/tmp/headroom-bench-sanlock/host1
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.LeaseBenchmark --json "$out.json" "$@" 2>&1 | tee -a "$out.txt"
