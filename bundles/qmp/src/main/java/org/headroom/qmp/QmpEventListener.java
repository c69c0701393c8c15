package org.headroom.qmp;

/**
 * Receives a connection's events, in the order QEMU sent them, on a thread of the client's
 * dispatcher (never the reader's, so a slow listener cannot hold up replies).
 */
@FunctionalInterface
public interface QmpEventListener {

    void onEvent(QmpEvent event);

    /**
     * This listener fell behind and its queue overflowed: the oldest {@code count} events were
     * dropped. A listener that keeps state from events must re-read it from QEMU.
     */
    default void onEventsDropped(long count) {
    }

    /** The connection went up or down; events sent while it was down are lost. */
    default void onConnectionState(QmpClient.State state) {
    }
}
