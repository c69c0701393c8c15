package org.headroom.virt.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.migration.HookedMigrations;
import org.headroom.api.storage.StorageDomains;
import org.headroom.virt.HookStatus;
import org.headroom.virt.LibvirtStatus;
import org.headroom.virt.VirtService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Wires the hook receiver: the socket, the storage domains, and the libvirt adapter when there is
 * one. It is also the bundle's {@link VirtService}: the receiver always runs, the libvirt adapter
 * only with its configuration.
 */
@Component(configurationPid = "org.headroom.virt.hook", service = VirtService.class)
@Designate(ocd = HookConfig.class)
public class HookComponent implements VirtService {

    private final HookServer server;
    private final HookHandler handler;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile LibvirtAdapter libvirt;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile HookedMigrations migrations;

    @Activate
    public HookComponent(@Reference StorageDomains storage, HookConfig config) {
        handler = new HookHandler(storage, this::announce, new HookStats(), () -> migrations);
        try {
            server = new HookServer(Path.of(config.socket()), handler, config.max__xml__bytes(),
                    config.read__timeout__ms(), config.workers());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen for the qemu hook on " + config.socket() + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        server.close();
    }

    @Override
    public Optional<LibvirtStatus> libvirt() {
        LibvirtAdapter l = libvirt;
        return l == null ? Optional.empty() : Optional.of(l.status());
    }

    @Override
    public HookStatus hooks() {
        return handler.stats().snapshot(server.socket().toString(), server.health());
    }

    private void announce(DriveEvent event) {
        LibvirtAdapter l = libvirt;
        if (l != null) {
            l.announce(event);
        }
    }
}
