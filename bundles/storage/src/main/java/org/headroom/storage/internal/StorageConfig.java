package org.headroom.storage.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Which storage domains this host connects to, and how it reaches their volumes: pid {@code org.headroom.storage}. */
@ObjectClassDefinition(id = "org.headroom.storage", name = "Headroom storage",
        description = "The storage domains this host is connected to and the backend of their volumes")
public @interface StorageConfig {

    @AttributeDefinition(description = "Directory holding the storage domains, one <domain UUID> directory each")
    String root() default "/var/lib/headroom/storage";

    @AttributeDefinition(description = "How volumes are stored and attached on this host",
            options = {
                @Option(value = "loop", label = "loop: files attached as loop devices (the LV stand-in)"),
                @Option(value = "file", label = "file: plain files, as on NFS"),
                @Option(value = "lvm", label = "lvm: logical volumes in the volume group named by the domain")
            })
    String backend() default "loop";

    @AttributeDefinition(description = "UUIDs of the domains to connect; empty connects every domain found under root")
    String[] domains() default {};

    @AttributeDefinition(description = "Create the listed domains that are missing")
    boolean create() default false;

    @AttributeDefinition(description = "Host-local directory of the links VMs open volumes by: <run_dir>/<domain>/<image>/<volume>")
    String run__dir() default DEFAULT_RUN_DIR;

    /** Host-local, as VDSM's /run/vdsm/storage: never on shared storage. */
    String DEFAULT_RUN_DIR = "/run/headroom/storage";
}
