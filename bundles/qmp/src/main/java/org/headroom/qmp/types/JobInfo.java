package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/** query-jobs: a job's state; {@code error} set when it failed. */
public record JobInfo(String id, String type, String status,
                      @JsonProperty("current-progress") long currentProgress,
                      @JsonProperty("total-progress") long totalProgress,
                      String error) {
}
