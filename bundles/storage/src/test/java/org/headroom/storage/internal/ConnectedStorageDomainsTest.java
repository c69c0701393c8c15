package org.headroom.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageException;
import org.headroom.api.storage.UnknownVolumeException;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectedStorageDomainsTest {
    @TempDir
    Path root;

    static StorageConfig config(Path root, boolean create, String... domains) {
        return new StorageConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return StorageConfig.class;
            }

            @Override
            public String root() {
                return root.toString();
            }

            @Override
            public String backend() {
                return "file";
            }

            @Override
            public String[] domains() {
                return domains;
            }

            @Override
            public boolean create() {
                return create;
            }

            @Override
            public String run__dir() {
                return root.resolve("run").toString();
            }
        };
    }

    @Test
    void createsAndConnectsTheListedDomains() {
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        ConnectedStorageDomains storage = new ConnectedStorageDomains();

        storage.activate(config(root.resolve("new"), true, a + ", " + b));

        assertThat(storage.domains()).extracting(StorageDomain::uuid).containsExactly(a, b);
        assertThat(storage.domain(b)).get().extracting(StorageDomain::path).isEqualTo(root.resolve("new/" + b));
        assertThat(storage.domain(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aListedDomainThatIsMissingFailsTheActivation() {
        UUID a = UUID.randomUUID();

        assertThatThrownBy(() -> new ConnectedStorageDomains().activate(config(root, false, a.toString())))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("no storage domain " + a);
    }

    @Test
    void withoutAListConnectsEveryUsableDomainUnderTheRoot() throws Exception {
        UUID good = UUID.randomUUID();
        FileStorageDomain.create(root, good, "file");
        UUID broken = UUID.randomUUID();
        Files.createDirectories(root.resolve(broken + "/dom_md"));
        ConnectedStorageDomains storage = new ConnectedStorageDomains();

        storage.activate(config(root, false, ""));

        assertThat(storage.domains()).extracting(StorageDomain::uuid).containsExactly(good);
    }

    @Test
    void aMissingRootConnectsNothing() {
        ConnectedStorageDomains storage = new ConnectedStorageDomains();

        storage.activate(config(root.resolve("absent"), false));

        assertThat(storage.domains()).isEmpty();
    }

    @Test
    void anEntryThatIsNoUuidIsAConfigurationError() {
        assertThatThrownBy(() -> ConnectedStorageDomains.listed(new String[] {"not-a-uuid"}))
                .hasMessageContaining("'not-a-uuid', which is no UUID");
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        assertThat(ConnectedStorageDomains.listed(new String[] {" " + a + " ,", b.toString(), a.toString()})).containsExactly(a, b);
    }

    @Test
    void preparedVolumesAreReachedByTheirRunPathAndTracedBack() throws Exception {
        UUID domain = UUID.randomUUID();
        ConnectedStorageDomains storage = new ConnectedStorageDomains();
        storage.activate(config(root.resolve("sd"), true, domain.toString()));
        VolumeRef volume = new VolumeRef(domain, UUID.randomUUID(), UUID.randomUUID());
        storage.domain(domain).orElseThrow().volumes().create(volume, 1 << 20);

        Path link = storage.prepare(volume);

        assertThat(link).isEqualTo(root.resolve("sd/run/" + domain + "/" + volume.image() + "/" + volume.volume()));
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(link.toRealPath()).isEqualTo(root.resolve("sd/" + domain + "/images/" + volume.image() + "/"
                + volume.volume()).toRealPath());
        assertThat(storage.prepare(volume)).as("idempotent").isEqualTo(link);
        assertThat(storage.volumeAt(link)).contains(volume);
        assertThat(storage.volumeAt(link.toRealPath())).contains(volume);

        storage.teardown(volume);
        storage.teardown(volume);
        assertThat(Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(storage.volumeAt(link)).as("a run path names its volume even when not prepared").contains(volume);
        assertThat(link.getParent()).as("the image's run directory goes with its last volume").doesNotExist();
        assertThat(link.getParent().getParent()).as("and the domain's").doesNotExist();
    }

    @Test
    void aRunDirectoryStaysWhileAnotherVolumeOfItIsPrepared() {
        UUID domain = UUID.randomUUID();
        ConnectedStorageDomains storage = new ConnectedStorageDomains();
        storage.activate(config(root.resolve("sd"), true, domain.toString()));
        UUID image = UUID.randomUUID();
        VolumeRef base = new VolumeRef(domain, image, UUID.randomUUID());
        VolumeRef top = new VolumeRef(domain, image, UUID.randomUUID());
        storage.domain(domain).orElseThrow().volumes().create(base, 1 << 20);
        storage.domain(domain).orElseThrow().volumes().create(top, 1 << 20);
        storage.prepare(base);
        Path topLink = storage.prepare(top);

        storage.teardown(base);

        assertThat(Files.isSymbolicLink(topLink)).isTrue();
        storage.teardown(top);
        assertThat(topLink.getParent()).doesNotExist();
    }

    @Test
    void runPathsOfUnknownDomainsOrVolumesAreRefused() {
        UUID domain = UUID.randomUUID();
        ConnectedStorageDomains storage = new ConnectedStorageDomains();
        storage.activate(config(root.resolve("sd"), true, domain.toString()));
        Path run = root.resolve("sd/run");

        assertThat(storage.volumeAt(run.resolve(UUID.randomUUID() + "/" + UUID.randomUUID() + "/" + UUID.randomUUID())))
                .as("domain not connected").isEmpty();
        assertThat(storage.volumeAt(run.resolve(domain + "/not-a-uuid/" + UUID.randomUUID()))).isEmpty();
        VolumeRef missing = new VolumeRef(domain, UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> storage.prepare(missing)).isInstanceOf(UnknownVolumeException.class);
    }
}
