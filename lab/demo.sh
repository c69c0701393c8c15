#!/bin/bash
# The demo behind ./demo.sh. Everything it starts (Karaf, QEMU, a loop device) it ends on exit,
# by PID, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(dirname "$(dirname "$(readlink -f "$0")")")
. "$ROOT/lab/env.sh"
WORK=${HEADROOM_DEMO:-/var/tmp/headroom-demo}
MIB=$((1 << 20))
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash "$ROOT/lab/install.sh"

say "Building Headroom"
(cd "$ROOT" && mvn -B -q install -DskipTests -DskipITs)
dist=$(ls "$ROOT"/distribution/target/headroom-distribution-*.tar.gz | head -1)

rm -rf "$WORK"; mkdir -p "$WORK"
KARAF=$WORK/karaf
mkdir -p "$KARAF"; tar -xzf "$dist" -C "$KARAF" --strip-components=1

loop="" qemu_pid="" karaf_started=""
cleanup() {
  set +e
  if [ -n "$karaf_started" ]; then "$KARAF/bin/stop" >/dev/null 2>&1
    for _ in $(seq 1 100); do pgrep -f "karaf.base=$KARAF" >/dev/null || break; sleep 0.2; done
    p=$(pgrep -f "karaf.base=$KARAF"); [ -n "$p" ] && kill -9 $p; fi
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid"; wait "$qemu_pid" 2>/dev/null; fi
  [ -n "$loop" ] && losetup -d "$loop"
}
trap cleanup EXIT

say "A thin disk: a 1 GiB qcow2 on a 16 MiB volume (loop device over $WORK/lv.img)"
truncate -s $((16 * MIB)) "$WORK/lv.img"
loop=$(losetup --find --show "$WORK/lv.img")
qemu-img create -q -f qcow2 "$loop" 1G
echo "volume $loop: $(blockdev --getsize64 "$loop") bytes"

say "Starting a VM (the test guest, under TCG) that will write 12 MiB at 2 MiB/s"
qemu-system-x86_64 -nodefaults -display none -machine q35 -accel tcg -m 256 -S \
  -kernel "$HEADROOM_LAB/guest/vmlinux" -initrd "$HEADROOM_LAB/guest/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet hr.size=12 hr.rate=2" -serial "file:$WORK/console.log" \
  -qmp "unix:$WORK/qmp.sock,server=on,wait=off" \
  -blockdev "driver=host_device,filename=$loop,aio=native,cache.direct=on,node-name=f0" \
  -blockdev driver=qcow2,file=f0,node-name=q0 \
  -device virtio-blk-pci,drive=q0,id=vd0,werror=enospc >"$WORK/qemu.log" 2>&1 &
qemu_pid=$!

say "Starting Headroom (Karaf) and attaching it to the VM"
printf 'name = demo\nsocket = %s\n' "$WORK/qmp.sock" > "$KARAF/etc/org.headroom.qmp.vm-demo.cfg"
"$KARAF/bin/start"; karaf_started=1
shell() { printf '%s\n' "$1" | "$KARAF/bin/client" -u karaf -p karaf -b 2>/dev/null; }
for _ in $(seq 1 150); do shell "headroom:vms" 2>/dev/null | grep -q demo && break; sleep 0.4; done
echo "karaf@headroom> headroom:vms"; shell "headroom:vms"
echo "karaf@headroom> headroom:drives demo"; shell "headroom:drives demo"

say "Arming a 4 MiB write threshold on the volume's node and letting the guest run"
shell "headroom:qmp demo block-set-write-threshold '{\"node-name\":\"f0\",\"write-threshold\":$((4 * MIB))}'"
shell "headroom:drives demo"
shell "headroom:qmp demo cont" >/dev/null
for _ in $(seq 1 300); do grep -q ThresholdCrossed "$KARAF/data/log/karaf.log" && break; sleep 0.2; done
echo "Headroom's log:"
grep -E 'ThresholdCrossed' "$KARAF/data/log/karaf.log" | sed 's/^/  /'
echo "karaf@headroom> headroom:drives demo   (the threshold fired and disarmed itself)"
shell "headroom:drives demo"

say "Waiting for the guest to finish"
for _ in $(seq 1 300); do grep -q 'hr: DONE' "$WORK/console.log" && break; sleep 0.2; done
grep 'hr: DONE' "$WORK/console.log" || { echo "the guest did not finish"; exit 1; }
echo "Demo done; cleaning up."
