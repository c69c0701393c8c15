#!/bin/bash
# The QMP demo behind ./demo.sh --qmp: Headroom as one host that is also the SPM, a storage domain in a local
# directory, and a real QEMU VM (the test guest, under TCG) writing into a thin qcow2 disk on a
# loop-device volume that starts at one chunk. Every extension shows live with its timings.
# The agent is the SPM by holding the domain's SDM lease, through a sanlock daemon of the demo's own.
# Everything it starts (Karaf, QEMU, sanlock, a loop device) it ends on exit, by PID, also on failure.
#   HEADROOM_DEMO   work directory (default /var/tmp/headroom-demo)
#   DEMO_CHUNK_MB   the chunk (default 1024 MiB; Headroom's and VDSM's default is 2560)
#   DEMO_WRITE_MB   how much the guest writes (default 4 chunks)
set -euo pipefail
ROOT=$(dirname "$(dirname "$(readlink -f "$0")")")
. "$ROOT/lab/env.sh"
WORK=${HEADROOM_DEMO:-/var/tmp/headroom-demo}
CHUNK=${DEMO_CHUNK_MB:-1024}
WRITE=${DEMO_WRITE_MB:-$((4 * CHUNK))}
DOMAIN=3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10
IMAGE=$(cat /proc/sys/kernel/random/uuid)
VOLUME=$(cat /proc/sys/kernel/random/uuid)
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

bash "$ROOT/lab/install.sh"

say "Building Headroom"
(cd "$ROOT" && mvn -B -q install -DskipTests -DskipITs)
dist=$(ls "$ROOT"/distribution/target/headroom-distribution-*.tar.gz | head -1)

rm -rf "$WORK"; mkdir -p "$WORK"
KARAF=$WORK/karaf
mkdir -p "$KARAF"; tar -xzf "$dist" -C "$KARAF" --strip-components=1

loop="" qemu_pid="" karaf_started="" tail_pid="" sanlock_started=""
run_was_there=0; [ -e /run/headroom ] && run_was_there=1
cleanup() {
  set +e
  [ -n "$tail_pid" ] && pkill -P $$ -x tail 2>/dev/null
  if [ -n "$karaf_started" ]; then "$KARAF/bin/stop" >/dev/null 2>&1
    for _ in $(seq 1 100); do pgrep -f "karaf.base=$KARAF" >/dev/null || break; sleep 0.2; done
    p=$(pgrep -f "karaf.base=$KARAF"); [ -n "$p" ] && kill -9 $p; fi
  if [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null; then kill "$qemu_pid"; wait "$qemu_pid" 2>/dev/null; fi
  [ -n "$loop" ] && losetup -d "$loop"
  [ -n "$sanlock_started" ] && bash "$ROOT/lab/sanlock.sh" stop "$SANLOCK_RUN_DIR"
  # The distribution's run paths are under /run/headroom: gone with the agent, unless they were there before.
  [ "$run_was_there" = 0 ] && rm -rf /run/headroom
}
trap cleanup EXIT

say "Storage: domain $DOMAIN in $WORK/storage, one thin volume of one chunk ($CHUNK MiB)"
"$ROOT/lab/mailbox-tool" create-volume --root "$WORK/storage" --domain "$DOMAIN" --backend loop \
  --image "$IMAGE" --volume "$VOLUME" --size "$CHUNK" 2>/dev/null
file=$WORK/storage/$DOMAIN/images/$IMAGE/$VOLUME
loop=$(losetup --find --show --direct-io=on "$file")
qemu-img create -q -f qcow2 "$loop" 100G
echo "volume $VOLUME active as $loop: $(($(blockdev --getsize64 "$loop") >> 20)) MiB, a 100 GiB qcow2 on it"

say "Starting a VM (the test guest) that will write $WRITE MiB as fast as it can"
qemu-system-x86_64 -nodefaults -display none -machine q35 -accel tcg -m 256 -S \
  -kernel "$HEADROOM_LAB/guest/vmlinux" -initrd "$HEADROOM_LAB/guest/initramfs.cpio.gz" \
  -append "console=ttyS0 quiet hr.size=$WRITE hr.rate=0" -serial "file:$WORK/console.log" \
  -qmp "unix:$WORK/qmp.sock,server=on,wait=off" \
  -blockdev "driver=host_device,filename=$loop,aio=native,cache.direct=on,node-name=f0" \
  -blockdev driver=qcow2,file=f0,node-name=q0 \
  -device virtio-blk-pci,drive=q0,id=vd0,werror=enospc,rerror=report >"$WORK/qemu.log" 2>&1 &
qemu_pid=$!

say "Starting sanlock (the demo's own daemon) and Headroom (Karaf): host 1, volume monitor with $CHUNK MiB chunks"
export SANLOCK_RUN_DIR=$WORK/sanlock
bash "$ROOT/lab/sanlock.sh" start "$SANLOCK_RUN_DIR" headroom-demo >/dev/null; sanlock_started=1
sed -i "s|^root = .*|root = $WORK/storage|" "$KARAF/etc/org.headroom.storage.cfg"
sed -i "s|^chunk_mb = .*|chunk_mb = $CHUNK|" "$KARAF/etc/org.headroom.thinextend.cfg"
printf 'name = demo\nsocket = %s\n' "$WORK/qmp.sock" > "$KARAF/etc/org.headroom.qmp.vm-demo.cfg"
"$KARAF/bin/start"; karaf_started=1
shell() { printf '%s\n' "$1" | "$KARAF/bin/client" -u karaf -p karaf -b 2>/dev/null; }
echo "waiting for the SPM role: the SDM lease, once sanlock has joined the lockspace (20 to 50 s)"
for _ in $(seq 1 300); do shell "headroom:mailbox" | grep -q 'SPM of hosts' && break; sleep 0.4; done
echo "karaf@headroom> headroom:spm"; shell "headroom:spm"
for _ in $(seq 1 150); do shell "headroom:volumes" | grep -q armed && break; sleep 0.4; done
echo "karaf@headroom> headroom:vms"; shell "headroom:vms"
echo "karaf@headroom> headroom:volumes"; shell "headroom:volumes"

say "Running the guest; each extension as Headroom logs it"
log=$KARAF/data/log/karaf.log
# --pid: the tail ends with this script, whatever happens (it must not outlive the demo).
tail --pid=$$ -n 0 -F "$log" 2>/dev/null | grep --line-buffered -E 'extended|failed|ENOSPC|OutOfSpace' | sed -u 's/^.*| //' &
tail_pid=$!
shell "headroom:qmp demo cont" >/dev/null
start=$(date +%s)
while ! grep -q 'hr: DONE' "$WORK/console.log" 2>/dev/null; do
  kill -0 "$qemu_pid" 2>/dev/null || { echo "QEMU exited early"; exit 1; }
  [ $(($(date +%s) - start)) -gt 900 ] && { echo "the guest did not finish in 15 minutes"; exit 1; }
  sleep 0.5
done
sleep 0.5; pkill -P $$ -x tail 2>/dev/null; tail_pid=""

say "Summary"
grep 'hr: DONE' "$WORK/console.log"
echo "karaf@headroom> headroom:volumes"; shell "headroom:volumes"
echo "karaf@headroom> headroom:mailbox"; shell "headroom:mailbox"
wait "$qemu_pid" 2>/dev/null || true; qemu_pid=""
echo "qemu-img check: $(qemu-img check -f qcow2 "$loop" 2>&1 | tail -1)"
pauses=$(shell "headroom:volumes" | sed -n 's/.* \([0-9]*\) pauses.*/\1/p')
echo "The guest wrote $WRITE MiB into a volume that started at $CHUNK MiB, and paused $pauses times."
