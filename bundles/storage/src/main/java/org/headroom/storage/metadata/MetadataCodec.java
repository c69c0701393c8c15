package org.headroom.storage.metadata;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.headroom.api.storage.VolumeMetadata;

/**
 * VDSM's volume metadata on storage, domain version 5: {@code KEY=value} lines sorted by key,
 * then {@code EOF}, UTF-8, at most 512 bytes (what follows EOF in a block is padding). Pure.
 *
 * <p>Strict where VDSM is lenient, never where VDSM's own data would be refused: a line without
 * '=', a key twice, a key or value of the wrong shape, a missing EOF (a torn or truncated write), a
 * block that is not UTF-8 are all rejected with a clear error, and nothing is ever truncated on
 * write (VDSM cuts a long description short; here it is refused). Keys this version does not know
 * are kept and written back. A block whose first key is {@code NONE} is VDSM's cleared slot.
 */
public final class MetadataCodec {
    /** The largest metadata block (VDSM's METADATA_SIZE). */
    public static final int SIZE = 512;
    private static final Pattern KEY = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Pattern NUMBER = Pattern.compile("0|[1-9][0-9]{0,18}");
    private static final Set<String> KNOWN = Set.of("CAP", "CTIME", "DESCRIPTION", "DISKTYPE", "DOMAIN", "FORMAT", "GEN",
            "IMAGE", "LEGALITY", "PUUID", "SEQ", "TYPE", "VOLTYPE");

    private MetadataCodec() {
    }

    /** The block as VDSM writes it; at most {@link #SIZE} bytes. */
    public static byte[] encode(VolumeMetadata md) {
        Map<String, String> keys = new TreeMap<>(md.extra());
        keys.put("CAP", Long.toString(md.capacity()));
        keys.put("CTIME", Long.toString(md.ctime()));
        keys.put("DESCRIPTION", md.description());
        keys.put("DISKTYPE", md.diskType());
        keys.put("DOMAIN", md.domain().toString());
        keys.put("FORMAT", md.format().name());
        keys.put("GEN", Integer.toString(md.generation()));
        keys.put("IMAGE", md.image().toString());
        keys.put("LEGALITY", md.legality().name());
        keys.put("PUUID", md.parent().toString());
        keys.put("SEQ", Long.toString(md.sequence()));
        keys.put("TYPE", md.allocation().name());
        keys.put("VOLTYPE", md.role().name());
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> e : keys.entrySet()) {
            if (!KEY.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("metadata key '" + e.getKey() + "' is not of VDSM's form");
            }
            if (e.getValue().indexOf('\n') >= 0 || e.getValue().indexOf('\0') >= 0 || e.getValue().indexOf('\r') >= 0) {
                throw new IllegalArgumentException("metadata value of " + e.getKey() + " holds a line break or NUL");
            }
            text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
        }
        text.append("EOF\n");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SIZE) {
            throw new IllegalArgumentException("volume metadata of " + bytes.length + " bytes is larger than " + SIZE
                    + " (a description of " + md.description().length() + " characters)");
        }
        return bytes;
    }

    /** Whether the block is VDSM's cleared metadata (a removed volume's slot): first key NONE. */
    public static boolean cleared(byte[] block) {
        int n = Math.min(block.length, 5);
        return new String(block, 0, n, StandardCharsets.US_ASCII).startsWith("NONE");
    }

    /** The metadata in {@code block} (a file's content, or a slot with zero padding). */
    public static VolumeMetadata decode(byte[] block) {
        int end = 0;
        while (end < block.length && end < SIZE && block[end] != 0) {
            end++;
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(block, 0, end)).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMetadataException("volume metadata is not UTF-8: " + e.getMessage());
        }
        Map<String, String> md = new TreeMap<>();
        boolean eof = false;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.equals("EOF")) {
                eof = true;
                break;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new MalformedMetadataException("volume metadata line " + lineNo + " is not KEY=value: '" + excerpt(line) + "'"
                        + (lineNo > 1 && line.isEmpty() ? " (no EOF: torn or truncated?)" : ""));
            }
            String key = line.substring(0, eq);
            if (!KEY.matcher(key).matches()) {
                throw new MalformedMetadataException("volume metadata line " + lineNo + ": '" + excerpt(key) + "' is no key");
            }
            if (key.equals("NONE")) {
                throw new MalformedMetadataException("volume metadata is cleared (NONE): the volume was removed");
            }
            String value = line.substring(eq + 1);
            if (value.indexOf('\r') >= 0) {
                // VDSM would keep it, but it cannot be written back: refused, as encode refuses it.
                throw new MalformedMetadataException("volume metadata line " + lineNo + ": the value of " + key
                        + " holds a carriage return");
            }
            if (md.put(key, value) != null) {
                throw new MalformedMetadataException("volume metadata has " + key + " twice");
            }
        }
        if (!eof) {
            throw new MalformedMetadataException("volume metadata has no EOF line: torn or truncated");
        }
        Map<String, String> extra = new TreeMap<>(md);
        extra.keySet().removeAll(KNOWN);
        VolumeMetadata decoded;
        try {
            decoded = new VolumeMetadata(uuid(md, "DOMAIN"), uuid(md, "IMAGE"), uuid(md, "PUUID"), number(md, "CAP", true),
                    value(md, "FORMAT", VolumeMetadata.Format.class), value(md, "TYPE", VolumeMetadata.Allocation.class),
                    value(md, "VOLTYPE", VolumeMetadata.Role.class), required(md, "DISKTYPE"), required(md, "DESCRIPTION"),
                    value(md, "LEGALITY", VolumeMetadata.Legality.class), number(md, "CTIME", true),
                    (int) bounded(md, "GEN", VolumeMetadata.MAX_GENERATION), bounded(md, "SEQ", VolumeMetadata.MAX_SEQUENCE),
                    extra);
        } catch (IllegalArgumentException e) {
            // The record refused a value the parsing let through (a capacity of 0, a negative time).
            throw new MalformedMetadataException("volume metadata: " + e.getMessage());
        }
        try {
            encode(decoded);
        } catch (IllegalArgumentException e) {
            // Read now, it could not be written back (a job's ILLEGAL/LEGAL): refused here, where it is
            // read, not half-way through a job. (A key it lacks, such as SEQ, is written back.)
            throw new MalformedMetadataException("volume metadata could not be written back: " + e.getMessage());
        }
        return decoded;
    }

    private static String required(Map<String, String> md, String key) {
        String v = md.get(key);
        if (v == null) {
            throw new MalformedMetadataException("volume metadata has no " + key + " (keys: " + md.keySet() + ")");
        }
        return v;
    }

    private static UUID uuid(Map<String, String> md, String key) {
        String v = required(md, key);
        try {
            UUID u = UUID.fromString(v);
            if (u.toString().equals(v)) {
                return u;
            }
        } catch (IllegalArgumentException e) {
            // Reported below.
        }
        throw new MalformedMetadataException("volume metadata " + key + "=" + excerpt(v) + " is no UUID");
    }

    private static long number(Map<String, String> md, String key, boolean needed) {
        String v = needed ? required(md, key) : md.getOrDefault(key, "0");
        if (!NUMBER.matcher(v).matches()) {
            throw new MalformedMetadataException("volume metadata " + key + "=" + excerpt(v) + " is no number");
        }
        return Long.parseLong(v);
    }

    /** GEN and SEQ: 0 when absent (volumes older than them), else in range. */
    private static long bounded(Map<String, String> md, String key, long max) {
        long v = number(md, key, false);
        if (v > max) {
            throw new MalformedMetadataException("volume metadata " + key + "=" + v + " is beyond " + max);
        }
        return v;
    }

    private static <E extends Enum<E>> E value(Map<String, String> md, String key, Class<E> type) {
        String v = required(md, key);
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new MalformedMetadataException("volume metadata " + key + "=" + excerpt(v) + " is none of "
                + java.util.Arrays.toString(type.getEnumConstants()).toUpperCase(Locale.ROOT));
    }

    private static String excerpt(String s) {
        String shown = s.length() <= 60 ? s : s.substring(0, 60) + "...";
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
