package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MailboxPolicyTest {
    private static long ms(long millis) {
        return Duration.ofMillis(millis).toNanos();
    }

    @Test
    void aWaitingHostPollsFastThenBacksOffToItsMaximum() {
        MailboxPolicy p = MailboxPolicy.HEADROOM;
        assertThat(p.hostPollDelayNanos(0)).isEqualTo(ms(1));
        assertThat(p.hostPollDelayNanos(ms(9))).isEqualTo(ms(1));
        assertThat(p.hostPollDelayNanos(ms(12))).isEqualTo(ms(2));
        assertThat(p.hostPollDelayNanos(ms(20))).isEqualTo(ms(8));
        assertThat(p.hostPollDelayNanos(ms(1000))).isEqualTo(ms(50));
        assertThat(p.hostPollDelayNanos(ms(9), ms(123_456))).as("counted from its write").isEqualTo(ms(1));
    }

    @Test
    void vdsmPollsAtItsEventsIntervalOnItsOwnCadence() {
        assertThat(MailboxPolicy.VDSM.hostPollDelayNanos(0, ms(200))).isEqualTo(ms(300));
        assertThat(MailboxPolicy.VDSM.hostPollDelayNanos(ms(5000), ms(1000))).isEqualTo(ms(500));
        assertThat(MailboxPolicy.LEGACY_HOST.hostWritesEvents()).isFalse();
        assertThat(MailboxPolicy.EVENTS_ONLY.periodicScan()).isFalse();
        assertThat(MailboxPolicy.HEADROOM.periodicScan()).isTrue();
    }

    @Test
    void namesAndNonsense() {
        assertThat(MailboxPolicy.named("vdsm")).isSameAs(MailboxPolicy.VDSM);
        assertThatThrownBy(() -> MailboxPolicy.named("fast")).hasMessageContaining("unknown mailbox policy");
    }
}
