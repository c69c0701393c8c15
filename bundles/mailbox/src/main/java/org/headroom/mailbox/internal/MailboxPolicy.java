package org.headroom.mailbox.internal;

import java.time.Duration;

/**
 * How often each side of the mailbox reads and writes: the whole of the timing, so that the same
 * code runs as VDSM does (the baseline every benchmark compares against) or as Headroom does.
 *
 * @param name                 "headroom", "vdsm", "events-only", "legacy-host"
 * @param hostWritesEvents     a host writes a new events block after each write of its own block
 * @param spmReadsEvents       the SPM reads the events block and scans when it changed
 * @param eventsIntervalIdle   how often the SPM reads the events block when nothing happens
 * @param eventsIntervalActive ... while requests are being served, and for {@code activeHold} after
 * @param activeHold           how long the SPM stays in the active rhythm after the last message
 * @param eventsReadSmallest   read only the device's smallest direct read (512 B) of the events block; VDSM reads 4 KiB
 * @param scanInterval         the periodic full scan that serves hosts without events; zero: events only
 * @param legacyScanInterval   the full scan while hosts without events have been seen recently
 * @param legacyHold           how long "recently" is
 * @param hostPollMin          a waiting host reads its outbox block this often at first...
 * @param hostPollFast         ...for this long after writing its block...
 * @param hostPollMax          ...then backs off, doubling, up to this
 * @param hostTicksFixed       a waiting host reads its outbox on a fixed cadence of its own (VDSM's mailbox
 *                             thread), not counted from its write
 * @param resendInterval       a host rewrites its block (and an event) when a request got no reply for this
 *                             long; doubled after every resend that got no reply
 * @param requestTimeout       a request with no reply for this long fails
 */
public record MailboxPolicy(String name, boolean hostWritesEvents, boolean spmReadsEvents,
                            Duration eventsIntervalIdle, Duration eventsIntervalActive, Duration activeHold,
                            boolean eventsReadSmallest, Duration scanInterval, Duration legacyScanInterval,
                            Duration legacyHold, Duration hostPollMin, Duration hostPollFast, Duration hostPollMax,
                            boolean hostTicksFixed, Duration resendInterval, Duration requestTimeout) {

    /**
     * Headroom's default: the SPM reads 512 bytes of the events block every 5 ms when idle and
     * every millisecond while busy; a full scan every 2 s, as VDSM's, serves hosts that write no
     * events (older VDSM hosts) no later than VDSM's own SPM would. A waiting host reads its outbox
     * block every millisecond for 10 ms, then backs off to 50 ms.
     */
    public static final MailboxPolicy HEADROOM = new MailboxPolicy("headroom", true, true,
            Duration.ofMillis(5), Duration.ofMillis(1), Duration.ofSeconds(1), true,
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMinutes(10),
            Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(50), false,
            Duration.ofSeconds(1), Duration.ofSeconds(60));

    /**
     * VDSM 4.5 with events enabled: events block (4 KiB) every 0.5 s, full scan every 2 s, a
     * waiting host's mailbox thread reads its outbox every events_interval (0.5 s) on its own cadence.
     */
    public static final MailboxPolicy VDSM = new MailboxPolicy("vdsm", true, true,
            Duration.ofMillis(500), Duration.ofMillis(500), Duration.ZERO, false,
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ZERO,
            Duration.ofMillis(500), Duration.ZERO, Duration.ofMillis(500), true,
            Duration.ofSeconds(10), Duration.ofSeconds(60));

    /** Headroom's timing without the periodic scan, for pools whose hosts all write events. */
    public static final MailboxPolicy EVENTS_ONLY = new MailboxPolicy("events-only", true, true,
            HEADROOM.eventsIntervalIdle, HEADROOM.eventsIntervalActive, HEADROOM.activeHold, true,
            Duration.ZERO, Duration.ZERO, Duration.ZERO,
            HEADROOM.hostPollMin, HEADROOM.hostPollFast, HEADROOM.hostPollMax, false,
            HEADROOM.resendInterval, HEADROOM.requestTimeout);

    /** A host as VDSM before events: writes no events, reads its outbox every 2 s. */
    public static final MailboxPolicy LEGACY_HOST = new MailboxPolicy("legacy-host", false, false,
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ZERO, false,
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ZERO,
            Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(2), true,
            Duration.ofSeconds(10), Duration.ofSeconds(60));

    public MailboxPolicy {
        for (Duration d : new Duration[] {eventsIntervalIdle, eventsIntervalActive, hostPollMin, hostPollMax, resendInterval, requestTimeout}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("mailbox policy " + name + ": intervals must be positive: " + d);
            }
        }
        if (scanInterval.isNegative() || hostPollFast.isNegative() || hostPollMax.compareTo(hostPollMin) < 0) {
            throw new IllegalArgumentException("mailbox policy " + name + ": inconsistent intervals");
        }
    }

    public static MailboxPolicy named(String name) {
        return switch (name) {
            case "headroom" -> HEADROOM;
            case "vdsm" -> VDSM;
            case "events-only" -> EVENTS_ONLY;
            case "legacy-host" -> LEGACY_HOST;
            default -> throw new IllegalArgumentException("unknown mailbox policy " + name
                    + " (headroom, vdsm, events-only, legacy-host)");
        };
    }

    /** This policy with another request timeout (and a resend interval no longer than it). */
    public MailboxPolicy withRequestTimeout(Duration timeout) {
        return new MailboxPolicy(name, hostWritesEvents, spmReadsEvents, eventsIntervalIdle, eventsIntervalActive,
                activeHold, eventsReadSmallest, scanInterval, legacyScanInterval, legacyHold, hostPollMin, hostPollFast,
                hostPollMax, hostTicksFixed, resendInterval.compareTo(timeout) > 0 ? timeout : resendInterval, timeout);
    }

    public boolean periodicScan() {
        return !scanInterval.isZero();
    }

    /**
     * How long a waiting host sleeps before its next read of the outbox, {@code waited} after its
     * last write and {@code running} after it started.
     */
    public long hostPollDelayNanos(long waitedNanos, long runningNanos) {
        if (hostTicksFixed) {
            long interval = hostPollMax.toNanos();
            return interval - Math.floorMod(runningNanos, interval);
        }
        return hostPollDelayNanos(waitedNanos);
    }

    long hostPollDelayNanos(long waitedNanos) {
        long min = hostPollMin.toNanos();
        long fast = hostPollFast.toNanos();
        if (waitedNanos < fast) {
            return min;
        }
        long delay = min;
        long sinceFast = waitedNanos - fast;
        // Double for every doubling of the time past the fast phase, up to the maximum.
        while (delay < hostPollMax.toNanos() && sinceFast > delay) {
            sinceFast -= delay;
            delay *= 2;
        }
        return Math.min(delay, hostPollMax.toNanos());
    }
}
