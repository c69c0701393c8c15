package org.headroom.storage.internal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.StorageException;
import org.headroom.storage.FileStorageDomain;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage domains this host is connected to, as configured by {@code org.headroom.storage}.
 * Without a configuration it connects every domain under the default root. A new configuration
 * reconnects (the component is re-activated). Disconnecting leaves active volumes attached:
 * running VMs are using them.
 */
@Component(configurationPid = "org.headroom.storage", service = StorageDomains.class)
@Designate(ocd = StorageConfig.class)
public class ConnectedStorageDomains implements StorageDomains {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectedStorageDomains.class);

    private volatile List<StorageDomain> domains = List.of();
    private volatile Path runDirectory = StorageDomains.super.runDirectory();

    /**
     * A listed domain that cannot be opened fails the activation: the host was told to serve it.
     * A domain merely found under the root is skipped with a warning: the root may hold anything.
     */
    @Activate
    void activate(StorageConfig config) {
        Path root = Path.of(config.root());
        runDirectory = Path.of(config.run__dir());
        String backend = config.backend();
        Set<UUID> listed = listed(config.domains());
        List<StorageDomain> connected = new ArrayList<>();
        if (listed.isEmpty()) {
            if (!Files.isDirectory(root)) {
                LOG.warn("storage root {} does not exist: no storage domain is connected", root);
            }
            for (UUID uuid : FileStorageDomain.domainsUnder(root)) {
                try {
                    connected.add(FileStorageDomain.open(root, uuid, backend));
                } catch (StorageException e) {
                    LOG.warn("skipping a directory under {} that is no usable domain: {}", root, e.getMessage());
                }
            }
        } else {
            for (UUID uuid : listed) {
                connected.add(config.create()
                        ? FileStorageDomain.create(root, uuid, backend)
                        : FileStorageDomain.open(root, uuid, backend));
            }
        }
        for (StorageDomain d : connected) {
            LOG.info("connected {}", d);
        }
        domains = List.copyOf(connected);
    }

    @Override
    public List<StorageDomain> domains() {
        return domains;
    }

    @Override
    public Path runDirectory() {
        return runDirectory;
    }

    @Override
    public Optional<StorageDomain> domain(UUID uuid) {
        return domains.stream().filter(d -> d.uuid().equals(uuid)).findFirst();
    }

    /**
     * The configured UUIDs. A {@code .cfg} line {@code domains = a, b} reaches DS as the single
     * string "a, b", so entries are split on commas and blanks as well.
     */
    static Set<UUID> listed(String[] entries) {
        Set<UUID> uuids = new LinkedHashSet<>();
        for (String entry : entries) {
            for (String name : entry.split("[,\\s]+")) {
                if (name.isEmpty()) {
                    continue;
                }
                try {
                    uuids.add(UUID.fromString(name));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("org.headroom.storage: domains lists '" + name + "', which is no UUID");
                }
            }
        }
        return uuids;
    }
}
