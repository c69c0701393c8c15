package org.headroom.storage.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link MetadataCodec#decode}: any block another host (or a torn write) can leave in a
 * volume's metadata. It decodes, or is refused with {@link MalformedMetadataException} and a short
 * message; anything else is a finding. What decodes encodes again within one block and decodes to
 * itself, and only the first 512 bytes up to the first NUL count. The corpus holds VDSM's v5
 * metadata and near misses (no EOF, a repeated key, a size out of range, torn).
 */
@ExtendWith(FuzzInputTimeout.class)
class MetadataCodecFuzzTest {

    @FuzzTest
    void decode(byte[] data) {
        VolumeMetadata md;
        try {
            md = MetadataCodec.decode(data);
        } catch (MalformedMetadataException refused) {
            assertThat(refused.getMessage()).isNotBlank().hasSizeLessThan(400);
            return;
        }
        byte[] again = MetadataCodec.encode(md);
        assertThat(again.length).isLessThanOrEqualTo(MetadataCodec.SIZE);
        assertThat(MetadataCodec.decode(again)).isEqualTo(md);
        // Bytes after the block, or after a NUL, are padding: they change nothing.
        byte[] padded = Arrays.copyOf(data, Math.max(data.length, MetadataCodec.SIZE) + 64);
        Arrays.fill(padded, Math.max(data.length, MetadataCodec.SIZE), padded.length, (byte) 'X');
        assertThat(MetadataCodec.decode(padded)).isEqualTo(md);
    }
}
