#!/bin/bash
# End-to-end storage mailbox benchmark (plain main class, not JMH): Headroom's policy against VDSM's
# in the same run, real HostMailbox/SpmMailbox over fresh domains with direct I/O under /var/tmp.
# Scenarios: latency (one host, sequential requests), idle (SPM inbox reads), burst (2000 hosts at once).
# usage: bench/run-mailbox.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/mailbox-<date>.{txt,json}; JAVA_OPTS passes JVM options.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
bench_build
case " $* " in *" --help "*|*" -h "*) exec java -cp "$bench_jar" org.headroom.bench.MailboxBenchmark --help ;; esac
# The burst opens two files per host (2000 hosts: 4000 descriptors and more).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out=$(bench_results mailbox)
echo "open files limit: $(ulimit -n); results: $out.{txt,json}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$bench_jar" org.headroom.bench.MailboxBenchmark --json "$out.json" "$@" 2>&1 | tee -a "$out.txt"
