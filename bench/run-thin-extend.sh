#!/bin/bash
# End-to-end thin-extend benchmark (plain main class, not JMH): real QEMU running the test guest, which
# writes into a thin qcow2 on a loop-device volume; the volume monitor, the host mailbox and the SPM in
# one JVM, every extension through the real mailbox (direct I/O) under /var/tmp. Headroom's policies
# against VDSM's in the same run. Scenarios: latency (chunk 128 MiB), sweep (write rates at 64 MiB,
# against the limit of a fully allocated volume), chunks (smallest chunk with no pause at full rate).
# usage: bench/run-thin-extend.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/thin-extend-<date>.{txt,json,svg}; JAVA_OPTS passes JVM options.
# Needs root (losetup) and the lab (lab/install.sh: QEMU and the test guest). TCG only: a full run
# takes about 10 minutes, --quick about 3.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.ThinExtendBenchmark --help ;; esac
bench_require_root "losetup attaches the volumes as loop devices"
lab=${HEADROOM_LAB:-/var/lib/headroom-lab}
if [ ! -f "$lab/guest/vmlinux" ] || [ ! -f "$lab/guest/initramfs.cpio.gz" ] || ! command -v qemu-system-x86_64 >/dev/null; then
  echo "run-thin-extend.sh: the lab is missing (QEMU, or the test guest in $lab/guest): run lab/install.sh" >&2
  exit 2
fi
out=$(bench_results thin-extend)
echo "results: $out.{txt,json,svg}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.ThinExtendBenchmark --json "$out.json" --svg "$out.svg" "$@" 2>&1 \
  | tee -a "$out.txt"
