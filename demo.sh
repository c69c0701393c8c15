#!/bin/bash
# The Headroom demo: one host, a real QEMU VM whose thin disk lives on a loop device (our stand-in
# for an LV), attached by the Headroom distribution running in Karaf.
# Installs what it needs (lab/install.sh), builds the distribution, runs, and cleans up after itself.
set -euo pipefail
ROOT=$(dirname "$(readlink -f "$0")")
cd "$ROOT"
export HEADROOM_DEMO=${HEADROOM_DEMO:-/var/tmp/headroom-demo}
exec "$ROOT/lab/demo.sh" "$@"
