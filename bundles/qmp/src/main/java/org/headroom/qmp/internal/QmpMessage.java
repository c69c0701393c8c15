package org.headroom.qmp.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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

    /** A successful reply; {@code id} as QEMU echoed it, or null. */
    record Return(JsonNode id, JsonNode value) implements QmpMessage {
    }

    /** An error reply; {@code id} is null when QEMU could not read the command. */
    record Error(JsonNode id, String errorClass, String description) implements QmpMessage {
    }

    record Event(QmpEvent event) implements QmpMessage {
    }

    /** What an unreadable line most likely was, judged from its head. */
    enum Shape {
        /** Its head shows an event: it answers no command. */
        EVENT,
        /** Anything else QEMU sends is a reply: it answers a command, in order. */
        REPLY,
        /** A readable object of no known shape and without id: it answers nothing. */
        UNKNOWN
    }

    /**
     * A line that is not a readable QMP message: not JSON, not an object, larger than the limit,
     * or of no known shape. {@code id} is a string id found in its tail (QEMU puts the id last),
     * or null.
     */
    record Garbage(String reason, String excerpt, Shape shape, String id) implements QmpMessage {
    }

    /** Decodes one framed line (without its CR LF). */
    static QmpMessage decode(byte[] line) {
        JsonNode node;
        try {
            node = QmpJson.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            return unreadable("not JSON: " + e.getOriginalMessage(), line, line);
        } catch (IOException e) {
            return unreadable("unreadable: " + e.getMessage(), line, line);
        }
        if (!(node instanceof ObjectNode)) {
            return unreadable("not a JSON object", line, line);
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
        if (id != null) {
            return new Garbage("a reply of no known shape", UnreadableLines.excerpt(line), Shape.REPLY, id.isTextual() ? id.asText() : null);
        }
        return new Garbage("an object of no known shape", UnreadableLines.excerpt(line), Shape.UNKNOWN, null);
    }

    /** What the framing kept of a line longer than {@code limit}. */
    static Garbage oversized(QmpFraming.Oversized line, int limit) {
        return unreadable("larger than the client's limit of " + limit + " bytes (" + line.length() + " bytes)",
                line.head(), line.tail());
    }

    private static Garbage unreadable(String reason, byte[] head, byte[] tail) {
        return new Garbage(reason, UnreadableLines.excerpt(head), UnreadableLines.shapeOf(head), UnreadableLines.idIn(tail));
    }
}
