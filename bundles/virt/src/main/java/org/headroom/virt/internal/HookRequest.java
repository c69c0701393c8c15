package org.headroom.virt.internal;

/**
 * One call of libvirt's qemu hook, as the hook forwards it: {@code qemu <guest> <op> <subop> <extra>}
 * with the domain XML that libvirt gave on stdin.
 */
public record HookRequest(String guest, String op, String subop, String extra, String xml) {
}
