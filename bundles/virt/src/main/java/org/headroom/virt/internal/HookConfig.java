package org.headroom.virt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Where the agent listens for libvirt's qemu hook: pid {@code org.headroom.virt.hook}. */
@ObjectClassDefinition(id = "org.headroom.virt.hook", name = "Headroom qemu hook receiver",
        description = "The root-only socket the qemu hook (hooks/) forwards libvirt's calls to")
public @interface HookConfig {

    @AttributeDefinition(description = "UNIX socket; its directory is made root-only (0700), the socket 0600")
    String socket() default "/run/headroom/hook.sock";

    @AttributeDefinition(description = "Largest domain XML accepted, bytes", min = "4096")
    int max__xml__bytes() default 16 << 20;

    @AttributeDefinition(description = "A hook that has not sent its whole request by then is cut off, ms", min = "100")
    int read__timeout__ms() default 5000;

    @AttributeDefinition(description = "Hook calls handled at once; more wait, up to 64, then are turned away", min = "1")
    int workers() default 4;
}
