package org.headroom.qmp.types;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Arguments of blockdev-mirror. Null fields are not sent (QEMU's defaults apply).
 *
 * @param sync     "top", "full" or "none"
 * @param copyMode "background" or "write-blocking"
 */
public record BlockdevMirror(@JsonProperty("job-id") String jobId, String device, String target,
                             String sync,
                             @JsonProperty("copy-mode") String copyMode,
                             @JsonProperty("auto-finalize") Boolean autoFinalize,
                             @JsonProperty("auto-dismiss") Boolean autoDismiss,
                             Long speed) {

    public static BlockdevMirror of(String jobId, String device, String target, String sync) {
        return new BlockdevMirror(jobId, device, target, sync, null, null, null, null);
    }
}
