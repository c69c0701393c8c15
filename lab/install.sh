#!/bin/bash
# Installs the real components Headroom runs and is tested against, on Debian 12 as root.
# Idempotent: re-running it changes nothing that is already in place, and skips apt when
# every package is present.
#   QEMU 7.2 + qemu-utils, libvirtd 9.0 (qemu driver, virsh), sanlock 3.8 (+ libsanlock-dev),
#   the test guest (Debian's kernel + a busybox initramfs), and the two settings this machine needs:
#   libvirt running QEMU as root without cgroups/security drivers, and a setrlimit shim for sanlock.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
. "$HERE/env.sh"

PACKAGES="qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
  sanlock libsanlock-dev gcc libc6-dev busybox-static cpio xz-utils kmod util-linux procps"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "lab: installing$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# libvirt-daemon without libvirt-daemon-system: the compiled-in qemu user must exist.
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
  useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

# This machine has no usable cgroup controllers or security drivers for libvirt; QEMU runs as root
# so that it can open loop devices, and its stdio goes to a file (no virtlogd here).
# The directories libvirtd writes to; a package set without libvirt-daemon-system lacks some.
mkdir -p /etc/libvirt/hooks /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu
qemu_conf='user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
stdio_handler = "file"
cgroup_controllers = [ ]'
if [ "$(cat /etc/libvirt/qemu.conf 2>/dev/null)" != "$qemu_conf" ]; then
  printf '%s\n' "$qemu_conf" > /etc/libvirt/qemu.conf
fi

# sanlock raises its rlimits at start and needs CAP_SYS_RESOURCE for that, which this sandbox lacks:
# the shim reports EPERM from setrlimit as success, so the daemon runs with the limits it has.
mkdir -p "$HEADROOM_LAB"
if [ ! -f "$HEADROOM_LAB/setrlimit-shim.so" ] || [ "$HERE/setrlimit-shim.c" -nt "$HEADROOM_LAB/setrlimit-shim.so" ]; then
  gcc -shared -fPIC -O2 -o "$HEADROOM_LAB/setrlimit-shim.so" "$HERE/setrlimit-shim.c" -ldl
fi

# The test guest.
"$HERE/guest/build.sh"
echo "lab: ready ($(qemu-system-x86_64 --version | head -1); $(libvirtd --version); $(sanlock version 2>&1 | head -1))"
