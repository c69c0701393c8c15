package org.headroom.lease.sanlock.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * sanlock's string fields: names of 48 bytes that need no terminating NUL, paths of 1024 bytes
 * that do. Checked when a record is made, so that a bad name fails where it is written, with what
 * is wrong, and never reaches the daemon cut short.
 */
public final class Fields {
    /** SANLK_NAME_LEN. */
    public static final int NAME_LEN = 48;
    /** SANLK_PATH_LEN, the terminating NUL included. */
    public static final int PATH_LEN = 1024;
    /** SANLK_HELPER_PATH_LEN and SANLK_HELPER_ARGS_LEN, the terminating NUL included. */
    public static final int HELPER_LEN = 128;

    private Fields() {
    }

    /**
     * A lockspace, resource or owner name as sanlock stores it: 1 to 48 bytes of UTF-8 with no NUL.
     * No ':' and no white space either: sanlock writes names unescaped into the strings it reports
     * held leases by (inquire), where they separate fields and leases.
     */
    public static byte[] name(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > NAME_LEN) {
            throw new IllegalArgumentException(what + " '" + value + "' is " + bytes.length
                    + " bytes of UTF-8: sanlock allows at most " + NAME_LEN);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == 0 || c == ':' || Character.isWhitespace(c)) {
                throw new IllegalArgumentException(what + " '" + value + "' contains "
                        + (c == 0 ? "a NUL" : c == ':' ? "a ':'" : "white space")
                        + ": sanlock reports held leases as unescaped 'lockspace:name:...' strings");
            }
        }
        return bytes;
    }

    /** A path to a lease area: 1 to 1023 bytes of UTF-8 (sanlock keeps a terminating NUL), no NUL. */
    public static byte[] path(String what, String value) {
        return terminated(what, value, PATH_LEN);
    }

    /** A killpath program or its arguments: at most 127 bytes of UTF-8, no NUL. */
    public static byte[] helper(String what, String value) {
        return terminated(what, value, HELPER_LEN);
    }

    private static byte[] terminated(String what, String value, int field) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > field - 1) {
            throw new IllegalArgumentException(what + " is " + bytes.length + " bytes of UTF-8: sanlock allows at most "
                    + (field - 1) + " (a field of " + field + " with its NUL)");
        }
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL");
        }
        return bytes;
    }

    /** Writes {@code bytes} at {@code offset}, zero-filled to {@code field} bytes. */
    static void put(ByteBuffer b, int offset, byte[] bytes, int field) {
        b.put(offset, bytes);
        for (int i = bytes.length; i < field; i++) {
            b.put(offset + i, (byte) 0);
        }
    }

    /** The string in a field of {@code field} bytes: up to its first NUL, or all of it. */
    static String get(ByteBuffer b, int offset, int field) {
        int n = 0;
        while (n < field && b.get(offset + n) != 0) {
            n++;
        }
        byte[] bytes = new byte[n];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
