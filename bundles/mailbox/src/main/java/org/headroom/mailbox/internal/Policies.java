package org.headroom.mailbox.internal;

import java.time.Duration;

/** Applies configuration overrides to a {@link MailboxPolicy} preset. */
final class Policies {
    private Policies() {
    }

    static MailboxPolicy from(MailboxConfig config) {
        MailboxPolicy p = MailboxPolicy.named(config.policy());
        boolean events = config.events__enable().isBlank() ? p.spmReadsEvents() : Boolean.parseBoolean(config.events__enable().trim());
        Duration idle = config.events__interval__ms() > 0 ? Duration.ofMillis(config.events__interval__ms()) : p.eventsIntervalIdle();
        Duration active = p.eventsIntervalActive().compareTo(idle) > 0 ? idle : p.eventsIntervalActive();
        Duration scan = config.scan__interval__ms() >= 0 ? Duration.ofMillis(config.scan__interval__ms()) : p.scanInterval();
        Duration timeout = config.request__timeout__ms() > 0 ? Duration.ofMillis(config.request__timeout__ms()) : p.requestTimeout();
        if (!events && scan.isZero()) {
            throw new IllegalArgumentException("events disabled and no periodic scan: no request would ever be served");
        }
        return new MailboxPolicy(p.name(), events, events, idle, active, p.activeHold(), p.eventsReadSmallest(),
                scan, scan.isZero() ? scan : p.legacyScanInterval().compareTo(scan) > 0 ? scan : p.legacyScanInterval(),
                p.legacyHold(), p.hostPollMin(), p.hostPollFast(), p.hostPollMax(), p.hostTicksFixed(),
                p.resendInterval(), p.requestTimeout()).withRequestTimeout(timeout);
    }
}
