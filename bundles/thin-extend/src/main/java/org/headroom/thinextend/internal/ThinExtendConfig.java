package org.headroom.thinextend.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.headroom.thinextend.cfg}: the volume monitor's policy and timing. */
@ObjectClassDefinition(name = "Headroom volume monitor",
        description = "When and by how much thin volumes are extended")
public @interface ThinExtendConfig {

    @AttributeDefinition(description = "chunk: VDSM's fixed chunks (the compatible default); adaptive: sized from the measured write rate and extension latency")
    String policy() default "chunk";

    @AttributeDefinition(description = "chunk: the size of one extension, MiB (VDSM: volume_utilization_chunk_mb); adaptive: the largest")
    long chunk__mb() default 2560;

    @AttributeDefinition(description = "Extend when the volume is this full, as % of a chunk (VDSM: volume_utilization_percent)")
    int utilization__percent() default 20;

    @AttributeDefinition(description = "adaptive: the smallest extension, MiB")
    long min__chunk__mb() default 256;

    @AttributeDefinition(description = "adaptive: free space kept = write rate x extension latency x this")
    double adaptive__safety() default 4;

    @AttributeDefinition(description = "adaptive: a chunk should last this long at the current write rate, seconds")
    double adaptive__horizon__s() default 4;

    @AttributeDefinition(description = "How often every drive is read, to catch events that were lost, ms")
    long check__interval__ms() default 2000;
}
