package org.headroom.mailbox.codec;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A second reading of the mailbox format, written from the spec's tables alone and sharing no
 * code with the codec: offsets are the table's, the UUID is read as a 128-bit little-endian integer
 * with BigInteger, the checksum as a little-endian int with ByteBuffer.
 */
final class SpecLayoutReader {
    record Request(char version, String code, UUID domain, UUID volume, long sizeMiB, String padding) {
    }

    private SpecLayoutReader() {
    }

    static Request message(byte[] inbox, int hostId, int slot) {
        int base = hostId * 4096 + slot * 64;
        return new Request((char) inbox[base],
                new String(inbox, base + 1, 4, StandardCharsets.US_ASCII),
                uuidLittleEndian(inbox, base + 5),
                uuidLittleEndian(inbox, base + 21),
                Long.parseLong(new String(inbox, base + 37, 16, StandardCharsets.US_ASCII), 16),
                new String(inbox, base + 53, 11, StandardCharsets.US_ASCII));
    }

    static int storedChecksum(byte[] inbox, int hostId) {
        return ByteBuffer.wrap(inbox, hostId * 4096 + 4092, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    static long sumOfBlock(byte[] inbox, int hostId) {
        long sum = 0;
        for (int i = 0; i < 4092; i++) {
            sum += Byte.toUnsignedInt(inbox[hostId * 4096 + i]);
        }
        return sum & 0xFFFFFFFFL;
    }

    private static UUID uuidLittleEndian(byte[] bytes, int offset) {
        byte[] bigEndian = new byte[17];
        for (int i = 0; i < 16; i++) {
            bigEndian[16 - i] = bytes[offset + i];
        }
        BigInteger value = new BigInteger(bigEndian);
        String hex = String.format("%032x", value);
        return UUID.fromString(hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16) + "-"
                + hex.substring(16, 20) + "-" + hex.substring(20));
    }
}
