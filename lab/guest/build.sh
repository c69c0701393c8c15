#!/bin/bash
# Builds the test guest into $HEADROOM_LAB/guest: Debian's kernel (unpacked from its package, not
# installed on the host) as an uncompressed vmlinux, which boots by PVH under TCG in about half the
# time of the bzImage, and an initramfs of busybox-static, the virtio modules and ./init.
# Idempotent: rebuilds only when ./init or this script is newer than the output.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
. "$HERE/../env.sh"
OUT=$HEADROOM_LAB/guest
mkdir -p "$OUT"

if [ ! -s "$OUT/vmlinux" ] || [ ! -d "$OUT/kernel/lib/modules" ]; then
  work=$(mktemp -d); chmod 755 "$work"; trap 'rm -rf "$work"' EXIT
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
  if [ -z "$pkg" ]; then apt-get update -qq; pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}'); fi
  (cd "$work" && apt-get download -qq "$pkg")
  rm -rf "$OUT/kernel"; mkdir -p "$OUT/kernel"
  dpkg -x "$work"/*.deb "$OUT/kernel"
  vmlinuz=$(ls "$OUT"/kernel/boot/vmlinuz-* | head -1)
  # The bzImage carries the kernel as an xz stream; vmlinux is that stream decompressed.
  off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -1 | cut -d: -f1)
  tail -c +$((off + 1)) "$vmlinuz" | xz -dcq > "$OUT/vmlinux.tmp" 2>/dev/null || true
  [ -s "$OUT/vmlinux.tmp" ] || { echo "guest: could not unpack $vmlinuz" >&2; exit 1; }
  mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
  rm -rf "$OUT/kernel/boot" "$OUT/kernel/usr"
fi

if [ ! -s "$OUT/initramfs.cpio.gz" ] || [ "$HERE/init" -nt "$OUT/initramfs.cpio.gz" ] || [ "$0" -nt "$OUT/initramfs.cpio.gz" ]; then
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
  cp /bin/busybox "$root/bin/busybox"
  mknod -m 600 "$root/dev/console" c 5 1
  for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
    ko=$(find "$OUT/kernel/lib/modules" -name "$m.ko*" | head -1)
    [ -n "$ko" ] || { echo "guest: module $m not found" >&2; exit 1; }
    cp "$ko" "$root/lib/modules/$m.ko"
  done
  install -m 755 "$HERE/init" "$root/init"
  (cd "$root" && find . | cpio -o -H newc -R 0:0 --quiet | gzip -9) > "$OUT/initramfs.cpio.gz.tmp"
  mv "$OUT/initramfs.cpio.gz.tmp" "$OUT/initramfs.cpio.gz"
  rm -rf "$root"
fi
echo "guest: $OUT/vmlinux $OUT/initramfs.cpio.gz"
