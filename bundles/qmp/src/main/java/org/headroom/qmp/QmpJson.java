package org.headroom.qmp;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON mapper of the QMP bundle: unknown keys are ignored, absent values not sent. Jackson's
 * own limits on a document and on one string are raised to the client's largest message
 * ({@link QmpClient#MAX_MESSAGE_BYTES}): the framing enforces that limit, and a message under it
 * must not be refused by Jackson (whose default string limit is 20 MB).
 */
public final class QmpJson {
    public static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength(QmpClient.MAX_MESSAGE_BYTES)
                            .maxDocumentLength(QmpClient.MAX_MESSAGE_BYTES)
                            .build())
                    .build())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    private QmpJson() {
    }

    /** Converts a reply or event payload to a typed record; a shape mismatch is a protocol error. */
    public static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return MAPPER.treeToValue(node, type);
        } catch (Exception e) {
            throw new QmpException("cannot read " + type.getSimpleName() + " from " + abbreviate(node) + ": "
                    + e.getMessage(), e);
        }
    }

    static String abbreviate(JsonNode node) {
        String text = String.valueOf(node);
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }
}
