package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.headroom.qmp.QmpJson;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link QmpMessage#decode}: any line a QMP peer sends, and the lines of any stream as the
 * framing cuts them (oversized ones through {@link QmpMessage#oversized}). Every line decodes to a
 * message, never an exception; what is unreadable is {@code Garbage}
 * with a reason and a short printable excerpt; a well-formed reply,
 * error or event built from the input's text decodes to what it carries. The corpus is a real QEMU
 * 7.2 session, one line per file, and a few unreadable lines the client must survive.
 */
@ExtendWith(FuzzInputTimeout.class)
class QmpMessageFuzzTest {
    private static final int LIMIT = 256;

    @FuzzTest
    void decode(byte[] data) {
        check(QmpMessage.decode(data));

        QmpFraming framing = new QmpFraming(LIMIT);
        for (QmpFraming.Frame frame : framing.feed(ByteBuffer.wrap(data))) {
            if (frame instanceof QmpFraming.Line l) {
                check(QmpMessage.decode(l.bytes()));
            } else {
                QmpMessage.Garbage big = (QmpMessage.Garbage) check(QmpMessage.oversized((QmpFraming.Oversized) frame, LIMIT));
                assertThat(big.reason()).contains("limit of " + LIMIT + " bytes");
            }
        }

        // One of a reply, an error or an event (in turn), carrying the input as text.
        String text = new String(data, StandardCharsets.UTF_8);
        int seed = Arrays.hashCode(data);
        switch (Math.floorMod(seed, 3)) {
            case 0 -> {
                long seconds = Math.floorMod(seed, 1L << 40);
                long micros = Math.floorMod(text.length() * 7919L, 1_000_000L);
                ObjectNode event = QmpJson.MAPPER.createObjectNode().put("event", text);
                event.putObject("data").put("node-name", text);
                event.putObject("timestamp").put("seconds", seconds).put("microseconds", micros);
                QmpMessage.Event e = (QmpMessage.Event) QmpMessage.decode(bytes(event));
                assertThat(e.event().name()).isEqualTo(text);
                assertThat(e.event().data().path("node-name").asText()).isEqualTo(text);
                assertThat(e.event().timestampMicros()).isEqualTo(seconds * 1_000_000L + micros);
            }
            case 1 -> {
                ObjectNode reply = QmpJson.MAPPER.createObjectNode().put("return", text).put("id", text);
                QmpMessage.Return r = (QmpMessage.Return) QmpMessage.decode(bytes(reply));
                assertThat(r.id().asText()).isEqualTo(text);
                assertThat(r.value().asText()).isEqualTo(text);
            }
            default -> {
                ObjectNode error = QmpJson.MAPPER.createObjectNode().put("id", text);
                error.putObject("error").put("class", text).put("desc", text);
                QmpMessage.Error e = (QmpMessage.Error) QmpMessage.decode(bytes(error));
                assertThat(e.id().asText()).isEqualTo(text);
                assertThat(e.errorClass()).isEqualTo(text);
                assertThat(e.description()).isEqualTo(text);
            }
        }
    }

    private static QmpMessage check(QmpMessage m) {
        assertThat(m).isNotNull();
        if (m instanceof QmpMessage.Garbage g) {
            assertThat(g.reason()).isNotBlank();
            assertThat(g.shape()).isNotNull();
            // The excerpt and the id go into the log and into a caller's error message.
            assertThat(g.excerpt()).hasSizeLessThanOrEqualTo(120);
            assertThat(g.excerpt().codePoints().noneMatch(Character::isISOControl)).as("printable: %s", g.excerpt()).isTrue();
        } else if (m instanceof QmpMessage.Event e) {
            assertThat(e.event().name()).isNotNull();
            assertThat(e.event().data()).isNotNull();
        } else if (m instanceof QmpMessage.Error e) {
            assertThat(e.errorClass()).isNotNull();
            assertThat(e.description()).isNotNull();
        } else if (m instanceof QmpMessage.Return r) {
            assertThat(r.value()).isNotNull();
        } else {
            assertThat(((QmpMessage.Greeting) m).qmp()).isNotNull();
        }
        return m;
    }

    private static byte[] bytes(ObjectNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
