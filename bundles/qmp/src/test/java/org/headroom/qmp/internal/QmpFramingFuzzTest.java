package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link QmpFraming#feed}: any bytes a QMP peer sends, fed whole (from an array at an
 * offset) and in random pieces (down to single bytes, from heap and from direct buffers). The frames must be the same
 * whatever the pieces, and the ones its documentation promises: each line without its CR LF, blank
 * lines dropped, a line longer than the limit (its CR LF not counted) discarded but for its head
 * and tail; the buffer never beyond the limit. The corpus is a real QEMU 7.2 session (greeting,
 * replies, errors, events), CRLF-terminated as QEMU sends it, and pieces of it.
 */
@ExtendWith(FuzzInputTimeout.class)
class QmpFramingFuzzTest {
    private static final int INITIAL_CAPACITY = 4096;

    @FuzzTest
    void feed(byte[] data) {
        // A limit below, at or around the excerpt size, or (one input in eight) one no line here reaches.
        int seed = Arrays.hashCode(data);
        int limit = (seed & 7) == 0 ? 1 << 20 : 2 + Math.floorMod(seed >> 3, 300);
        List<String> expected = reference(data, limit);
        assertThat(atAnOffset(data, limit)).as("limit %d, whole, from an offset", limit).isEqualTo(expected);
        assertThat(pieces(data, limit, 16, false, seed)).as("limit %d, pieces of 1 to 16 bytes", limit).isEqualTo(expected);
        assertThat(pieces(data, limit, 300, true, seed)).as("limit %d, direct buffers", limit).isEqualTo(expected);
    }

    private static List<String> atAnOffset(byte[] data, int limit) {
        byte[] padded = new byte[data.length + 20];
        Arrays.fill(padded, (byte) '\n'); // newlines outside the slice must not be seen
        System.arraycopy(data, 0, padded, 7, data.length);
        QmpFraming framing = new QmpFraming(limit);
        ByteBuffer in = ByteBuffer.wrap(padded, 7, data.length).slice();
        List<String> frames = describe(framing.feed(in));
        assertThat(in.hasRemaining()).isFalse();
        checkBuffer(framing, data, limit);
        return frames;
    }

    /** Random pieces of 1 to {@code largest} bytes, from heap or direct buffers. */
    private static List<String> pieces(byte[] data, int limit, int largest, boolean direct, int seed) {
        QmpFraming framing = new QmpFraming(limit);
        Random random = new Random(seed);
        List<String> frames = new ArrayList<>();
        for (int i = 0; i < data.length; ) {
            int n = 1 + random.nextInt(Math.min(largest, data.length - i));
            ByteBuffer piece;
            if (direct) {
                piece = ByteBuffer.allocateDirect(n);
                piece.put(data, i, n).flip();
            } else {
                piece = ByteBuffer.wrap(data, i, n);
            }
            frames.addAll(describe(framing.feed(piece)));
            assertThat(piece.hasRemaining()).isFalse();
            assertThat(framing.capacity()).isLessThanOrEqualTo(Math.max(INITIAL_CAPACITY, limit + 1));
            i += n;
        }
        checkBuffer(framing, data, limit);
        return frames;
    }

    /** After the last byte: what is held back is the unfinished last line, unless it is being discarded. */
    private static void checkBuffer(QmpFraming framing, byte[] data, int limit) {
        int lastNewline = -1;
        for (int i = data.length - 1; i >= 0 && lastNewline < 0; i--) {
            if (data[i] == '\n') {
                lastNewline = i;
            }
        }
        int unfinished = data.length - lastNewline - 1;
        // one byte over the limit is held too: it may be the CR of a line of exactly the limit
        assertThat(framing.pendingBytes()).isEqualTo(unfinished <= limit + 1 ? unfinished : 0);
        assertThat(framing.capacity()).isLessThanOrEqualTo(Math.max(INITIAL_CAPACITY, limit + 1));
    }

    /** The frames as the documentation defines them, read from the whole input at once. */
    private static List<String> reference(byte[] data, int limit) {
        List<String> frames = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] != '\n') {
                continue;
            }
            byte[] raw = Arrays.copyOfRange(data, start, i);
            start = i + 1;
            byte[] line = raw.length > 0 && raw[raw.length - 1] == '\r' ? Arrays.copyOf(raw, raw.length - 1) : raw;
            if (line.length > limit) {
                int excerpt = QmpFraming.EXCERPT_BYTES;
                frames.add(oversized(line.length, Arrays.copyOf(raw, Math.min(excerpt, raw.length)),
                        Arrays.copyOfRange(line, Math.max(0, line.length - excerpt), line.length)));
            } else if (!blank(line)) {
                frames.add(line(line));
            }
        }
        return frames;
    }

    private static List<String> describe(List<QmpFraming.Frame> frames) {
        List<String> out = new ArrayList<>();
        for (QmpFraming.Frame f : frames) {
            if (f instanceof QmpFraming.Line l) {
                out.add(line(l.bytes()));
            } else {
                QmpFraming.Oversized o = (QmpFraming.Oversized) f;
                out.add(oversized(o.length(), o.head(), o.tail()));
            }
        }
        return out;
    }

    private static String line(byte[] bytes) {
        return "line " + HexFormat.of().formatHex(bytes);
    }

    private static String oversized(long length, byte[] head, byte[] tail) {
        return "oversized " + length + " head " + HexFormat.of().formatHex(head) + " tail " + HexFormat.of().formatHex(tail);
    }

    private static boolean blank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
