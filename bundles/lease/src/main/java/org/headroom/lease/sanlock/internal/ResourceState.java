package org.headroom.lease.sanlock.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.headroom.lease.sanlock.Disk;
import org.headroom.lease.sanlock.Resource;

/**
 * The leases inquire reports, as the daemon writes them (sanlock_res_to_str): one string per
 * lease, separated by spaces, {@code lockspace:name:path:offset[:path:offset...]:version}, or
 * {@code :SH} in place of the version for a shared lease; a ':' or ' ' in a path is escaped with
 * a backslash. A string that does not parse is refused with what is wrong, never guessed at.
 */
public final class ResourceState {
    private ResourceState() {
    }

    public static List<Resource> parse(String state) {
        List<Resource> out = new ArrayList<>();
        if (state == null || state.isEmpty()) {
            return out;
        }
        for (String lease : split(state, ' ')) {
            out.add(lease(lease));
        }
        return out;
    }

    private static Resource lease(String text) {
        List<String> f = split(text, ':');
        if (f.size() < 5 || f.size() % 2 == 0) {
            throw new IllegalArgumentException("inquire: '" + text + "' is not lockspace:name:path:offset[:path:offset...]:version");
        }
        List<Disk> disks = new ArrayList<>();
        for (int i = 2; i < f.size() - 1; i += 2) {
            disks.add(new Disk(unescape(f.get(i)), number(text, f.get(i + 1))));
        }
        String last = f.get(f.size() - 1);
        boolean shared = last.equals("SH");
        long version = shared ? 0 : number(text, last);
        return new Resource(name(f.get(0)), name(f.get(1)), disks, version, shared, false);
    }

    /**
     * A name as the struct held it. sanlock 3.8.5 prints names with %s, so a name of the full 48
     * bytes runs on into the next field (the resource name, or the version's bytes) up to a NUL:
     * the first 48 bytes are the name.
     */
    private static String name(String field) {
        String s = unescape(field);
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return bytes.length <= Fields.NAME_LEN ? s : new String(bytes, 0, Fields.NAME_LEN, StandardCharsets.UTF_8);
    }

    private static long number(String text, String field) {
        try {
            long v = Long.parseUnsignedLong(field);
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("inquire: '" + field + "' in '" + text + "' is not a number");
        }
    }

    /** Splits at every {@code sep} not escaped by a backslash; escapes are kept for {@link #unescape}. */
    private static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                if (i + 1 == s.length()) {
                    throw new IllegalArgumentException("inquire: '" + s + "' ends in a lone backslash");
                }
                cur.append(c).append(s.charAt(++i));
            } else if (c == sep) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static String unescape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c == '\\' ? s.charAt(++i) : c);
        }
        return out.toString();
    }
}
