package org.headroom.mailbox;

import java.util.Locale;

/**
 * The counters of one side of the mailbox at one moment.
 *
 * @param requests         host: requests sent; SPM: requests found in the inbox
 * @param replies          successful replies received (host) or written (SPM)
 * @param failures         failure replies (size 0), received or written
 * @param timeouts         host: requests that got no reply in time
 * @param duplicates       host: identical requests joined to one already in flight
 * @param resends          host: block rewrites because a reply was slow
 * @param adopted          host: requests re-sent after they timed out, joined to the slot still waiting
 * @param rejectedBlocks   SPM: inbox blocks ignored for a bad checksum
 * @param rejectedMessages SPM: messages refused or ignored (malformed, other domain, unknown volume, size out of range)
 * @param scans            SPM: full scans of the inbox
 * @param events           SPM: changes of the events block seen
 * @param errors           I/O or internal errors, each logged; the side retries
 * @param latencyP50Micros host: request → reply; SPM: request seen → reply written
 */
public record MailboxCounters(long requests, long replies, long failures, long timeouts, long duplicates, long resends,
                              long adopted, long rejectedBlocks, long rejectedMessages, long scans, long events,
                              long errors, long latencyP50Micros, long latencyP99Micros) {

    /** A one-line summary for logs and tools. */
    public String summary() {
        return String.format(Locale.ROOT, "requests=%d replies=%d failures=%d timeouts=%d duplicates=%d resends=%d "
                        + "adopted=%d rejectedBlocks=%d rejectedMessages=%d scans=%d events=%d errors=%d latency p50=%dus p99=%dus",
                requests, replies, failures, timeouts, duplicates, resends, adopted, rejectedBlocks, rejectedMessages,
                scans, events, errors, latencyP50Micros, latencyP99Micros);
    }
}
