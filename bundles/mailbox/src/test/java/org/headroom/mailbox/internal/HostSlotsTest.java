package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.Message;
import org.junit.jupiter.api.Test;

class HostSlotsTest {
    private static final UUID DOMAIN = UUID.randomUUID();
    private static final UUID VOLUME = UUID.randomUUID();

    private static byte[] outboxWith(int slot, byte[] message) {
        byte[] outbox = new byte[4096];
        System.arraycopy(message, 0, outbox, slot * 64, 64);
        return outbox;
    }

    private static byte[] slot(byte[] block, int slot) {
        return java.util.Arrays.copyOfRange(block, slot * 64, slot * 64 + 64);
    }

    @Test
    void aRequestGoesThroughReplyAndTheCleanHandshake() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        byte[] request = Message.encodeExtend(DOMAIN, VOLUME, 100);
        assertThat(slots.submit(request, "caller", 5)).isEqualTo(new HostSlots.Submitted.Added<String>(0));
        assertThat(slots.dirty()).isTrue();
        assertThat(Checksum.valid(slots.block())).isTrue();
        assertThat(slot(slots.block(), 0)).isEqualTo(request);
        slots.written();

        assertThat(slots.onOutbox(new byte[4096])).isEmpty();
        assertThat(slots.dirty()).isFalse();

        List<HostSlots.Reply<String>> replies = slots.onOutbox(outboxWith(0, request));
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).token()).isEqualTo("caller");
        assertThat(replies.get(0).sizeMiB()).isEqualTo(100);
        assertThat(replies.get(0).sentAtNanos()).isEqualTo(5);
        assertThat(slot(slots.block(), 0)).isEqualTo(Message.clean());
        assertThat(slots.requested()).isZero();
        assertThat(slots.busy()).as("waiting for the CLEAN echo").isTrue();
        slots.written();

        assertThat(slots.onOutbox(outboxWith(0, request))).as("the same reply is not delivered twice").isEmpty();
        assertThat(slots.onOutbox(outboxWith(0, Message.clean()))).isEmpty();
        assertThat(slot(slots.block(), 0)).containsOnly(0);
        assertThat(slots.busy()).isFalse();
        assertThat(Checksum.valid(slots.block())).isTrue();
    }

    @Test
    void aFailureReplyHasSizeZero() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        slots.submit(Message.encodeExtend(DOMAIN, VOLUME, 100), "caller", 0);
        List<HostSlots.Reply<String>> replies = slots.onOutbox(outboxWith(0, Message.encodeExtend(DOMAIN, VOLUME, 0)));
        assertThat(replies).extracting(HostSlots.Reply::sizeMiB).containsExactly(0L);
    }

    @Test
    void aReplyForAnotherVolumeIsNotOurs() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        slots.submit(Message.encodeExtend(DOMAIN, VOLUME, 100), "caller", 0);
        assertThat(slots.onOutbox(outboxWith(0, Message.encodeExtend(DOMAIN, UUID.randomUUID(), 100)))).isEmpty();
        assertThat(slots.requested()).isEqualTo(1);
    }

    @Test
    void identicalRequestsInFlightAreJoined() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        byte[] request = Message.encodeExtend(DOMAIN, VOLUME, 100);
        slots.submit(request, "first", 0);
        assertThat(slots.submit(request, "second", 1)).isEqualTo(new HostSlots.Submitted.Duplicate<>(0, "first"));
        assertThat(slots.submit(Message.encodeExtend(DOMAIN, VOLUME, 200), "bigger", 2))
                .isEqualTo(new HostSlots.Submitted.Added<String>(1));
    }

    @Test
    void beyondTheLimitItIsFull() {
        HostSlots<Integer> slots = new HostSlots<>(3);
        slots.start(new byte[4096]);
        for (int i = 0; i < 3; i++) {
            assertThat(slots.submit(Message.encodeExtend(DOMAIN, UUID.randomUUID(), 1), i, 0))
                    .isInstanceOf(HostSlots.Submitted.Added.class);
        }
        assertThat(slots.submit(Message.encodeExtend(DOMAIN, UUID.randomUUID(), 1), 9, 0))
                .isInstanceOf(HostSlots.Submitted.Full.class);
    }

    @Test
    void staleRepliesFromBeforeARestartAreCleanedBeforeTheirSlotIsReused() {
        HostSlots<String> slots = new HostSlots<>(63);
        byte[] stale = Message.encodeExtend(DOMAIN, VOLUME, 100);
        slots.start(outboxWith(0, stale));
        assertThat(slot(slots.block(), 0)).isEqualTo(Message.clean());
        assertThat(slots.submit(stale, "new", 0)).as("slot 0 is being cleaned").isEqualTo(new HostSlots.Submitted.Added<String>(1));
        assertThat(slots.onOutbox(outboxWith(0, stale))).as("the stale reply answers nobody").isEmpty();
    }

    @Test
    void timedOutRequestsAreAbandonedButStillHandshake() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        byte[] request = Message.encodeExtend(DOMAIN, VOLUME, 100);
        slots.submit(request, "caller", 10);
        assertThat(slots.requestedBefore(5)).isEmpty();
        assertThat(slots.requestedBefore(11)).containsExactly(0);
        slots.abandon(0);
        List<HostSlots.Reply<String>> replies = slots.onOutbox(outboxWith(0, request));
        assertThat(replies).hasSize(1);
        assertThat(replies.get(0).token()).isNull();
        assertThat(slot(slots.block(), 0)).isEqualTo(Message.clean());
    }

    @Test
    void onlyWrittenSlotsAwaitTheSpm() {
        HostSlots<String> slots = new HostSlots<>(63);
        slots.start(new byte[4096]);
        slots.written();
        assertThat(slots.awaitsSpm()).isFalse();
        byte[] request = Message.encodeExtend(DOMAIN, VOLUME, 100);
        slots.submit(request, "caller", 0);
        assertThat(slots.awaitsSpm()).as("not written yet: no reply can be on storage").isFalse();
        slots.written();
        assertThat(slots.awaitsSpm()).isTrue();
        slots.onOutbox(outboxWith(0, request));
        assertThat(slots.awaitsSpm()).as("CLEAN not written yet").isFalse();
        slots.written();
        assertThat(slots.awaitsSpm()).as("waiting for the CLEAN echo").isTrue();
        slots.onOutbox(outboxWith(0, Message.clean()));
        assertThat(slots.awaitsSpm()).isFalse();
    }
}
