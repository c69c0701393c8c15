package org.headroom.migrate.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Settings of live migration and the agents' endpoint, pid {@code org.headroom.migrate}. */
@ObjectClassDefinition(name = "Headroom live migration",
        description = "The agents' mutual-TLS endpoint, the pool's peers, and how volumes are attached")
public @interface MigrateConfig {

    @AttributeDefinition(description = "This agent's name in the pool: the CN of its certificate")
    String host() default "";

    @AttributeDefinition(description = "Address the agents' endpoint listens on")
    String bind__address() default "0.0.0.0";

    @AttributeDefinition(description = "Port of the agents' endpoint (HTTPS, mutual TLS)")
    int port() default 54330;

    @AttributeDefinition(description = "PKCS#12 key store: this agent's key and certificate, issued by the pool's CA")
    String keystore() default "/etc/pki/headroom/agent.p12";

    @AttributeDefinition(description = "PKCS#12 trust store holding the pool's CA certificate, and nothing else")
    String truststore() default "/etc/pki/headroom/pool-ca.p12";

    @AttributeDefinition(description = "File holding the stores' password (one line)")
    String password__file() default "/etc/pki/headroom/password";

    @AttributeDefinition(description = "The pool's other agents: NAME=https://ADDRESS:PORT, one per host")
    String[] peers() default {};

    @AttributeDefinition(description = "early: attach the volumes on the destination before the source pauses; "
            + "legacy: attach them inside the downtime (for comparison, and for backends that cannot attach early)")
    String attach() default "early";

    @AttributeDefinition(description = "Where the destination's QEMU listens for an incoming migration: "
            + "unix (a socket under the run directory, hosts sharing a machine) or tcp:ADDRESS:PORT")
    String incoming() default "unix";

    @AttributeDefinition(description = "Directory of the incoming migrations' UNIX sockets")
    String run__dir() default "/run/headroom/migrate";

    @AttributeDefinition(description = "A migration still not completed after this long is cancelled, seconds")
    long migration__timeout__s() default 600;

    @AttributeDefinition(description = "Timeout of a call to another agent outside the downtime, milliseconds")
    long call__timeout__ms() default 60_000;

    @AttributeDefinition(description = "Timeout of the destination's activate, inside the downtime, milliseconds")
    long activate__timeout__ms() default 2_000;
}
