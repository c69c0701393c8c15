#!/bin/bash
# Starts and stops the lab's libvirtd (the system daemon, qemu:///system), for tests and the demo.
#   lab/libvirtd.sh start|stop|restart|status
# Only the daemon this script started (its pid file) is ever stopped. A libvirtd started otherwise
# makes `start` fail: tests must not take over, or end, a daemon they did not start.
# The qemu hook must be in place before the start (hooks/install.sh): libvirtd looks for it then.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
. "$HERE/env.sh"
PIDFILE=$HEADROOM_LAB/run/libvirtd.pid
V="virsh -c qemu:///system"

ours() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

start() {
  if ours; then return 0; fi
  local other; other=$(pgrep -x libvirtd | head -1 || true)
  if [ -n "$other" ]; then
    echo "libvirtd.sh: a libvirtd not started by the lab is running (pid $other); stop it first" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$PIDFILE")"
  # One CPU: this machine's two vCPUs report different CPUID, which makes libvirt re-probe QEMU
  # (about 8 s) at random.
  taskset -c 0 libvirtd -d -p "$PIDFILE"
  for _ in $(seq 1 1500); do
    $V version >/dev/null 2>&1 && return 0
    sleep 0.02
  done
  echo "libvirtd.sh: libvirtd did not come up in 30 s" >&2
  exit 1
}

stop() {
  ours || { rm -f "$PIDFILE"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid"
  for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop; start ;;
  status) if ours; then echo "running, pid $(cat "$PIDFILE")"; else echo "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
