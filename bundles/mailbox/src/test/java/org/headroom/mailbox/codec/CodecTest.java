package org.headroom.mailbox.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.headroom.mailbox.internal.HostSlots;
import org.junit.jupiter.api.Test;

class CodecTest {
    private static final UUID DOMAIN = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");
    private static final UUID VOLUME = UUID.fromString("d1b2c3a4-0000-4000-8000-000000000001");

    @Test
    void checksumVectorsFromTheSpec() {
        byte[] block = new byte[4096];
        assertThat(Checksum.compute(block)).isZero();

        for (int slot = 0; slot < 63; slot++) {
            System.arraycopy(Message.clean(), 0, block, slot * 64, 64);
        }
        Checksum.seal(block);
        assertThat(Checksum.compute(block)).isEqualTo(4032);
        assertThat(Arrays.copyOfRange(block, 4092, 4096)).containsExactly(0xc0, 0x0f, 0x00, 0x00);

        byte[] ones = new byte[4096];
        Arrays.fill(ones, 0, 4092, (byte) 0xff);
        assertThat(Checksum.compute(ones)).isEqualTo(1043460);
    }

    @Test
    void anExtendRequestIsTheSpecsBytes() {
        byte[] m = Message.encodeExtend(DOMAIN, VOLUME, 0x1400);
        String expected = HexFormat.of().formatHex("1xtnd".getBytes(StandardCharsets.US_ASCII))
                // the domain UUID as a 128-bit integer, little-endian: RFC byte order reversed
                + "ffeeddccbbaa99887766554433221100"
                + "010000000000008000400000a4c3b2d1"
                + HexFormat.of().formatHex("0000000000001400".getBytes(StandardCharsets.US_ASCII))
                + HexFormat.of().formatHex("00000000000".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().formatHex(m)).isEqualTo(expected);
        assertThat(Message.decode(m, 0)).isEqualTo(new Message.Extend(DOMAIN, VOLUME, 0x1400));
    }

    @Test
    void cleanEmptyAndMalformedMessages() {
        assertThat(Message.decode(Message.clean(), 0)).isInstanceOf(Message.Clean.class);
        assertThat(Message.decode(new byte[64], 0)).isInstanceOf(Message.Empty.class);
        byte[] m = Message.encodeExtend(DOMAIN, VOLUME, 5);
        m[0] = '2';
        assertThat(Message.decode(m, 0)).isInstanceOf(Message.Malformed.class);
        m = Message.encodeExtend(DOMAIN, VOLUME, 5);
        m[2] = 'X';
        assertThat(((Message.Malformed) Message.decode(m, 0)).reason()).contains("code");
        m = Message.encodeExtend(DOMAIN, VOLUME, 5);
        m[40] = 'g';
        assertThat(((Message.Malformed) Message.decode(m, 0)).reason()).contains("not hex");
    }

    @Test
    void sizesOutOfRangeDecodeButAreFlagged() {
        byte[] m = Message.encodeExtend(DOMAIN, VOLUME, 1);
        System.arraycopy("ffffffffffffffff".getBytes(StandardCharsets.US_ASCII), 0, m, 37, 16);
        Message.Extend e = (Message.Extend) Message.decode(m, 0);
        assertThat(e.sizeInRange()).isFalse();
        assertThat(((Message.Extend) Message.decode(Message.encodeExtend(DOMAIN, VOLUME, 0), 0)).sizeInRange()).isFalse();
        assertThat(((Message.Extend) Message.decode(Message.encodeExtend(DOMAIN, VOLUME, Message.MAX_SIZE_MIB), 0))
                .sizeInRange()).isTrue();
        assertThatThrownBy(() -> Message.encodeExtend(DOMAIN, VOLUME, Message.MAX_SIZE_MIB + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsBlockCarriesItsUuidInRfcOrder() {
        UUID event = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
        byte[] block = EventsBlock.encode(event);
        assertThat(HexFormat.of().formatHex(block, 0, 20)).isEqualTo("0065767401234567" + "89abcdef0123456789abcdef");
        assertThat(Arrays.copyOfRange(block, 20, 4096)).containsOnly(0);
        assertThat(EventsBlock.decode(block)).isEqualTo(event);
        assertThat(EventsBlock.decode(new byte[4096])).isNull();
    }

    /** Property: blocks the host side writes read back, field by field, through the spec's own table. */
    @Test
    void blocksWrittenByTheCodecAreReadTheSameByAnIndependentReadingOfTheSpec() {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            int hostId = 1 + random.nextInt(2000);
            HostSlots<Object> slots = new HostSlots<>(63);
            slots.start(new byte[4096]);
            int n = 1 + random.nextInt(63);
            UUID[] volumes = new UUID[n];
            long[] sizes = new long[n];
            for (int i = 0; i < n; i++) {
                volumes[i] = new UUID(random.nextLong(), random.nextLong());
                sizes[i] = 1 + (random.nextLong() >>> 1) % Message.MAX_SIZE_MIB;
                assertThat(slots.submit(Message.encodeExtend(DOMAIN, volumes[i], sizes[i]), i, 0))
                        .isInstanceOf(HostSlots.Submitted.Added.class);
            }
            byte[] inbox = new byte[(hostId + 1) * 4096];
            System.arraycopy(slots.block(), 0, inbox, hostId * 4096, 4096);
            for (int i = 0; i < n; i++) {
                SpecLayoutReader.Request r = SpecLayoutReader.message(inbox, hostId, i);
                assertThat(r).isEqualTo(new SpecLayoutReader.Request('1', "xtnd", DOMAIN, volumes[i], sizes[i], "00000000000"));
            }
            assertThat(SpecLayoutReader.storedChecksum(inbox, hostId)).isEqualTo((int) SpecLayoutReader.sumOfBlock(inbox, hostId));
            assertThat(inbox[hostId * 4096 + n * 64]).as("the slot after the last request is empty").isZero();
        }
    }
}
