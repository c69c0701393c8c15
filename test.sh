#!/bin/bash
# Runs every Headroom test: unit, fuzz (corpus and a short run), integration tests against real
# QEMU, libvirtd, sanlock and the test guest, and Pax Exam tests in Karaf. Installs what the tests
# need first (lab/install.sh). Checks at the end that the suite left the host as it found it:
# libvirt's qemu hook, /run/headroom and the sanlock daemons as they were before (tests install hooks,
# prepare run paths and start daemons).
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
bash lab/install.sh

host_state() {
  if [ -e /etc/libvirt/hooks/qemu ]; then echo "hook: $(sha256sum < /etc/libvirt/hooks/qemu) $(stat -c %a /etc/libvirt/hooks/qemu)"
  else echo "hook: none"; fi
  find /run/headroom -printf '%p %y %m\n' 2>/dev/null | sort || true
  # sanlock daemons by run dir: tests start one per simulated host and must end each of them.
  bash lab/sanlock.sh daemons
}
before=$(host_state)
rc=0
mvn -B -Dstyle.color=never verify "$@" || rc=$?
after=$(host_state)
if [ "$before" != "$after" ]; then
  echo "test.sh: the test suite did not leave the host as it found it (libvirt's qemu hook, /run/headroom, sanlock daemons):" >&2
  diff <(echo "$before") <(echo "$after") >&2 || true
  [ "$rc" = 0 ] && rc=1
else
  echo "test.sh: libvirt's qemu hook, /run/headroom and the sanlock daemons are as they were before the suite"
fi
exit "$rc"
