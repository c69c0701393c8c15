#!/bin/bash
# A libvirtd of its own for one simulated host, so that two can run on this machine and migrate
# VMs between them (libvirt >= 6.8 migrates over UNIX sockets: docs/migration.rst, "migrating
# between two containers on the same host").
#   lab/libvirtd-host.sh start <dir> <host uuid> [<hook socket>]   prints the daemon's URI
#   lab/libvirtd-host.sh stop <dir>                                 its domains destroyed, then the daemon
#   lab/libvirtd-host.sh uri <dir>
#   lab/libvirtd-host.sh exec <dir> <command>...                   runs it in the host's mount namespace
# The daemon runs in a mount namespace of its own where /run/libvirt, /var/lib/libvirt,
# /var/cache/libvirt and /etc/libvirt are <dir>/{run,lib,cache,etc} (a copy of this machine's
# /etc/libvirt with host_uuid set: libvirt refuses to migrate to a host with its own UUID), and
# /run/headroom is <dir>/headroom: each host its own run paths, at the same place on every host,
# as a domain XML needs them. A Karaf started with `exec` is that host's agent (qemu:///system is
# its host's daemon). /tmp, /dev and the storage are shared, as a LUN is. With a hook socket, Headroom's qemu hook is
# installed in <dir>/etc/hooks, calling the agent at that socket. Only the daemon of <dir> (its pid
# file, checked to be a libvirtd) is ever stopped.
# Verified here: `virsh -c <uri A> migrate --live --p2p tiny --desturi <uri B>
# --migrateuri unix:///tmp/mig/qemu.sock` moved a running domain from A to B in 1.7 s.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
usage() { echo "usage: $0 start <dir> <host uuid> [<hook socket>] | stop <dir> | uri <dir> | exec <dir> <command>..." >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$(readlink -m "$2")
uri="qemu+unix:///system?socket=$dir/run/libvirt-sock"

pid_of() {
  local pid
  [ -f "$dir/pid" ] || return 0
  pid=$(tr -dc 0-9 < "$dir/pid")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = libvirtd ] && echo "$pid"
  return 0
}

case $cmd in
  start)
    [ $# -ge 3 ] || usage
    host_uuid=$3
    [ -z "$(pid_of)" ] || { echo "$uri"; exit 0; }
    mkdir -p "$dir"/{run,lib,cache,etc,headroom} /run/headroom
    cp -a /etc/libvirt/. "$dir/etc/"
    touch "$dir/etc/libvirtd.conf"   # absent unless libvirt-daemon-system installed it
    sed -i '/^host_uuid/d' "$dir/etc/libvirtd.conf"
    echo "host_uuid = \"$host_uuid\"" >> "$dir/etc/libvirtd.conf"
    if [ $# -ge 4 ]; then
      # Quiet unless it fails: it warns of a running libvirtd, which is another host's.
      out=$(HEADROOM_HOOK_FILE="$dir/etc/hooks/qemu" "$HERE/../hooks/install.sh" --socket "$4" --force 2>&1) \
        || { echo "$out" >&2; exit 1; }
    fi
    # One CPU, as lab/libvirtd.sh: this machine's two vCPUs report different CPUID.
    unshare -m --propagation private sh -c "mount --bind '$dir/run' /run/libvirt && mount --bind '$dir/lib' /var/lib/libvirt \
      && mount --bind '$dir/cache' /var/cache/libvirt && mount --bind '$dir/etc' /etc/libvirt \
      && mount --bind '$dir/headroom' /run/headroom \
      && exec taskset -c 0 libvirtd -d -p '$dir/pid'"
    for _ in $(seq 1 1500); do
      virsh -c "$uri" version >/dev/null 2>&1 && { echo "$uri"; exit 0; }
      sleep 0.02
    done
    echo "libvirtd-host.sh: the libvirtd of $dir did not come up in 30 s" >&2
    exit 1
    ;;
  stop)
    pid=$(pid_of)
    [ -n "$pid" ] || exit 0
    for dom in $(virsh -c "$uri" list --name 2>/dev/null); do virsh -c "$uri" destroy "$dom" >/dev/null 2>&1 || true; done
    kill "$pid"
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    rm -f "$dir/pid"
    ;;
  uri) echo "$uri" ;;
  exec)
    [ $# -ge 3 ] || usage
    pid=$(pid_of)
    [ -n "$pid" ] || { echo "libvirtd-host.sh: the libvirtd of $dir is not running" >&2; exit 1; }
    shift 2
    exec nsenter -t "$pid" -m -- "$@"
    ;;
  *) usage ;;
esac
