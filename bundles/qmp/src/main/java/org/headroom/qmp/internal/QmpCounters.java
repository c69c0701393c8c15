package org.headroom.qmp.internal;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one client counted since it was made, over all its connections. Written by the layers
 * (connection, session, dispatcher); read only as the client's immutable {@code Stats}.
 */
public final class QmpCounters {
    final LongAdder commands = new LongAdder();
    final LongAdder replies = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder timeouts = new LongAdder();
    final LongAdder lateReplies = new LongAdder();
    final LongAdder unreadableReplies = new LongAdder();
    final LongAdder events = new LongAdder();
    final LongAdder droppedEvents = new LongAdder();
    final LongAdder garbage = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder connects = new LongAdder();

    public long commands() {
        return commands.sum();
    }

    public long replies() {
        return replies.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long timeouts() {
        return timeouts.sum();
    }

    public long lateReplies() {
        return lateReplies.sum();
    }

    public long unreadableReplies() {
        return unreadableReplies.sum();
    }

    public long events() {
        return events.sum();
    }

    public long droppedEvents() {
        return droppedEvents.sum();
    }

    public long garbage() {
        return garbage.sum();
    }

    public long attempts() {
        return attempts.sum();
    }

    public long connects() {
        return connects.sum();
    }

    /** A connection attempt began. */
    public void countAttempt() {
        attempts.increment();
    }

    /** A connection completed its handshake. */
    public void countConnect() {
        connects.increment();
    }

    /** A line that answered nothing and was skipped. */
    public void countGarbage() {
        garbage.increment();
    }
}
