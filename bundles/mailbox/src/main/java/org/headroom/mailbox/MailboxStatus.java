package org.headroom.mailbox;

/**
 * This host's mailbox at one moment.
 *
 * @param spm            whether this host serves the SPM side now
 * @param host           the host side's counters
 * @param spmSide        the SPM side's counters (zeros when not the SPM)
 * @param inProcess      this SPM host's own requests, served without the mailbox (zeros when not the SPM)
 * @param spmBytesRead   inbox bytes the SPM side read since it started
 * @param spmBytesReadPerSecond over about the last 20 s
 * @param health         "ok", or what is wrong (the last I/O error of either side)
 */
public record MailboxStatus(String domain, String policy, int hostId, boolean spm, int maxHostId,
                            MailboxCounters host, MailboxCounters spmSide, MailboxCounters inProcess,
                            long spmBytesRead, double spmBytesReadPerSecond, String health) {
}
