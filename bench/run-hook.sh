#!/bin/bash
# What Headroom's qemu hook adds to a VM's start (plain main class, not JMH).
#   calls:   the hook binary (hooks/qemu-hook.c) run as libvirt runs it against the agent's receiver,
#            wall time per operation beside a bare process start and the agent-down path;
#   libvirt: virsh start + destroy under a real libvirtd (lab/libvirtd.sh), Headroom's hook against
#            a do-nothing hook, alternating; the difference of the medians is what the hook adds.
# usage: bench/run-hook.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/hook-<date>.{txt,json}. Needs root and the lab (lab/install.sh); the libvirt
# scenario needs no other libvirtd running, and leaves /etc/libvirt/hooks/qemu as Headroom's hook.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.HookBenchmark --help ;; esac
bench_require_root "loop devices, libvirtd, the hook file"
out=$(bench_results hook)
echo "results: $out.{txt,json}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.HookBenchmark --json "$out.json" "$@" 2>&1 | tee -a "$out.txt"
