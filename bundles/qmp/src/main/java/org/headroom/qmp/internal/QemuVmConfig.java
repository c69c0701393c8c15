package org.headroom.qmp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One QEMU process to attach to: a factory configuration per VM, pid {@code org.headroom.qmp.vm}. */
@ObjectClassDefinition(name = "Headroom QEMU VM",
        description = "A QEMU process Headroom attaches to over its QMP UNIX socket")
public @interface QemuVmConfig {

    @AttributeDefinition(description = "The VM's name, unique on this host")
    String name();

    @AttributeDefinition(description = "Path of the QMP UNIX socket (-qmp unix:PATH,server=on,wait=off)")
    String socket();

    @AttributeDefinition(description = "Timeout of one QMP command, milliseconds")
    long command__timeout__ms() default 10_000;

    @AttributeDefinition(description = "Longest wait between reconnection attempts, milliseconds")
    long reconnect__max__delay__ms() default 2_000;
}
