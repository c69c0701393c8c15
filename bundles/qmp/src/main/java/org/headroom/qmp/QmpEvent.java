package org.headroom.qmp;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * An event as QEMU sent it. {@code data} is never null (an empty object when QEMU sent none).
 * Use {@link #as(Class)} with a record from {@code org.headroom.qmp.events} for a typed view.
 *
 * @param name            e.g. "BLOCK_WRITE_THRESHOLD"
 * @param data            the event's payload
 * @param timestampMicros QEMU's wall-clock timestamp, microseconds since the epoch
 */
public record QmpEvent(String name, JsonNode data, long timestampMicros) {

    public <T> T as(Class<T> type) {
        return QmpJson.convert(data, type);
    }
}
