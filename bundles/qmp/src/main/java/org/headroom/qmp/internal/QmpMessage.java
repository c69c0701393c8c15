package org.headroom.qmp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.headroom.qmp.QmpEvent;
import org.headroom.qmp.QmpJson;

/**
 * One decoded QMP message. Pure: classifies a framed line by the keys the QMP spec defines and
 * ignores keys it does not know.
 */
public sealed interface QmpMessage {

    record Greeting(JsonNode qmp) implements QmpMessage {
        public boolean offersOob() {
            for (JsonNode cap : qmp.path("capabilities")) {
                if ("oob".equals(cap.asText())) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A successful reply; {@code id} is null when QEMU could not read one. */
    record Return(JsonNode id, JsonNode value) implements QmpMessage {
    }

    record Error(JsonNode id, String errorClass, String description) implements QmpMessage {
    }

    record Event(QmpEvent event) implements QmpMessage {
    }

    /** Not JSON, not an object, or an object of no known shape. */
    record Garbage(String reason, String excerpt) implements QmpMessage {
    }

    static QmpMessage decode(byte[] line) {
        JsonNode node;
        try {
            node = QmpJson.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return new Garbage("not JSON: " + e.getOriginalMessage(), excerpt(line));
        } catch (IOException e) {
            return new Garbage("unreadable: " + e.getMessage(), excerpt(line));
        }
        if (!(node instanceof ObjectNode)) {
            return new Garbage("not a JSON object", excerpt(line));
        }
        if (node.has("event")) {
            JsonNode ts = node.path("timestamp");
            long micros = ts.path("seconds").asLong() * 1_000_000L + ts.path("microseconds").asLong();
            JsonNode data = node.has("data") ? node.get("data") : QmpJson.MAPPER.createObjectNode();
            return new Event(new QmpEvent(node.get("event").asText(), data, micros));
        }
        JsonNode id = node.get("id");
        if (node.has("return")) {
            return new Return(id, node.get("return"));
        }
        if (node.has("error")) {
            JsonNode err = node.get("error");
            return new Error(id, err.path("class").asText("GenericError"), err.path("desc").asText(""));
        }
        if (node.has("QMP")) {
            return new Greeting(node.get("QMP"));
        }
        return new Garbage("object of unknown shape", excerpt(line));
    }

    private static String excerpt(byte[] line) {
        String text = new String(line, 0, Math.min(line.length, 120), StandardCharsets.UTF_8);
        return text.replaceAll("\\p{Cntrl}", "?");
    }
}
