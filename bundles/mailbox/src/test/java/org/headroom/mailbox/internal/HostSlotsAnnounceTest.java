package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.headroom.mailbox.codec.Message;
import org.junit.jupiter.api.Test;

/** Which block writes need an event: requests and CLEANs do, freeing a slot does not. */
class HostSlotsAnnounceTest {
    @Test
    void onlyWritesTheSpmMustActOnAreAnnounced() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        slots.written();
        byte[] request = Message.encodeExtend(UUID.randomUUID(), UUID.randomUUID(), 5);
        slots.submit(request, "caller", 0);
        assertThat(slots.announce()).isTrue();
        slots.written();

        byte[] outbox = new byte[4096];
        System.arraycopy(request, 0, outbox, 0, 64);
        slots.onOutbox(outbox);
        assertThat(slots.announce()).as("CLEAN").isTrue();
        slots.written();

        System.arraycopy(Message.clean(), 0, outbox, 0, 64);
        slots.onOutbox(outbox);
        assertThat(slots.dirty()).isTrue();
        assertThat(slots.announce()).as("freeing the slot").isFalse();
    }
}
