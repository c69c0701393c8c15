#!/bin/bash
# The demo behind ./demo.sh.
#   ./demo.sh          the admin's path through libvirt: README.md's walkthrough, as written there
#                      (lab/walkthrough.sh): the hook installed, libvirtd (re)started, the agent
#                      started, headroom:volume-create, virsh define + start, the extensions live,
#                      headroom:vms and headroom:volumes at the end
#   ./demo.sh --qmp    the same loop with QEMU started by hand and attached over QMP (lab/demo-qmp.sh)
# Both build the distribution first and end whatever they started, also on failure.
set -euo pipefail
ROOT=$(dirname "$(dirname "$(readlink -f "$0")")")
if [ "${1:-}" = "--qmp" ]; then shift; exec "$ROOT/lab/demo-qmp.sh" "$@"; fi
bash "$ROOT/lab/install.sh"
printf '\n\033[1m== %s\033[0m\n' "Building Headroom"
(cd "$ROOT" && mvn -B -q install -DskipTests -DskipITs)
export WALKTHROUGH_WORK=${HEADROOM_DEMO:-/var/tmp/headroom-demo} WALKTHROUGH_LIVE=1 VM=${VM:-headroom-demo}
exec "$ROOT/lab/walkthrough.sh"
