package org.headroom.mailbox.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * A 64-byte mailbox message: an extend request (or its reply, which has the same shape), CLEAN,
 * an empty slot, or something malformed.
 *
 * <p>Extend: {@code '1'}, {@code "xtnd"}, domain and volume UUIDs as 128-bit integers written
 * little-endian (16 bytes each: RFC byte order reversed), the size in MiB as 16 lowercase hex
 * digits, and 11 ASCII {@code '0'}s. A reply echoes the request with the size the SPM reached, or
 * 0 when it failed.
 */
public sealed interface Message {
    byte VERSION = '1';
    byte[] EXTEND_CODE = "xtnd".getBytes(StandardCharsets.US_ASCII);
    /** The largest size, in MiB, VDSM accepts in a request. */
    long MAX_SIZE_MIB = 0xFFFFFFFFL;
    /** Bytes 0..36: what identifies a request in its reply (version, code, domain, volume). */
    int IDENTITY_LENGTH = 37;

    record Empty() implements Message {
    }

    record Clean() implements Message {
    }

    /** {@code sizeMiB} as read; outside 1..{@link #MAX_SIZE_MIB} (or negative) when a peer sent nonsense. */
    record Extend(UUID domain, UUID volume, long sizeMiB) implements Message {
        public boolean sizeInRange() {
            return sizeMiB > 0 && sizeMiB <= MAX_SIZE_MIB;
        }
    }

    record Malformed(String reason) implements Message {
    }

    static byte[] clean() {
        byte[] m = new byte[MailboxLayout.MESSAGE_SIZE];
        Arrays.fill(m, (byte) 1);
        return m;
    }

    static byte[] encodeExtend(UUID domain, UUID volume, long sizeMiB) {
        if (sizeMiB < 0 || sizeMiB > MAX_SIZE_MIB) {
            throw new IllegalArgumentException("size " + sizeMiB + " MiB out of range 0.." + MAX_SIZE_MIB);
        }
        byte[] m = new byte[MailboxLayout.MESSAGE_SIZE];
        m[0] = VERSION;
        System.arraycopy(EXTEND_CODE, 0, m, 1, 4);
        writeUuid(domain, m, 5);
        writeUuid(volume, m, 21);
        byte[] size = String.format("%016x", sizeMiB).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, m, 37, 16);
        Arrays.fill(m, 53, 64, (byte) '0');
        return m;
    }

    /** Decodes the message at {@code offset} of {@code bytes}. */
    static Message decode(byte[] bytes, int offset) {
        byte first = bytes[offset];
        if (first == 0) {
            return new Empty();
        }
        if (isClean(bytes, offset)) {
            return new Clean();
        }
        if (first != VERSION) {
            return new Malformed("unknown version byte 0x" + Integer.toHexString(first & 0xff));
        }
        if (!Arrays.equals(bytes, offset + 1, offset + 5, EXTEND_CODE, 0, 4)) {
            return new Malformed("unknown message code \"" + printable(bytes, offset + 1, 4) + "\"");
        }
        for (int i = offset + 37; i < offset + 53; i++) {
            if (Character.digit(bytes[i], 16) < 0) {
                return new Malformed("size is not hex: \"" + printable(bytes, offset + 37, 16) + "\"");
            }
        }
        // Sizes beyond MAX_SIZE_MIB (or 2^63, which read negative) decode as they are: the SPM
        // answers them with a failure rather than ignoring a well-formed request.
        long size = Long.parseUnsignedLong(new String(bytes, offset + 37, 16, StandardCharsets.US_ASCII), 16);
        return new Extend(readUuid(bytes, offset + 5), readUuid(bytes, offset + 21), size);
    }

    static boolean isClean(byte[] bytes, int offset) {
        for (int i = offset; i < offset + MailboxLayout.MESSAGE_SIZE; i++) {
            if (bytes[i] != 1) {
                return false;
            }
        }
        return true;
    }

    /** The UUID as a 128-bit integer, little-endian: least significant byte first. */
    static void writeUuid(UUID uuid, byte[] out, int offset) {
        long lsb = uuid.getLeastSignificantBits();
        long msb = uuid.getMostSignificantBits();
        for (int i = 0; i < 8; i++) {
            out[offset + i] = (byte) (lsb >>> (8 * i));
            out[offset + 8 + i] = (byte) (msb >>> (8 * i));
        }
    }

    static UUID readUuid(byte[] in, int offset) {
        long lsb = 0;
        long msb = 0;
        for (int i = 7; i >= 0; i--) {
            lsb = lsb << 8 | (in[offset + i] & 0xff);
            msb = msb << 8 | (in[offset + 8 + i] & 0xff);
        }
        return new UUID(msb, lsb);
    }

    private static String printable(byte[] bytes, int offset, int length) {
        StringBuilder s = new StringBuilder();
        for (int i = offset; i < offset + length; i++) {
            int c = bytes[i] & 0xff;
            s.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return s.toString();
    }
}
