package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** query-migrate; times in milliseconds, absent until known. */
public record MigrationInfo(String status,
                            @JsonProperty("total-time") Long totalTime,
                            Long downtime,
                            @JsonProperty("expected-downtime") Long expectedDowntime,
                            @JsonProperty("setup-time") Long setupTime,
                            JsonNode ram) {
}
