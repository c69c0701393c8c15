package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.headroom.api.migration.MigrationRefusedException;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.migrate.MigrationStatus;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks' migrations on one host, against a real file-backend domain; the calls between two
 * agents are exercised by LibvirtMigrationIT (two agents, two libvirtd, virsh migrate).
 */
class LibvirtMigrationsTest {
    @TempDir
    Path dir;

    private StorageDomains storage;
    private VolumeRef volume;
    private final Attachments attachments = new Attachments();
    private final AtomicLong nanos = new AtomicLong();
    private final List<MigrationStatus> ended = new ArrayList<>();

    @BeforeEach
    void setUp() {
        StorageDomain domain = FileStorageDomain.create(dir.resolve("sd"), UUID.randomUUID(), "file");
        storage = DomainSet.of(dir.resolve("run"), domain);
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 1 << 20);
    }

    private LibvirtMigrations migrations() {
        return new LibvirtMigrations(storage, attachments, null, Duration.ofSeconds(5), Duration.ofSeconds(600), nanos::get,
                ended::add);
    }

    @Test
    void aHostWithTheVolumesInUseIsTheSourceUntilTheVmIsReleasedHere() {
        LibvirtMigrations m = migrations();
        VolumeRef elsewhere = new VolumeRef(volume.domain(), UUID.randomUUID(), UUID.randomUUID());
        assertThat(m.depart("host2", new AgentProtocol.Departure("m-1", "guest-b", List.of(volume))).source())
                .as("not in use here").isFalse();

        storage.prepare(volume);
        assertThat(m.depart("host2", new AgentProtocol.Departure("m-1", "guest-b", List.of(volume, elsewhere))).source()).isTrue();
        assertThat(m.snapshot()).singleElement().satisfies(s -> {
            assertThat(s.direction()).isEqualTo("outgoing");
            assertThat(s.peer()).isEqualTo("host2");
            assertThat(s.volumes()).containsExactly(volume.volume().toString());
            assertThat(s.state()).isEqualTo("migrating");
        });

        m.released("guest", List.of(volume));
        assertThat(m.snapshot()).isEmpty();
        assertThat(ended).singleElement().satisfies(s -> assertThat(s.state()).isEqualTo("completed"));
    }

    @Test
    void theDestinationsReportOfAFailureEndsTheDepartureOnlyFromThatDestination() {
        LibvirtMigrations m = migrations();
        storage.prepare(volume);
        m.depart("host2", new AgentProtocol.Departure("m-1", "guest", List.of(volume)));

        m.departureFailed("host3", new AgentProtocol.Ended("m-1", "not yours"));
        assertThat(m.snapshot()).hasSize(1);
        m.departureFailed("host2", new AgentProtocol.Ended("m-1", "the destination released the volumes"));

        assertThat(m.snapshot()).isEmpty();
        assertThat(ended).singleElement().satisfies(s -> {
            assertThat(s.state()).isEqualTo("failed");
            assertThat(s.error()).isEqualTo("the destination released the volumes");
        });
    }

    @Test
    void aMigrationNobodyReportsTheEndOfEndsAfterTheTimeout() {
        LibvirtMigrations m = migrations();
        storage.prepare(volume);
        m.depart("host2", new AgentProtocol.Departure("m-1", "guest", List.of(volume)));

        nanos.addAndGet(TimeUnit.SECONDS.toNanos(601));

        assertThat(m.snapshot()).isEmpty();
        assertThat(ended).singleElement().satisfies(s -> assertThat(s.error()).contains("within the migration timeout"));
        assertThat(m.refreshDestinations(volume, 2 << 20).toCompletableFuture()).isCompleted();
    }

    @Test
    void anArrivalWithoutThePoolIsRefusedAndAttachesNothing() {
        LibvirtMigrations m = migrations();

        assertThatThrownBy(() -> m.arriving("guest", List.of(volume)))
                .isInstanceOf(MigrationRefusedException.class)
                .hasMessageContaining("live migration is off");
        m.arriving("local-only", List.of()); // nothing of Headroom's: nothing to do, nothing refused

        assertThat(attachments.snapshot()).isEmpty();
        assertThat(Files.exists(storage.runPath(volume), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(m.refresh(volume)).as("no arrival has it").isEqualTo(-1);
    }
}
