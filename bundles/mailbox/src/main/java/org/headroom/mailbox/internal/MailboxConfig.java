package org.headroom.mailbox.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.headroom.mailbox.cfg}. Negative numbers and empty strings mean "as the policy says". */
@ObjectClassDefinition(name = "Headroom SPM mailbox",
        description = "The storage mailbox through which hosts ask the SPM to extend volumes")
public @interface MailboxConfig {

    @AttributeDefinition(description = "UUID of the storage domain whose dom_md holds the mailbox (the pool's master domain)")
    String domain();

    @AttributeDefinition(description = "This host's id in the pool, 1..2000")
    int host__id() default 1;

    @AttributeDefinition(description = "Timing preset: headroom, vdsm (the baseline), events-only, legacy-host")
    String policy() default "headroom";

    @AttributeDefinition(description = "Hosts whose inbox blocks the SPM reads: 1..max_host_id (up to 2000)")
    int max__host__id() default 250;

    @AttributeDefinition(description = "Whether hosts write events and the SPM reads them; empty: as the policy")
    String events__enable() default "";

    @AttributeDefinition(description = "SPM: how often the events block is read when idle, ms; -1: as the policy")
    long events__interval__ms() default -1;

    @AttributeDefinition(description = "SPM: the periodic full scan, ms; 0: events only; -1: as the policy")
    long scan__interval__ms() default -1;

    @AttributeDefinition(description = "Host: a request with no reply for this long fails (re-sent meanwhile, doubling from 1 s), ms; -1: as the policy (60000)")
    long request__timeout__ms() default -1;

    @AttributeDefinition(description = "Requests in flight per host, 1..63")
    int max__in__flight() default 63;

    @AttributeDefinition(description = "SPM: threads extending volumes at once")
    int spm__workers() default 4;
}
