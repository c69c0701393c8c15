#!/bin/bash
# Live-migration benchmark (plain main class): two agents (the distribution in two Karafs, a sanlock
# daemon each, one storage domain under /var/tmp), the test guest writing into its thin disk while
# it is migrated back and forth, early attach and the legacy switch alternating in one run. Per
# migration: the guest-visible downtime (destination RESUME - source STOP, QMP event timestamps),
# the storage work inside it, QEMU's own downtime, the attach outside it.
# usage: bench/run-migration.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/migration-<date>.{txt,json,svg}. Needs root (losetup) and the lab.
# A full run (10 migrations per mode) takes about 5 minutes, --quick about 2.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bash lab/install.sh >/dev/null
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.MigrationBenchmark --help ;; esac
bench_require_root "losetup attaches the volume as a loop device"
dist=$(bench_distribution)
out=$(bench_results migration)
echo "results: $out.{txt,json,svg}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.MigrationBenchmark --distribution "$dist" --json "$out.json" "$@" 2>&1 \
  | tee -a "$out.txt"
