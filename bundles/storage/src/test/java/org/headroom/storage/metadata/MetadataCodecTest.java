package org.headroom.storage.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeMetadata.Allocation;
import org.headroom.api.storage.VolumeMetadata.Format;
import org.headroom.api.storage.VolumeMetadata.Legality;
import org.headroom.api.storage.VolumeMetadata.Role;
import org.junit.jupiter.api.Test;

/** The metadata codec: round trips over random metadata, and every malformed form refused. */
class MetadataCodecTest {
    private static final UUID SD = UUID.fromString("3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10");
    private static final UUID IMG = UUID.fromString("7c224199-0c3a-4c8f-a2b1-9b6c0d1e2f30");

    /** A v5 volume's metadata as VDSM writes it (keys sorted, EOF), per the spec's key list. */
    static final String VDSM_V5 = """
            CAP=21474836480
            CTIME=1700000000
            DESCRIPTION={"DiskAlias":"vm1_Disk1","DiskDescription":""}
            DISKTYPE=DATA
            DOMAIN=3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10
            FORMAT=COW
            GEN=3
            IMAGE=7c224199-0c3a-4c8f-a2b1-9b6c0d1e2f30
            LEGALITY=LEGAL
            PUUID=00000000-0000-0000-0000-000000000000
            SEQ=0
            TYPE=SPARSE
            VOLTYPE=LEAF
            EOF
            """;

    private static VolumeMetadata random(Random r) {
        String description = r.nextInt(4) == 0 ? "" : "disk " + Integer.toHexString(r.nextInt()) + " ü ∂".repeat(r.nextInt(8));
        return new VolumeMetadata(UUID.randomUUID(), UUID.randomUUID(), r.nextBoolean() ? VolumeMetadata.BLANK : UUID.randomUUID(),
                1 + (r.nextLong() >>> 2), Format.values()[r.nextInt(2)], Allocation.values()[r.nextInt(2)],
                Role.values()[r.nextInt(3)], r.nextBoolean() ? "DATA" : "ISOF", description,
                Legality.values()[r.nextInt(3)], r.nextInt(Integer.MAX_VALUE), r.nextInt(1000),
                r.nextLong() & 0xFFFFFFFFL, r.nextInt(5) == 0 ? Map.of("POOL_UUID", "") : Map.of());
    }

    @Test
    void whatIsEncodedDecodesToTheSameMetadata() {
        Random r = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            VolumeMetadata md = random(r);
            byte[] block = MetadataCodec.encode(md);
            assertThat(block.length).isLessThanOrEqualTo(MetadataCodec.SIZE);
            assertThat(MetadataCodec.decode(block)).isEqualTo(md);
            byte[] padded = Arrays.copyOf(block, 4096); // as read from a block: zeros after EOF
            assertThat(MetadataCodec.decode(padded)).isEqualTo(md);
        }
    }

    @Test
    void vdsmsOwnV5MetadataIsReadAndWrittenBackByteForByte() {
        byte[] vdsm = VDSM_V5.getBytes(StandardCharsets.UTF_8);
        VolumeMetadata md = MetadataCodec.decode(vdsm);
        assertThat(md.domain()).isEqualTo(SD);
        assertThat(md.image()).isEqualTo(IMG);
        assertThat(md.capacity()).isEqualTo(20L << 30);
        assertThat(md.format()).isEqualTo(Format.COW);
        assertThat(md.generation()).isEqualTo(3);
        assertThat(md.legality()).isEqualTo(Legality.LEGAL);
        assertThat(new String(MetadataCodec.encode(md), StandardCharsets.UTF_8)).isEqualTo(VDSM_V5);
    }

    @Test
    void aVolumeOlderThanGenAndSeqReadsThemAsZero() {
        String old = VDSM_V5.replace("GEN=3\n", "").replace("SEQ=0\n", "");
        VolumeMetadata md = MetadataCodec.decode(old.getBytes(StandardCharsets.UTF_8));
        assertThat(md.generation()).isZero();
        assertThat(md.sequence()).isZero();
    }

    @Test
    void everyTruncationBeforeEofIsRefused() {
        byte[] block = VDSM_V5.getBytes(StandardCharsets.UTF_8);
        int eof = VDSM_V5.indexOf("EOF");
        for (int n = 0; n < eof + 3; n++) {
            byte[] torn = Arrays.copyOf(Arrays.copyOf(block, n), 512); // a write torn at byte n, the rest zeros
            int cut = n;
            assertThatThrownBy(() -> MetadataCodec.decode(torn)).as("torn at %d", cut)
                    .isInstanceOf(MalformedMetadataException.class);
        }
    }

    @Test
    void everyMissingKeyIsNamed() {
        for (String key : List.of("CAP", "CTIME", "DESCRIPTION", "DISKTYPE", "DOMAIN", "FORMAT", "IMAGE", "LEGALITY", "PUUID",
                "TYPE", "VOLTYPE")) {
            String without = VDSM_V5.replaceAll("(?m)^" + key + "=.*\n", "");
            assertThatThrownBy(() -> decode(without)).as(key).isInstanceOf(MalformedMetadataException.class)
                    .hasMessageContaining("no " + key);
        }
    }

    @Test
    void malformedFormsAreRefusedWithTheReason() {
        Map<String, String> bad = Map.ofEntries(
                Map.entry(VDSM_V5.replace("GEN=3", "GEN=1000"), "GEN=1000 is beyond 999"),
                Map.entry(VDSM_V5.replace("SEQ=0", "SEQ=4294967296"), "SEQ=4294967296 is beyond"),
                Map.entry(VDSM_V5.replace("CAP=21474836480", "CAP=-5"), "CAP=-5 is no number"),
                Map.entry(VDSM_V5.replace("CAP=21474836480", "CAP=0"), "capacity must be positive"),
                Map.entry(VDSM_V5.replace("CAP=21474836480", "CAP= 21474836480"), "is no number"),
                Map.entry(VDSM_V5.replace("CTIME=1700000000", "CTIME=017"), "CTIME=017 is no number"),
                Map.entry(VDSM_V5.replace("FORMAT=COW", "FORMAT=QCOW2"), "FORMAT=QCOW2 is none of"),
                Map.entry(VDSM_V5.replace("LEGALITY=LEGAL", "LEGALITY=legal"), "LEGALITY=legal is none of"),
                Map.entry(VDSM_V5.replace("DOMAIN=3f1d6a52", "DOMAIN=3F1D6A52"), "is no UUID"),
                Map.entry(VDSM_V5.replace("PUUID=00000000-0000-0000-0000-000000000000", "PUUID=none"), "PUUID=none is no UUID"),
                Map.entry(VDSM_V5.replace("TYPE=SPARSE\n", "TYPE=SPARSE\nTYPE=SPARSE\n"), "TYPE twice"),
                Map.entry(VDSM_V5.replace("VOLTYPE=LEAF\n", "VOLTYPE=LEAF\ngarbage\n"), "is not KEY=value"),
                Map.entry(VDSM_V5.replace("VOLTYPE=LEAF\n", "VOLTYPE=LEAF\nlower=1\n"), "is no key"),
                Map.entry("NONE=######\nEOF\n", "cleared"),
                Map.entry(VDSM_V5.replace("DISKTYPE=DATA", "DISKTYPE=DATA\r"), "holds a carriage return"),
                Map.entry(VDSM_V5.replace("EOF\n", ""), "no EOF"));
        for (Map.Entry<String, String> e : bad.entrySet()) {
            assertThatThrownBy(() -> decode(e.getKey())).as(e.getValue()).isInstanceOf(MalformedMetadataException.class)
                    .hasMessageContaining(e.getValue());
        }
        byte[] notUtf8 = VDSM_V5.getBytes(StandardCharsets.UTF_8);
        notUtf8[VDSM_V5.indexOf("DiskAlias")] = (byte) 0xC3;
        notUtf8[VDSM_V5.indexOf("DiskAlias") + 1] = (byte) 0x28;
        assertThatThrownBy(() -> MetadataCodec.decode(notUtf8)).hasMessageContaining("not UTF-8");
        assertThat(MetadataCodec.cleared("NONE=######\nEOF\n".getBytes(StandardCharsets.US_ASCII))).isTrue();
    }

    @Test
    void nothingIsEverTruncatedOnWrite() {
        VolumeMetadata md = MetadataCodec.decode(VDSM_V5.getBytes(StandardCharsets.UTF_8));
        VolumeMetadata long1 = new VolumeMetadata(md.domain(), md.image(), md.parent(), md.capacity(), md.format(),
                md.allocation(), md.role(), md.diskType(), "x".repeat(260), md.legality(), md.ctime(), md.generation(),
                md.sequence(), md.extra());
        assertThatThrownBy(() -> MetadataCodec.encode(long1)).hasMessageContaining("larger than 512");
        assertThatThrownBy(() -> VolumeMetadata.created(new org.headroom.api.storage.VolumeRef(SD, IMG, UUID.randomUUID()),
                VolumeMetadata.BLANK, 1, Format.COW, Allocation.SPARSE, "d".repeat(211), 0))
                .hasMessageContaining("longer than 210");
        VolumeMetadata newline = new VolumeMetadata(md.domain(), md.image(), md.parent(), md.capacity(), md.format(),
                md.allocation(), md.role(), md.diskType(), "two\nlines", md.legality(), md.ctime(), md.generation(),
                md.sequence(), md.extra());
        assertThatThrownBy(() -> MetadataCodec.encode(newline)).hasMessageContaining("line break");
    }

    @Test
    void theGenerationWrapsAsVdsmsDoes() {
        assertThat(VolumeMetadata.nextGeneration(0)).isEqualTo(1);
        assertThat(VolumeMetadata.nextGeneration(998)).isEqualTo(999);
        assertThat(VolumeMetadata.nextGeneration(999)).isZero();
    }

    private static VolumeMetadata decode(String text) {
        return MetadataCodec.decode(text.getBytes(StandardCharsets.UTF_8));
    }
}
