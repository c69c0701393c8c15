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
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.DomainSet;
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

    private volatile DomainSet connected = DomainSet.of(Path.of(StorageConfig.DEFAULT_RUN_DIR));

    /**
     * A listed domain that cannot be opened fails the activation: the host was told to serve it.
     * A domain merely found under the root is skipped with a warning: the root may hold anything.
     */
    @Activate
    void activate(StorageConfig config) {
        Path root = Path.of(config.root());
        Path runDirectory = Path.of(config.run__dir());
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
        this.connected = DomainSet.of(runDirectory, connected);
    }

    @Override
    public List<StorageDomain> domains() {
        return connected.domains();
    }

    @Override
    public Path runDirectory() {
        return connected.runDirectory();
    }

    @Override
    public Optional<StorageDomain> domain(UUID uuid) {
        return connected.domain(uuid);
    }

    @Override
    public Path runPath(VolumeRef volume) {
        return connected.runPath(volume);
    }

    @Override
    public boolean underRunDirectory(Path path) {
        return connected.underRunDirectory(path);
    }

    @Override
    public Optional<VolumeRef> volumeAt(Path path) {
        return connected.volumeAt(path);
    }

    @Override
    public Path prepare(VolumeRef volume) {
        return connected.prepare(volume);
    }

    @Override
    public void teardown(VolumeRef volume) {
        connected.teardown(volume);
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
