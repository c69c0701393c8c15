package org.headroom.lease.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/org.headroom.lease.cfg}: without it, the lease service does not start. */
@ObjectClassDefinition(name = "Headroom leases",
        description = "sanlock leases of this host: lockspaces of the connected domains, the SDM lease, volume leases")
public @interface LeaseConfig {

    @AttributeDefinition(description = "This host's id in every lockspace, 1..2000: unique in the pool (as the mailbox's host_id)")
    int host__id() default 1;

    @AttributeDefinition(description = "sanlock's I/O timeout, s: VDSM uses 10; a host is declared dead 8 I/O timeouts + 60 s after its last renewal")
    int io__timeout__s() default 10;

    @AttributeDefinition(description = "Host-local directory of the agent's killpath script and its flag (at most 100 characters)")
    String run__dir() default "/run/headroom/lease";

    @AttributeDefinition(description = "Threads running storage jobs at once")
    int job__workers() default 2;

    @AttributeDefinition(description = "Whether this host contends for the SPM role (the SDM lease of spm_domain)")
    boolean spm__candidate() default false;

    @AttributeDefinition(description = "The pool's master domain, whose SDM lease makes its holder the SPM (its mailbox "
            + "too); empty: the only connected domain")
    String spm__domain() default "";

    @AttributeDefinition(description = "How often a candidate tries for the SDM lease, and the SPM checks it still holds it, ms")
    long spm__interval__ms() default 2000;
}
