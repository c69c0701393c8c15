package org.headroom.lease.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.headroom.api.jobs.JobException;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link JobRecordCodec#decode}: any block a host (or a host dying mid-write) can leave in
 * a volume's job record. It decodes, or is refused with {@link JobException} and a short message;
 * anything else is a finding. What decodes encodes again within one block and decodes to itself.
 */
@ExtendWith(FuzzInputTimeout.class)
class JobRecordCodecFuzzTest {

    @FuzzTest
    void decode(byte[] data) {
        JobRecord r;
        try {
            r = JobRecordCodec.decode(data);
            if (r == null) {
                return; // an empty block: no job ever recorded
            }
        } catch (JobException refused) {
            assertThat(refused.getMessage()).isNotBlank().hasSizeLessThan(400);
            return;
        }
        byte[] again = JobRecordCodec.encode(r);
        assertThat(again.length).isLessThanOrEqualTo(JobRecordCodec.SIZE);
        assertThat(JobRecordCodec.decode(again)).isEqualTo(r);
    }
}
