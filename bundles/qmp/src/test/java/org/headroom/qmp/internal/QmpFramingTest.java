package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QmpFramingTest {

    /** Lines as text, an oversized one as "<oversized N>". */
    private static List<String> feed(QmpFraming framing, String text) {
        return describe(framing.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
    }

    private static List<String> describe(List<QmpFraming.Frame> frames) {
        List<String> out = new ArrayList<>();
        for (QmpFraming.Frame f : frames) {
            out.add(f instanceof QmpFraming.Line l ? new String(l.bytes(), StandardCharsets.UTF_8)
                    : "<oversized " + ((QmpFraming.Oversized) f).length() + ">");
        }
        return out;
    }

    @Test
    void splitsOnNewlinesAndStripsCarriageReturns() {
        QmpFraming f = new QmpFraming(1024);
        assertThat(feed(f, "{\"a\":1}\r\n{\"b\":2}\r\n{\"c\"")).containsExactly("{\"a\":1}", "{\"b\":2}");
        assertThat(f.pendingBytes()).isEqualTo(4);
        assertThat(feed(f, ":3}\r\n")).containsExactly("{\"c\":3}");
        assertThat(f.pendingBytes()).isZero();
    }

    @Test
    void blankLinesAreNotMessages() {
        assertThat(feed(new QmpFraming(1024), "\r\n\n  \r\n{}\r\n")).containsExactly("{}");
    }

    @Test
    void anySplitOfTheStreamGivesTheSameFramesInOrder() {
        String stream = "{\"QMP\":{}}\r\n" + "x".repeat(40) + "\r\n{\"event\":\"STOP\"}\r\n{\"return\":{},\"id\":\"hr-1\"}\r\n";
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            QmpFraming f = new QmpFraming(32);
            byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < bytes.length) {
                int n = 1 + random.nextInt(Math.min(16, bytes.length - i));
                out.addAll(describe(f.feed(ByteBuffer.wrap(bytes, i, n))));
                i += n;
            }
            assertThat(out).containsExactly("{\"QMP\":{}}", "<oversized 40>", "{\"event\":\"STOP\"}", "{\"return\":{},\"id\":\"hr-1\"}");
        }
    }

    @Test
    void anOversizedLineIsDiscardedToItsEndAndReadingGoesOn() {
        QmpFraming f = new QmpFraming(8);
        assertThat(f.feed(ByteBuffer.wrap("0123456789abcdef".getBytes(StandardCharsets.US_ASCII)))).isEmpty();
        assertThat(f.pendingBytes()).isZero();
        assertThat(feed(f, "still long\r\n{}\r\n")).containsExactly("<oversized 26>", "{}");
    }

    @Test
    void anOversizedLineKeepsItsHeadAndItsTailForTheCaller() {
        QmpFraming f = new QmpFraming(1000);
        String line = "{\"return\": \"" + "x".repeat(5000) + "\", \"id\": \"hr-42\"}";
        List<QmpFraming.Frame> frames = new ArrayList<>();
        // In pieces, so that head and tail cross reads.
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < bytes.length; i += 333) {
            frames.addAll(f.feed(ByteBuffer.wrap(bytes, i, Math.min(333, bytes.length - i))));
        }
        assertThat(frames).hasSize(1);
        QmpFraming.Oversized big = (QmpFraming.Oversized) frames.get(0);
        assertThat(big.length()).isEqualTo(line.length());
        assertThat(new String(big.head(), StandardCharsets.US_ASCII)).isEqualTo(line.substring(0, QmpFraming.EXCERPT_BYTES));
        assertThat(new String(big.tail(), StandardCharsets.US_ASCII))
                .isEqualTo(line.substring(line.length() - QmpFraming.EXCERPT_BYTES));
    }

    @Test
    void theBufferShrinksBackAfterALargeLineAndAfterAnOversizedOne() {
        QmpFraming f = new QmpFraming(1 << 20);
        int initial = f.capacity();
        assertThat(feed(f, "y".repeat(500_000))).isEmpty();
        assertThat(f.capacity()).isGreaterThanOrEqualTo(500_000);
        assertThat(feed(f, "\r\n")).hasSize(1);
        assertThat(f.capacity()).isEqualTo(initial);

        assertThat(feed(f, "z".repeat(900_000))).isEmpty();
        assertThat(feed(f, "z".repeat(900_000) + "\n{}\n")).containsExactly("<oversized 1800000>", "{}");
        assertThat(f.capacity()).isEqualTo(initial);
    }

    @Test
    void aLineOfExactlyTheLimitIsKept() {
        assertThat(feed(new QmpFraming(8), "12345678\n")).containsExactly("12345678");
    }

    @Test
    void aDirectBufferIsFramedAsAHeapOne() {
        ByteBuffer direct = ByteBuffer.allocateDirect(16);
        direct.put("{}\r\n{\"a\"".getBytes(StandardCharsets.US_ASCII)).flip();
        QmpFraming f = new QmpFraming(64);
        assertThat(describe(f.feed(direct))).containsExactly("{}");
        assertThat(direct.hasRemaining()).isFalse();
        assertThat(f.pendingBytes()).isEqualTo(4);
    }

    @Test
    void rejectsAUselessLimit() {
        assertThatThrownBy(() -> new QmpFraming(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
