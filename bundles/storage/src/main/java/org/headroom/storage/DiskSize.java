package org.headroom.storage;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as an admin types them: {@code 20G}, {@code 512M}, {@code 1T}, {@code 1536} (MiB). Pure. */
public final class DiskSize {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([KMGT]?)(I?B)?", Pattern.CASE_INSENSITIVE);

    private DiskSize() {
    }

    /** Bytes; a number without a unit is MiB. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (e.g. 20G, 512M, 1T; a bare number is MiB)");
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> 10;
            case "G" -> 30;
            case "T" -> 40;
            default -> 20;
        };
        if (n == 0 || Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("size out of range: '" + text + "'");
        }
        return n << shift;
    }
}
