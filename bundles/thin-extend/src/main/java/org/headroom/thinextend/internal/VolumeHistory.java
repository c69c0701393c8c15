package org.headroom.thinextend.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.VolumeRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this host's volume monitor did to each volume it ever watched: extensions, pauses, failures,
 * the last extension's latency and why it was sized so. Kept by volume (a VM may be renamed, a
 * drive moved), in a host-local file, so that the figures outlive the VM's stop and the bundle's
 * restart or update. Not shared state: each host's own record of its own work.
 *
 * <p>The file is one tab-separated line per volume after a version line, rewritten whole through a
 * temporary file and an atomic rename; a line that cannot be read is skipped with a warning (the
 * rest is kept), never a reason not to start. Not thread-safe: the monitor's thread owns it.
 */
final class VolumeHistory {
    private static final Logger LOG = LoggerFactory.getLogger(VolumeHistory.class);
    static final String VERSION = "headroom-volume-history 1";
    /** Volumes remembered at most: the oldest seen are forgotten first. */
    static final int MAX_VOLUMES = 10_000;

    /** One volume's record. */
    static final class Entry {
        final VolumeRef volume;
        DriveRef drive;
        long extensions;
        long pauses;
        long failures;
        double lastMillis;
        String trigger = "";
        String rule = "";
        String problem = "";
        long capacity;
        long physical;
        long lastSeenMillis;

        Entry(VolumeRef volume) {
            this.volume = volume;
        }
    }

    private final Path file;
    private final Map<VolumeRef, Entry> entries = new LinkedHashMap<>();
    private boolean dirty;

    /** {@code file} null: kept in memory only (tools, tests). */
    VolumeHistory(Path file) {
        this.file = file;
    }

    static VolumeHistory load(Path file) {
        VolumeHistory h = new VolumeHistory(file);
        if (file == null || !Files.exists(file)) {
            return h;
        }
        try {
            h.decode(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("volume history {} cannot be read ({}); starting afresh", file, e.toString());
        }
        return h;
    }

    Entry entry(VolumeRef volume, DriveRef drive) {
        Entry e = entries.computeIfAbsent(volume, Entry::new);
        e.drive = drive;
        dirty = true;
        if (entries.size() > MAX_VOLUMES) {
            VolumeRef oldest = entries.values().stream().min((a, b) -> Long.compare(a.lastSeenMillis, b.lastSeenMillis))
                    .orElseThrow().volume;
            entries.remove(oldest);
        }
        return e;
    }

    void changed() {
        dirty = true;
    }

    Collection<Entry> entries() {
        return entries.values();
    }

    /** Writes the file if anything changed since the last save. */
    void save() {
        if (file == null || !dirty) {
            return;
        }
        Path draft = file.resolveSibling(file.getFileName() + ".new");
        try {
            Files.createDirectories(file.getParent());
            Files.write(draft, encode(), StandardCharsets.UTF_8);
            Files.move(draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dirty = false;
        } catch (IOException e) {
            LOG.warn("volume history {} cannot be written: {}", file, e.toString());
        }
    }

    List<String> encode() {
        List<String> lines = new ArrayList<>();
        lines.add(VERSION);
        for (Entry e : entries.values()) {
            lines.add(String.join("\t", e.volume.domain().toString(), e.volume.image().toString(), e.volume.volume().toString(),
                    clean(e.drive.vm()), clean(e.drive.drive()), Long.toString(e.extensions), Long.toString(e.pauses),
                    Long.toString(e.failures), Double.toString(e.lastMillis), clean(e.trigger), clean(e.rule),
                    clean(e.problem), Long.toString(e.capacity), Long.toString(e.physical), Long.toString(e.lastSeenMillis)));
        }
        return lines;
    }

    void decode(List<String> lines) {
        if (lines.isEmpty() || !lines.get(0).equals(VERSION)) {
            LOG.warn("volume history {}: not a history of this version ({}); starting afresh", file,
                    lines.isEmpty() ? "empty" : lines.get(0));
            return;
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t", -1);
            try {
                if (f.length != 15) {
                    throw new IllegalArgumentException(f.length + " fields, not 15");
                }
                Entry e = new Entry(new VolumeRef(UUID.fromString(f[0]), UUID.fromString(f[1]), UUID.fromString(f[2])));
                e.drive = new DriveRef(f[3], f[4]);
                e.extensions = Long.parseLong(f[5]);
                e.pauses = Long.parseLong(f[6]);
                e.failures = Long.parseLong(f[7]);
                e.lastMillis = Double.parseDouble(f[8]);
                e.trigger = f[9];
                e.rule = f[10];
                e.problem = f[11];
                e.capacity = Long.parseLong(f[12]);
                e.physical = Long.parseLong(f[13]);
                e.lastSeenMillis = Long.parseLong(f[14]);
                entries.put(e.volume, e);
            } catch (RuntimeException bad) {
                LOG.warn("volume history {}: a line skipped ({}): {}", file, bad.getMessage(), line);
            }
        }
    }

    /** Tabs and newlines would break the line format; they never matter in these texts. */
    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ').replace('\r', ' ');
    }
}
