package org.headroom.lease.jobs;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.headroom.api.jobs.JobException;

/**
 * A {@link JobRecord} on storage: {@code KEY=value} lines and {@code EOF} in at most 512 bytes
 * (one sector: written whole or not at all), in the style of VDSM's volume metadata. Pure. A
 * record that cannot be read whole (torn, truncated, corrupt) is refused with the reason: a job's
 * status is never guessed from half a record.
 */
public final class JobRecordCodec {
    public static final int SIZE = 512;
    private static final int MAX_TEXT = 160;

    private JobRecordCodec() {
    }

    public static byte[] encode(JobRecord r) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("JOB", r.job().toString());
        keys.put("TYPE", r.type());
        keys.put("HOST", Integer.toString(r.hostId()));
        keys.put("HOSTGEN", Long.toString(r.hostGeneration()));
        keys.put("GEN", Integer.toString(r.generation()));
        keys.put("STATE", r.state().name());
        keys.put("STAGE", clip(r.stage()));
        keys.put("PERCENT", Integer.toString(r.percent()));
        keys.put("ERROR", clip(r.error()));
        keys.put("STARTED", Long.toString(r.startedMillis()));
        keys.put("UPDATED", Long.toString(r.updatedMillis()));
        StringBuilder text = new StringBuilder();
        keys.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        text.append("EOF\n");
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length > SIZE) {
            throw new IllegalArgumentException("job record of " + bytes.length + " bytes is larger than " + SIZE);
        }
        return bytes;
    }

    /** Decodes a record; {@code null} for an empty block (no job ever recorded). */
    public static JobRecord decode(byte[] block) {
        int end = 0;
        while (end < block.length && end < SIZE && block[end] != 0) {
            end++;
        }
        if (end == 0) {
            return null;
        }
        String text = new String(block, 0, end, StandardCharsets.UTF_8);
        Map<String, String> keys = new LinkedHashMap<>();
        boolean eof = false;
        for (String line : text.split("\n", -1)) {
            if (line.equals("EOF")) {
                eof = true;
                break;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || keys.put(line.substring(0, eq), line.substring(eq + 1)) != null) {
                throw new JobException("job record line '" + excerpt(line) + "' is malformed or repeated");
            }
        }
        if (!eof) {
            throw new JobException("job record has no EOF: torn or truncated");
        }
        JobRecord record;
        try {
            record = new JobRecord(UUID.fromString(required(keys, "JOB")), required(keys, "TYPE"),
                    Integer.parseInt(required(keys, "HOST")), Long.parseLong(required(keys, "HOSTGEN")),
                    Integer.parseInt(required(keys, "GEN")), JobRecord.State.valueOf(required(keys, "STATE")),
                    required(keys, "STAGE"), Integer.parseInt(required(keys, "PERCENT")), required(keys, "ERROR"),
                    Long.parseLong(required(keys, "STARTED")), Long.parseLong(required(keys, "UPDATED")));
        } catch (IllegalArgumentException e) {
            throw new JobException("job record is malformed: " + excerpt(e.getMessage()));
        }
        // Only what encode writes is a record: a short UUID, "+1", a long text or bytes that are not
        // UTF-8 mean another writer, or corruption, and would not survive being written back.
        byte[] canonical;
        try {
            canonical = encode(record);
        } catch (IllegalArgumentException e) {
            throw new JobException("job record is not as Headroom writes it: " + e.getMessage());
        }
        if (!java.util.Arrays.equals(canonical, 0, canonical.length, block, 0, end)) {
            throw new JobException("job record is not as Headroom writes it (keys in its order, canonical values)");
        }
        return record;
    }

    private static String required(Map<String, String> keys, String key) {
        String v = keys.get(key);
        if (v == null) {
            throw new JobException("job record has no " + key);
        }
        return v;
    }

    /** Texts are kept short, and single-line, so that a record always fits its sector. */
    private static String clip(String s) {
        String line = s.replace('\n', ' ').replace('\r', ' ').replace('\0', ' ');
        return line.length() <= MAX_TEXT ? line : line.substring(0, MAX_TEXT - 3) + "...";
    }

    private static String excerpt(String s) {
        return (s.length() <= 60 ? s : s.substring(0, 60) + "...").replaceAll("\\p{Cntrl}", "?");
    }
}
