#!/bin/bash
# Runs README.md's walkthrough ("A libvirt VM with a thin disk") as it is written there, line for
# line, for the demo and for the test that checks the README (ReadmeWalkthroughIT).
#   lab/walkthrough.sh            run it; ends whatever it started, also on failure
#   lab/walkthrough.sh --print    print the script it would run
# It runs in directories of its own: HEADROOM_HOME=$WORK/headroom, STORAGE=$WORK/storage, with
# WORK=${WALKTHROUGH_WORK:-/var/tmp/headroom-walkthrough} (emptied first), and VM=${VM:-headroom-walkthrough}.
# Where libvirtd and sanlock are no systemd services (this lab, CI), `systemctl restart libvirtd` is
# lab/libvirtd.sh restart and `systemctl start sanlock` is lab/sanlock.sh start /run/sanlock, unless a
# daemon answers there already. WALKTHROUGH_LIVE=1 shows each extension live from the agent's log.
# On exit it destroys and undefines the VM, stops the agent (by PID if it must), stops the libvirtd
# and the sanlock daemon it started, detaches loop devices of its storage and puts back the qemu hook that was there before:
# the host is left as it was found.
set -euo pipefail
ROOT=$(dirname "$(dirname "$(readlink -f "$0")")")
cd "$ROOT"
. lab/env.sh

script() {
  awk '/<!-- walkthrough:begin -->/ {on = 1; next} /<!-- walkthrough:end -->/ {on = 0} on' README.md |
    grep -v '^```' |
    sed -E 's/^# ([0-9]+\. .*)$/printf "\\n\\033[1m== %s\\033[0m\\n" "\1"/'
}
if [ "${1:-}" = "--print" ]; then script; exit 0; fi
body=$(script)
[ -n "$body" ] || { echo "walkthrough.sh: no walkthrough block in README.md" >&2; exit 2; }

WORK=${WALKTHROUGH_WORK:-/var/tmp/headroom-walkthrough}
export HEADROOM_HOME=$WORK/headroom STORAGE=$WORK/storage VM=${VM:-headroom-walkthrough}
rm -rf "$WORK"; mkdir -p "$WORK/bin"

hook=/etc/libvirt/hooks/qemu
if [ -e "$hook" ]; then cp -p "$hook" "$WORK/hook.before"; fi
libvirtd_was_ours=0; bash lab/libvirtd.sh status >/dev/null 2>&1 && libvirtd_was_ours=1
run_was_there=0; [ -e /run/headroom ] && run_was_there=1
# A daemon that answers at /run/sanlock before the walkthrough (a system service's) is left alone.
sanlock_was_there=0; bash lab/sanlock.sh answers /run/sanlock >/dev/null 2>&1 && sanlock_was_there=1
if [ ! -d /run/systemd/system ]; then
  cat > "$WORK/bin/systemctl" <<EOF
#!/bin/sh
if [ "\$*" = "restart libvirtd" ]; then exec "$ROOT/lab/libvirtd.sh" restart; fi
if [ "\$*" = "start sanlock" ]; then exec "$ROOT/lab/sanlock.sh" ensure /run/sanlock "headroom-\$(hostname -s)" >/dev/null; fi
echo "walkthrough: no systemd here; systemctl \$* is not available" >&2; exit 1
EOF
  chmod +x "$WORK/bin/systemctl"
  export PATH=$WORK/bin:$PATH
fi

body_pid=""
cleanup() {
  local rc=$?
  set +e
  [ -n "$body_pid" ] && kill "$body_pid" 2>/dev/null
  if virsh -q -c qemu:///system dominfo "$VM" >/dev/null 2>&1; then
    virsh -q -c qemu:///system destroy "$VM" >/dev/null 2>&1
    virsh -q -c qemu:///system undefine "$VM" >/dev/null 2>&1
  fi
  if [ -x "$HEADROOM_HOME/bin/stop" ] && pgrep -f "karaf.base=$HEADROOM_HOME" >/dev/null; then
    "$HEADROOM_HOME/bin/stop" >/dev/null 2>&1
    for _ in $(seq 1 100); do pgrep -f "karaf.base=$HEADROOM_HOME" >/dev/null || break; sleep 0.2; done
    for pid in $(pgrep -f "karaf.base=$HEADROOM_HOME"); do kill -9 "$pid"; done
  fi
  [ "$libvirtd_was_ours" = 0 ] && bash lab/libvirtd.sh stop >/dev/null 2>&1
  if [ "$sanlock_was_there" = 0 ] && [ ! -d /run/systemd/system ]; then
    bash lab/sanlock.sh stop /run/sanlock >/dev/null 2>&1
  else
    # A daemon that is not ours keeps the lockspaces the agent left joined: leave those of our storage.
    for ls in $(SANLOCK_RUN_DIR=/run/sanlock timeout 10 /usr/sbin/sanlock client gets 2>/dev/null | awk '$1 == "s" {print $2}'); do
      case $ls in *":$STORAGE/"*) SANLOCK_RUN_DIR=/run/sanlock timeout 60 /usr/sbin/sanlock client rem_lockspace -s "$ls" >/dev/null 2>&1 ;; esac
    done
  fi
  for dev in $(losetup -a 2>/dev/null | grep -F "$STORAGE/" | cut -d: -f1); do losetup -d "$dev"; done
  if [ -e "$WORK/hook.before" ]; then cp -p "$WORK/hook.before" "$hook"; else rm -f "$hook"; fi
  rm -f "/tmp/$VM.xml" "/var/log/libvirt/qemu/$VM-console.log"
  # The distribution's run paths and hook socket are under /run/headroom: gone with the agent, unless they were there before.
  [ "$run_was_there" = 0 ] && rm -rf /run/headroom
  [ "${WALKTHROUGH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

if [ "${WALKTHROUGH_LIVE:-0}" = 1 ]; then
  # --pid: the tail ends with this script, whatever happens.
  tail --pid=$$ -n 0 -F "$HEADROOM_HOME/data/log/karaf.log" 2>/dev/null |
    grep --line-buffered -E 'extended |failed:|ran out of space' | sed -u 's/^.*| //' &
fi
bash -euo pipefail -c "$body" &
body_pid=$!
wait "$body_pid"
