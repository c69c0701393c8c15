package org.headroom.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.VolumeBackend;
import org.headroom.api.storage.VolumeMetadata;
import org.headroom.api.storage.VolumeRef;

/**
 * A real storage domain as an SPM sees it when its backend cannot grow anything (a full volume
 * group, a backend with a bug): every extend throws what {@code error} makes; everything else is
 * the real domain's.
 */
public final class RefusingDomain implements StorageDomain {
    private final StorageDomain real;
    private final VolumeBackend backend;

    public RefusingDomain(StorageDomain real, Supplier<? extends RuntimeException> error) {
        this.real = real;
        this.backend = (VolumeBackend) Proxy.newProxyInstance(VolumeBackend.class.getClassLoader(),
                new Class<?>[] {VolumeBackend.class}, (proxy, method, args) -> {
                    if (method.getName().equals("extend")) {
                        throw error.get();
                    }
                    try {
                        return method.invoke(real.volumes(), args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public UUID uuid() {
        return real.uuid();
    }

    @Override
    public Path path() {
        return real.path();
    }

    @Override
    public Path inbox() {
        return real.inbox();
    }

    @Override
    public Path outbox() {
        return real.outbox();
    }

    @Override
    public VolumeBackend volumes() {
        return backend;
    }

    @Override
    public List<VolumeRef> listVolumes() {
        return real.listVolumes();
    }

    @Override
    public VolumeRef volume(UUID volume) {
        return real.volume(volume);
    }

    @Override
    public Optional<VolumeRef> volumeAt(Path active) {
        return real.volumeAt(active);
    }

    @Override
    public VolumeMetadata metadata(VolumeRef volume) {
        return real.metadata(volume);
    }

    @Override
    public void writeMetadata(VolumeRef volume, VolumeMetadata metadata) {
        real.writeMetadata(volume, metadata);
    }
}
