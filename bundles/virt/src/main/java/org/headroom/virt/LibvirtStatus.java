package org.headroom.virt;

/**
 * The libvirt adapter's connection and figures since it started.
 *
 * @param uri           the libvirt URI it connects to
 * @param problem       why it is not connected (the last connection error, the reason it broke), or ""
 * @param vms           libvirt's active VMs it knows
 * @param reconnects    connections re-established after libvirtd went away
 * @param eventsIgnored threshold events not acted on: the unindexed twin of a {@code vda[N]} event,
 *                      or one of a backing image
 * @param eventsDropped libvirt events dropped because the adapter's queue was full; their VMs were
 *                      told that events were lost, so that their drives are read again
 * @param callsRefused  calls (read drives, arm, pause, resume) refused because the call queue was full
 */
public record LibvirtStatus(String uri, State state, String problem, int vms, long reconnects, long eventsIgnored,
                            long eventsDropped, long callsRefused) {

    /** Where the connection is. */
    public enum State {
        /** Not connected yet: libvirtd is not up, or the first attempt is under way. */
        CONNECTING,
        CONNECTED,
        /** libvirtd went away (or stopped answering keepalives): VMs unreachable, reconnecting. */
        DISCONNECTED,
        /**
         * A thread of the adapter failed (libvirt's event loop died, a task threw something
         * unexpected): the connection is closed and no VM is served until the bundle is restarted.
         */
        BROKEN,
        CLOSED
    }
}
