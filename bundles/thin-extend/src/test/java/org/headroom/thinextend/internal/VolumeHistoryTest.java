package org.headroom.thinextend.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.headroom.api.hypervisor.DriveRef;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VolumeHistoryTest {
    @TempDir
    Path dir;

    private static VolumeRef volume() {
        return new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    }

    @Test
    void whatIsSavedIsReadBackWhole() {
        Path file = dir.resolve("data/history.tsv");
        VolumeHistory h = VolumeHistory.load(file);
        VolumeRef v = volume();
        VolumeHistory.Entry e = h.entry(v, new DriveRef("vm\t1", "vda"));
        e.extensions = 3;
        e.pauses = 1;
        e.failures = 2;
        e.lastMillis = 12.5;
        e.trigger = "threshold";
        e.rule = "capped at 1.1 x capacity (11264 MiB)";
        e.problem = "no answer\nwithin 61000 ms";
        e.capacity = 10L << 30;
        e.physical = 11L << 30;
        e.lastSeenMillis = 1234;
        h.save();

        VolumeHistory.Entry back = VolumeHistory.load(file).entries().iterator().next();
        assertThat(back.volume).isEqualTo(v);
        assertThat(back.drive).isEqualTo(new DriveRef("vm 1", "vda"));
        assertThat(List.of(back.extensions, back.pauses, back.failures, back.capacity, back.physical, back.lastSeenMillis))
                .containsExactly(3L, 1L, 2L, 10L << 30, 11L << 30, 1234L);
        assertThat(back.lastMillis).isEqualTo(12.5);
        assertThat(back.rule).isEqualTo(e.rule);
        assertThat(back.problem).isEqualTo("no answer within 61000 ms");
    }

    @Test
    void aDamagedLineIsSkippedAndTheRestKept() throws Exception {
        Path file = dir.resolve("history.tsv");
        VolumeHistory h = VolumeHistory.load(file);
        h.entry(volume(), new DriveRef("a", "vda")).extensions = 1;
        h.entry(volume(), new DriveRef("b", "vda")).extensions = 2;
        h.save();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.add(1, "garbage\tline");
        lines.add("x".repeat(100));
        lines.set(2, lines.get(2).replaceFirst("\t1\t", "\tnot-a-number\t"));
        Files.write(file, lines, StandardCharsets.UTF_8);

        assertThat(VolumeHistory.load(file).entries()).extracting(e -> e.drive.vm()).containsExactly("b");
    }

    @Test
    void aFileOfAnotherVersionOrNoneStartsAfresh() throws Exception {
        Path file = dir.resolve("history.tsv");
        assertThat(VolumeHistory.load(file).entries()).isEmpty();
        Files.writeString(file, "something else\n");
        assertThat(VolumeHistory.load(file).entries()).isEmpty();
        assertThat(VolumeHistory.load(null).entries()).isEmpty();
    }
}
