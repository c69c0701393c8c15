package org.headroom.virt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How the agent reaches libvirt: pid {@code org.headroom.virt}. Without this configuration libvirt's VMs are not served. */
@ObjectClassDefinition(id = "org.headroom.virt", name = "Headroom libvirt",
        description = "The libvirt connection whose VMs Headroom watches and extends")
public @interface LibvirtConfig {

    @AttributeDefinition(description = "libvirt connection URI")
    String uri() default "qemu:///system";

    @AttributeDefinition(description = "Wait between attempts to (re)connect when libvirtd is down, ms", min = "50")
    int reconnect__interval__ms() default 1000;

    @AttributeDefinition(description = "Keepalive: seconds between probes of an idle connection (libvirtd gone silent)", min = "1")
    int keepalive__interval__s() default 5;

    @AttributeDefinition(description = "Keepalive: probes unanswered before the connection is closed", min = "1")
    int keepalive__count() default 3;

    @AttributeDefinition(description = "Re-read the list of VMs this often, ms, beside libvirt's lifecycle events", min = "500")
    int relist__interval__ms() default 5000;
}
