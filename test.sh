#!/bin/bash
# Runs every Headroom test: unit tests, integration tests against real QEMU and the test guest,
# and Pax Exam tests in Karaf. Installs what the tests need first (lab/install.sh).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
bash lab/install.sh
mvn -B -Dstyle.color=never verify "$@"
