package org.headroom.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectFileTest {
    @TempDir
    Path dir;

    @Test
    void aFileEndingMidBlockReadsAsZerosAfterItsEnd() throws Exception {
        Path file = Files.writeString(dir.resolve("metadata"), "SDUUID=x\n");
        ByteBuffer block = DirectFile.buffer(2 * DirectFile.BLOCK);
        block.put(0, (byte) 0x7f).put(9, (byte) 0x7f).put(5000, (byte) 0x7f);

        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(0, block);
        }

        assertThat(block.position()).isZero();
        assertThat(block.get(0)).isEqualTo((byte) 'S');
        assertThat(block.get(9)).isZero();
        assertThat(block.get(5000)).isZero();
    }

    @Test
    void readingPastTheEndReadsZeros() throws Exception {
        Path file = Files.write(dir.resolve("block"), new byte[DirectFile.BLOCK]);
        ByteBuffer block = DirectFile.buffer(DirectFile.BLOCK);
        block.put(0, (byte) 1);

        try (DirectFile f = DirectFile.open(file, false)) {
            f.read(DirectFile.BLOCK, block);
        }

        assertThat(block.get(0)).isZero();
    }
}
