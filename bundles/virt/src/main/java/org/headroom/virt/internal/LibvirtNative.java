package org.headroom.virt.internal;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The libvirt calls libvirt-java lacks, bound through JNA to the same {@code libvirt.so.0}:
 * arming a block threshold and the BLOCK_THRESHOLD event, plus the state reason and disk errors
 * that tell a pause for lack of space from any other pause.
 */
interface LibvirtNative extends Library {

    LibvirtNative INSTANCE = Native.load("virt", LibvirtNative.class);

    /** {@code VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD}. */
    int EVENT_ID_BLOCK_THRESHOLD = 24;
    /** {@code VIR_DOMAIN_PAUSED_IOERROR}: the reason of a VM paused by werror/error_policy. */
    int PAUSED_IOERROR = 5;

    /** {@code VIR_DOMAIN_PAUSED_MIGRATION}: paused for a migration; on the destination, until it lands. */
    int PAUSED_MIGRATION = 2;
    /** {@code VIR_DOMAIN_DISK_ERROR_NO_SPACE}. */
    int DISK_ERROR_NO_SPACE = 2;
    /** {@code VIR_UUID_STRING_BUFLEN}. */
    int UUID_STRING_BUFLEN = 37;

    /** {@code virConnectDomainEventBlockThresholdCallback}. */
    interface BlockThresholdCallback extends Callback {
        void invoke(Pointer conn, Pointer domain, String dev, String path, long threshold, long excess, Pointer opaque);
    }

    /** The message of this thread's last libvirt error, or a generic one: for the exceptions of calls bound here. */
    String virGetLastErrorMessage();

    int virDomainSetBlockThreshold(Pointer domain, String dev, long threshold, int flags);

    int virConnectDomainEventRegisterAny(Pointer conn, Pointer domain, int eventId, Callback callback,
                                         Pointer opaque, Pointer freeCallback);

    int virConnectDomainEventDeregisterAny(Pointer conn, int callbackId);

    Pointer virDomainLookupByName(Pointer conn, String name);

    int virDomainFree(Pointer domain);

    String virDomainGetName(Pointer domain);

    int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);

    /** With {@code errors} null and {@code maxErrors} 0: how many disks have an error. */
    int virDomainGetDiskErrors(Pointer domain, Pointer errors, int maxErrors, int flags);
}
