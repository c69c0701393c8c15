#!/bin/bash
# QMP client benchmarks (JMH): query-status round trip against real QEMU, and event dispatch throughput.
# usage: bench/run-qmp.sh [extra JMH options]      results: bench/results/qmp-<date>.{txt,json}
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bash lab/install.sh >/dev/null
bench_build
out=$(bench_results qmp)
# 3 forks x 5 measured iterations; the 2-core machine makes single runs noisy.
java -jar "$bench_jar" 'org.headroom.bench.(QmpRoundTrip|EventDispatch)Benchmark' \
  -f 3 -wi 3 -w 2s -i 5 -r 2s -rf json -rff "$out.json" "$@" | tee "$out.txt"
