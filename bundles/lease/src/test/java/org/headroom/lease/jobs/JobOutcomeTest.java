package org.headroom.lease.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.headroom.api.jobs.JobException;
import org.headroom.api.jobs.JobState;
import org.headroom.api.lease.LeaseOwner;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;

/** A job's status from storage alone, at every moment its host might have died. */
class JobOutcomeTest {
    private static final VolumeRef V = new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    private static final UUID JOB = UUID.randomUUID();

    private static JobRecord running() {
        return new JobRecord(JOB, "copy", 2, 7, 41, JobRecord.State.RUNNING, "copying 3/10", 30, "", 1000, 2000);
    }

    private static VolumeMetadata md(VolumeMetadata.Legality legality, int generation) {
        return new VolumeMetadata(V.domain(), V.image(), VolumeMetadata.BLANK, 1 << 30, VolumeMetadata.Format.COW,
                VolumeMetadata.Allocation.SPARSE, VolumeMetadata.Role.LEAF, "DATA", "", legality, 0, generation, 0, Map.of());
    }

    private static Optional<LeaseOwner> owner(int host, long generation, String state) {
        return Optional.of(new LeaseOwner(host, generation, 5, state));
    }

    private static JobState state(JobRecord r, VolumeMetadata md, Optional<LeaseOwner> owner) {
        return JobOutcome.of(JOB, V, r, md, owner).state();
    }

    @Test
    void aJobAtEachStepReadsBackAsItStands() {
        JobRecord r = running();
        assertThat(state(r, md(VolumeMetadata.Legality.ILLEGAL, 41), owner(2, 7, "LIVE"))).isEqualTo(JobState.RUNNING);
        assertThat(state(r, md(VolumeMetadata.Legality.ILLEGAL, 41), Optional.empty())).as("died mid-work")
                .isEqualTo(JobState.INTERRUPTED);
        assertThat(state(r, md(VolumeMetadata.Legality.ILLEGAL, 41), owner(2, 7, "DEAD"))).isEqualTo(JobState.INTERRUPTED);
        assertThat(state(r, md(VolumeMetadata.Legality.ILLEGAL, 41), owner(2, 8, "LIVE"))).as("its host joined again")
                .isEqualTo(JobState.INTERRUPTED);
        assertThat(state(r, md(VolumeMetadata.Legality.ILLEGAL, 41), owner(3, 1, "LIVE"))).as("another host holds it")
                .isEqualTo(JobState.INTERRUPTED);
        assertThat(state(r, md(VolumeMetadata.Legality.LEGAL, 42), Optional.empty())).as("died after the metadata, before the record")
                .isEqualTo(JobState.DONE);
        assertThat(state(r.ended(JobRecord.State.DONE, "", 3000), md(VolumeMetadata.Legality.LEGAL, 42), Optional.empty()))
                .isEqualTo(JobState.DONE);
        assertThat(state(r.ended(JobRecord.State.FENCED, "fenced by host 3", 3000), md(VolumeMetadata.Legality.ILLEGAL, 42),
                Optional.empty())).isEqualTo(JobState.INTERRUPTED);
        assertThat(JobOutcome.of(JOB, V, r.ended(JobRecord.State.FAILED, "no space", 3000), md(VolumeMetadata.Legality.ILLEGAL, 41),
                Optional.empty()).error()).isEqualTo("no space");
        assertThat(state(null, md(VolumeMetadata.Legality.LEGAL, 0), Optional.empty())).isEqualTo(JobState.NEVER_RAN);
        assertThat(state(new JobRecord(UUID.randomUUID(), "copy", 2, 7, 41, JobRecord.State.DONE, "", 100, "", 1, 2),
                md(VolumeMetadata.Legality.LEGAL, 42), Optional.empty())).as("another job's record").isEqualTo(JobState.NEVER_RAN);
        assertThat(JobOutcome.of(JOB, V, r, md(VolumeMetadata.Legality.ILLEGAL, 41), Optional.empty()).error())
                .contains("host 2 stopped at 'copying 3/10'");
    }

    @Test
    void recordsRoundTripAndTornOnesAreRefused() {
        Random rnd = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            JobRecord r = new JobRecord(UUID.randomUUID(), rnd.nextBoolean() ? "copy" : "extend", 1 + rnd.nextInt(2000),
                    rnd.nextLong() & Long.MAX_VALUE, rnd.nextInt(1000), JobRecord.State.values()[rnd.nextInt(4)],
                    "stage " + rnd.nextInt(), rnd.nextInt(102) - 1, rnd.nextBoolean() ? "" : "err ü " + rnd.nextInt(),
                    rnd.nextLong() & Long.MAX_VALUE, rnd.nextLong() & Long.MAX_VALUE);
            byte[] bytes = JobRecordCodec.encode(r);
            assertThat(JobRecordCodec.decode(Arrays.copyOf(bytes, 4096))).isEqualTo(r);
        }
        byte[] bytes = JobRecordCodec.encode(running());
        for (int n = 1; n < bytes.length - 1; n++) {
            byte[] torn = Arrays.copyOf(Arrays.copyOf(bytes, n), 512);
            int cut = n;
            assertThatThrownBy(() -> JobRecordCodec.decode(torn)).as("torn at %d", cut).isInstanceOf(JobException.class);
        }
        assertThat(JobRecordCodec.decode(new byte[512])).as("nothing recorded").isNull();
        assertThatThrownBy(() -> JobRecordCodec.decode("JOB=x\nEOF\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JobException.class);
        JobRecord long1 = running().ended(JobRecord.State.FAILED, "e".repeat(5000), 1);
        assertThat(JobRecordCodec.decode(JobRecordCodec.encode(long1)).error()).hasSize(160).endsWith("...");
    }
}
