package org.headroom.mailbox.internal;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one side of the mailbox; what {@code headroom:mailbox} and JMX show. */
public final class MailboxStats {
    /** Host: requests sent. SPM: requests found in the inbox. */
    public final LongAdder requests = new LongAdder();
    /** Host: successful replies received. SPM: successful replies written. */
    public final LongAdder replies = new LongAdder();
    /** Failure replies (size 0), sent or received. */
    public final LongAdder failures = new LongAdder();
    /** Host: requests that got no reply in time. */
    public final LongAdder timeouts = new LongAdder();
    /** Host: identical requests joined to one in flight. */
    public final LongAdder duplicates = new LongAdder();
    /** Host: block rewrites because a reply was slow. */
    public final LongAdder resends = new LongAdder();
    /** SPM: inbox blocks ignored for a bad checksum. */
    public final LongAdder rejectedBlocks = new LongAdder();
    /** SPM: messages refused or ignored: malformed, other domain, unknown volume, size out of range. */
    public final LongAdder rejectedMessages = new LongAdder();
    /** SPM: full scans of the inbox. */
    public final LongAdder scans = new LongAdder();
    /** SPM: changes of the events block seen. */
    public final LongAdder events = new LongAdder();
    /** Host: request → reply. SPM: request seen → reply written. */
    public final LatencyRecorder latency = new LatencyRecorder();

    /** A one-line summary for logs and tools. */
    public String summary() {
        return String.format("requests=%d replies=%d failures=%d timeouts=%d duplicates=%d resends=%d rejectedBlocks=%d "
                        + "rejectedMessages=%d scans=%d events=%d latency p50=%dus p99=%dus",
                requests.sum(), replies.sum(), failures.sum(), timeouts.sum(), duplicates.sum(), resends.sum(),
                rejectedBlocks.sum(), rejectedMessages.sum(), scans.sum(), events.sum(),
                latency.percentileMicros(50), latency.percentileMicros(99));
    }
}
