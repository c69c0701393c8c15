package org.headroom.qmp.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What can still be told of a line that is not a readable QMP message: its shape and its id. Pure. */
final class UnreadableLines {
    private static final Pattern FIRST_KEY = Pattern.compile("\\s*\\{\\s*\"([^\"\\\\]{1,32})\"");
    private static final Pattern STRING_ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"\\\\]{1,64})\"");

    private UnreadableLines() {
    }

    /** The first key tells; QEMU writes events as {"timestamp": ..., "event": ...}. */
    static QmpMessage.Shape shapeOf(byte[] head) {
        String text = new String(head, 0, Math.min(head.length, QmpFraming.EXCERPT_BYTES), StandardCharsets.UTF_8);
        Matcher first = FIRST_KEY.matcher(text);
        if (first.lookingAt()) {
            String key = first.group(1);
            if (key.equals("timestamp") || key.equals("event")) {
                return QmpMessage.Shape.EVENT;
            }
            if (key.equals("return") || key.equals("error") || key.equals("id")) {
                return QmpMessage.Shape.REPLY;
            }
        }
        return text.contains("\"event\"") ? QmpMessage.Shape.EVENT : QmpMessage.Shape.REPLY;
    }

    /** The last string id in the line's last bytes, where QEMU puts a reply's id; null when none. */
    static String idIn(byte[] tail) {
        int from = Math.max(0, tail.length - QmpFraming.EXCERPT_BYTES);
        String text = new String(Arrays.copyOfRange(tail, from, tail.length), StandardCharsets.UTF_8);
        Matcher m = STRING_ID.matcher(text);
        String id = null;
        while (m.find()) {
            id = m.group(1);
        }
        return id;
    }

    /** The line's start, printable. */
    static String excerpt(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 120), StandardCharsets.UTF_8);
        return text.replaceAll("\\p{Cc}", "?"); // C0 and C1 controls (\p{Cntrl} is ASCII only)
    }
}
