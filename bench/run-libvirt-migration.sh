#!/bin/bash
# Live migration under libvirt (plain main class): two libvirtd, each in a mount namespace of its
# own (lab/libvirtd-host.sh) with its agent's Karaf, `virsh migrate --live --p2p` back and forth, the
# test guest writing into its thin disk. Per migration: the guest-visible downtime (destination
# RESUME - source STOP, QMP event timestamps via virsh qemu-monitor-event), the destination's
# attach in its prepare hook (outside the downtime), virsh migrate's wall time.
# usage: bench/run-libvirt-migration.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/libvirt-migration-<date>.{txt,json}. Needs root and the lab; no other libvirtd
# is disturbed (each host's daemon has its own sockets and pid file).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bash lab/install.sh >/dev/null
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.LibvirtMigrationBenchmark --help ;; esac
bench_require_root "losetup, and the libvirtd of each simulated host"
dist=$(bench_distribution)
out=$(bench_results libvirt-migration)
echo "results: $out.{txt,json}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.LibvirtMigrationBenchmark --distribution "$dist" --json "$out.json" "$@" 2>&1 \
  | tee -a "$out.txt"
