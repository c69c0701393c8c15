package org.headroom.mailbox.internal;

import java.util.concurrent.atomic.LongAdder;
import org.headroom.mailbox.MailboxCounters;

/** Counters of one side of the mailbox; read as a {@link MailboxCounters} snapshot. */
final class MailboxStats {
    private final LongAdder requests = new LongAdder();
    private final LongAdder replies = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder resends = new LongAdder();
    private final LongAdder adopted = new LongAdder();
    private final LongAdder rejectedBlocks = new LongAdder();
    private final LongAdder rejectedMessages = new LongAdder();
    private final LongAdder scans = new LongAdder();
    private final LongAdder events = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LatencyRecorder latency = new LatencyRecorder();
    private volatile String lastError = "";

    static final MailboxCounters NONE = new MailboxStats().snapshot();

    void request() {
        requests.increment();
    }

    void reply() {
        replies.increment();
    }

    void failure() {
        failures.increment();
    }

    void timeouts(int n) {
        timeouts.add(n);
    }

    void duplicate() {
        duplicates.increment();
    }

    void resend() {
        resends.increment();
    }

    void adopted() {
        adopted.increment();
    }

    void rejectedBlock() {
        rejectedBlocks.increment();
    }

    void rejectedMessage() {
        rejectedMessages.increment();
    }

    void scan() {
        scans.increment();
    }

    void event() {
        events.increment();
    }

    void error(Throwable t) {
        errors.increment();
        lastError = t.toString();
    }

    void latency(long nanos) {
        latency.record(nanos);
    }

    /** The last error, or "". */
    String lastError() {
        return lastError;
    }

    MailboxCounters snapshot() {
        return new MailboxCounters(requests.sum(), replies.sum(), failures.sum(), timeouts.sum(), duplicates.sum(),
                resends.sum(), adopted.sum(), rejectedBlocks.sum(), rejectedMessages.sum(), scans.sum(), events.sum(),
                errors.sum(), latency.percentileMicros(50), latency.percentileMicros(99));
    }
}
