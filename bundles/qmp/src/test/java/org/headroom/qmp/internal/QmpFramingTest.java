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

    private static List<String> feed(QmpFraming framing, String text) {
        List<String> out = new ArrayList<>();
        for (byte[] m : framing.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))).messages()) {
            out.add(new String(m, StandardCharsets.UTF_8));
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
    void anySplitOfTheStreamGivesTheSameMessages() {
        String stream = "{\"QMP\":{}}\r\n{\"event\":\"STOP\"}\r\n{\"return\":{},\"id\":\"hr-1\"}\r\n";
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            QmpFraming f = new QmpFraming(1024);
            byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < bytes.length) {
                int n = 1 + random.nextInt(Math.min(16, bytes.length - i));
                for (byte[] m : f.feed(ByteBuffer.wrap(bytes, i, n)).messages()) {
                    out.add(new String(m, StandardCharsets.UTF_8));
                }
                i += n;
            }
            assertThat(out).containsExactly("{\"QMP\":{}}", "{\"event\":\"STOP\"}", "{\"return\":{},\"id\":\"hr-1\"}");
        }
    }

    @Test
    void anOversizedLineIsDiscardedToItsEndAndReadingGoesOn() {
        QmpFraming f = new QmpFraming(8);
        QmpFraming.Frames frames = f.feed(ByteBuffer.wrap("0123456789abcdef".getBytes(StandardCharsets.US_ASCII)));
        assertThat(frames.messages()).isEmpty();
        assertThat(frames.oversized()).isEqualTo(1);
        assertThat(f.pendingBytes()).isZero();
        frames = f.feed(ByteBuffer.wrap("still long\r\n{}\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(frames.oversized()).isZero();
        assertThat(frames.messages()).hasSize(1);
        assertThat(new String(frames.messages().get(0), StandardCharsets.US_ASCII)).isEqualTo("{}");
    }

    @Test
    void aLineOfExactlyTheLimitIsKept() {
        assertThat(feed(new QmpFraming(8), "12345678\n")).containsExactly("12345678");
    }

    @Test
    void rejectsAUselessLimit() {
        assertThatThrownBy(() -> new QmpFraming(1)).isInstanceOf(IllegalArgumentException.class);
    }
}
