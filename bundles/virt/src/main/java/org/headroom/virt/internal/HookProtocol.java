package org.headroom.virt.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The hook's wire format on the agent's socket, pure so it is tested on its own (the C hook in
 * {@code hooks/} writes the same bytes).
 *
 * <p>Request: one header line {@code HEADROOM-HOOK/1 <guest> <op> <subop> <extra> <xml>\n} giving
 * the byte length of each field, then the five fields' UTF-8 bytes back to back. Lengths rather
 * than separators: a domain XML may hold any character. Reply: one line {@code <exit> <message>\n},
 * the status the hook exits with (negative: the agent could not take the call, the hook applies
 * its agent-down policy) and a message for libvirt's log.
 */
public final class HookProtocol {
    public static final String MAGIC = "HEADROOM-HOOK/1";
    /** Guest names, operations and their arguments are short; anything longer is no hook call. */
    static final int MAX_FIELD = 4096;
    private static final int MAX_HEADER = 128;

    /** Bytes on the socket that are no hook request. */
    public static final class MalformedHookRequestException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedHookRequestException(String message) {
            super(message);
        }
    }

    private HookProtocol() {
    }

    public static byte[] encode(HookRequest r) {
        byte[][] fields = {bytes(r.guest()), bytes(r.op()), bytes(r.subop()), bytes(r.extra()), bytes(r.xml())};
        StringBuilder header = new StringBuilder(MAGIC);
        for (byte[] f : fields) {
            header.append(' ').append(f.length);
        }
        header.append('\n');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(header.toString()));
        for (byte[] f : fields) {
            out.writeBytes(f);
        }
        return out.toByteArray();
    }

    /** Reads one request; the XML may be at most {@code maxXmlBytes}. */
    public static HookRequest decode(InputStream in, int maxXmlBytes) throws IOException {
        String header = readLine(in);
        String[] parts = header.split(" ", -1);
        if (parts.length != 6 || !parts[0].equals(MAGIC)) {
            throw new MalformedHookRequestException("not a hook request (header '" + printable(header) + "')");
        }
        int[] lengths = new int[5];
        for (int i = 0; i < 5; i++) {
            try {
                lengths[i] = Integer.parseInt(parts[i + 1]);
            } catch (NumberFormatException e) {
                throw new MalformedHookRequestException("field length '" + printable(parts[i + 1]) + "' is no number");
            }
            int max = i == 4 ? maxXmlBytes : MAX_FIELD;
            if (lengths[i] < 0 || lengths[i] > max) {
                throw new MalformedHookRequestException("field " + (i + 1) + " is " + lengths[i] + " bytes, allowed 0.." + max);
            }
        }
        String[] fields = new String[5];
        for (int i = 0; i < 5; i++) {
            byte[] b = in.readNBytes(lengths[i]);
            if (b.length != lengths[i]) {
                throw new MalformedHookRequestException("the request ended after " + b.length + " of " + lengths[i]
                        + " bytes of field " + (i + 1));
            }
            fields[i] = new String(b, StandardCharsets.UTF_8);
        }
        return new HookRequest(fields[0], fields[1], fields[2], fields[3], fields[4]);
    }

    /** The reply line; the message is made one line, since the hook reads one. */
    public static byte[] reply(int exit, String message) {
        String oneLine = message.replace('\n', ' ').replace('\r', ' ');
        return bytes(exit + " " + oneLine + "\n");
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new MalformedHookRequestException("the connection closed before a whole header line ("
                        + line.size() + " bytes)");
            }
            if (line.size() >= MAX_HEADER) {
                throw new MalformedHookRequestException("header line longer than " + MAX_HEADER + " bytes");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
