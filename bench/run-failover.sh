#!/bin/bash
# The SPM failover time, as SpmFailoverIT measures it (bundles/lease): three processes, the SPM
# (agent and sanlock daemon) SIGKILLed with 500 extend requests in flight from 50 mailbox hosts;
# the time until the other candidate serves, and whether every request was answered once.
# usage: bench/run-failover.sh [--runs N]    results: bench/results/failover-<date>.txt
# It follows from sanlock's host_dead (8 io timeouts + watchdog_fire_timeout, 60 s) at the test's
# io timeout of 1 s: expect about 68 s a run. Needs root and sanlock (lab/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/common.sh
runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-failover.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bench_require_root "sanlock daemons"
bash lab/install.sh >/dev/null
out=$(bench_results failover)
mvn -B -o -q install -pl bundles/lease -am -DskipTests -DskipITs
for i in $(seq 1 "$runs"); do
  rm -f bundles/lease/target/failsafe-reports/failsafe-summary.xml
  mvn -B -o verify -pl bundles/lease -Dtest=NoSuch -Dsurefire.failIfNoSpecifiedTests=false \
      -Dit.test=SpmFailoverIT -Dfailsafe.failIfNoSpecifiedTests=false -Dfuzz.test=NoSuch 2>&1 \
    | grep -E '^SPM failover:|Tests run: 1,' | head -2 | sed "s/^/run $i: /" | tee -a "$out.txt"
done
echo "results: $out.txt"
