#!/bin/bash
# End-to-end storage mailbox benchmark (plain main class, not JMH): Headroom's policy against VDSM's
# in the same run, real HostMailbox/SpmMailbox over fresh domains with direct I/O under /var/tmp.
# Scenarios: latency (one host, sequential requests), idle (SPM inbox reads), burst (2000 hosts at once).
# usage: bench/run-mailbox.sh [--quick] [--KEY VALUE ...]   (--help lists the keys)
# results: bench/results/mailbox-<date>.{txt,json}; JAVA_OPTS passes JVM options.
set -euo pipefail
cd "$(dirname "$0")/.."
jar=bench/target/benchmarks.jar
# Build when the jar is missing or older than the sources it is made of.
if [ ! -f "$jar" ] || [ -n "$(find bench/pom.xml bench/src bundles/api/src bundles/storage/src bundles/mailbox/src \
      -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
  lock=(); command -v flock >/dev/null && lock=(flock /tmp/headroom-mvn.lock)
  "${lock[@]}" mvn -q -B -o install -pl bench -am -DskipTests -DskipITs \
    || "${lock[@]}" mvn -q -B install -pl bench -am -DskipTests -DskipITs
fi
case " $* " in *" --help "*|*" -h "*) exec java -cp "$jar" org.headroom.bench.MailboxBenchmark --help ;; esac
# The burst opens two files per host (2000 hosts: 4000 descriptors and more).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
mkdir -p bench/results
out=bench/results/mailbox-$(date +%Y%m%d-%H%M%S)
echo "open files limit: $(ulimit -n); results: $out.{txt,json}" | tee "$out.txt"
# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -cp "$jar" org.headroom.bench.MailboxBenchmark --json "$out.json" "$@" 2>&1 | tee -a "$out.txt"
