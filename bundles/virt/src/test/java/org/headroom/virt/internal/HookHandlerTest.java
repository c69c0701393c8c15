package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.headroom.storage.DomainSet;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.migration.HookedMigrations;
import org.headroom.api.migration.MigrationRefusedException;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.headroom.virt.HookCall;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hook's operations against a real file-backend storage domain in a temporary directory. */
class HookHandlerTest {
    @TempDir
    Path dir;

    private StorageDomain domain;
    private StorageDomains storage;
    private final List<DriveEvent> announced = new ArrayList<>();
    private HookHandler handler;
    private VolumeRef volume;
    /** Live migration as the hook sees it: what it was told, and whether it refuses. */
    private HookedMigrations migrations;
    private final List<String> told = new ArrayList<>();
    private String refusal;

    private HookedMigrations recording() {
        return new HookedMigrations() {
            @Override
            public void arriving(String vm, List<VolumeRef> volumes) {
                told.add("arriving " + vm + " " + volumes);
                if (refusal != null) {
                    throw new MigrationRefusedException(refusal);
                }
                volumes.forEach(storage::prepare);
            }

            @Override
            public void released(String vm, List<VolumeRef> volumes) {
                told.add("released " + vm + " " + volumes);
            }
        };
    }

    @BeforeEach
    void setUp() {
        domain = FileStorageDomain.create(dir.resolve("sd"), UUID.randomUUID(), "file");
        storage = DomainSet.of(dir.resolve("run"), domain);
        handler = new HookHandler(storage, announced::add, new HookStats(), () -> migrations);
        volume = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(volume, 1 << 20);
    }

    private String xml(String name, String... diskPaths) {
        StringBuilder disks = new StringBuilder();
        char target = 'a';
        for (String p : diskPaths) {
            disks.append("<disk type='block' device='disk'><driver name='qemu' type='qcow2'/><source dev='")
                    .append(p).append("'/><target dev='vd").append(target++).append("'/></disk>");
        }
        return "<domain type='qemu'><name>" + name + "</name><devices>" + disks + "</devices></domain>";
    }

    private HookHandler.Reply call(String vm, String op, String xml) {
        return handler.handle(new HookRequest(vm, op, op.equals("stopped") || op.equals("release") ? "end" : "begin", "-", xml));
    }

    @Test
    void aVmsLifeThroughTheHook() {
        Path runPath = storage.runPath(volume);
        String xml = xml("vm1", runPath.toString(), "/var/lib/images/other.iso");

        HookHandler.Reply prepared = call("vm1", "prepare", xml);
        assertThat(prepared.exit()).isZero();
        assertThat(prepared.message()).contains("prepared vda");
        assertThat(Files.isSymbolicLink(runPath)).isTrue();

        assertThat(call("vm1", "start", xml).exit()).isZero();
        assertThat(call("vm1", "started", xml).exit()).isZero();
        assertThat(call("vm1", "stopped", xml).exit()).isZero();
        assertThat(call("vm1", "release", xml).exit()).isZero();

        assertThat(announced).containsExactly(new DriveEvent.Started("vm1"), new DriveEvent.Stopped("vm1"));
        assertThat(Files.exists(runPath, LinkOption.NOFOLLOW_LINKS)).as("released").isFalse();
        assertThat(handler.stats().perOperation()).containsEntry("prepare", 1L).containsEntry("release", 1L);
        assertThat(handler.stats().errors()).isZero();
        assertThat(handler.stats().recent()).hasSize(5).first().extracting(HookCall::op).isEqualTo("release");
    }

    @Test
    void aDiskNamingNoKnownVolumeFailsItsVmsStartWithTheReason() {
        VolumeRef missing = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        Path otherDomain = dir.resolve("run/" + UUID.randomUUID() + "/" + UUID.randomUUID() + "/" + UUID.randomUUID());

        HookHandler.Reply noVolume = call("vm2", "prepare", xml("vm2", storage.runPath(missing).toString()));
        HookHandler.Reply noDomain = call("vm3", "prepare", xml("vm3", otherDomain.toString()));

        assertThat(noVolume.exit()).isEqualTo(1);
        assertThat(noVolume.message()).contains("cannot prepare VM vm2").contains("vda: no volume");
        assertThat(noDomain.exit()).isEqualTo(1);
        assertThat(noDomain.message()).contains("vda: " + otherDomain + " names no volume of a storage domain");
        assertThat(handler.stats().errors()).isEqualTo(2);
    }

    @Test
    void malformedCallsAreCountedAndDoNotStopTheVm() {
        HookHandler.Reply badXml = call("vm4", "prepare", "<domain><name>vm4</name>");
        HookHandler.Reply unknown = call("vm4", "frobnicate", xml("vm4"));
        HookHandler.Reply notOurs = call("vm4", "prepare", xml("vm4", "/dev/sdz"));

        assertThat(badXml.exit()).isZero();
        assertThat(badXml.message()).contains("does not parse");
        assertThat(unknown.exit()).isZero();
        assertThat(unknown.message()).contains("unknown hook operation 'frobnicate'");
        assertThat(notOurs).isEqualTo(new HookHandler.Reply(0, ""));
        assertThat(handler.stats().malformed()).isEqualTo(2);
        assertThat(announced).isEmpty();
    }

    @Test
    void anIncomingMigrationsPrepareHandsTheVolumesToLiveMigrationAndItsReleaseTellsIt() {
        migrations = recording();
        Path runPath = storage.runPath(volume);
        String xml = xml("vm5", runPath.toString(), "/var/lib/images/other.iso");

        assertThat(call("vm5", "migrate", xml)).isEqualTo(new HookHandler.Reply(0, "")); // prints nothing: XML kept
        HookHandler.Reply prepared = call("vm5", "prepare", xml);
        call("vm5", "release", xml);
        call("vm5", "prepare", xml); // a start, later: prepared by the hook itself, live migration not asked

        assertThat(prepared).isEqualTo(new HookHandler.Reply(0, "headroom: attached vda for the migration"));
        assertThat(told).containsExactly("arriving vm5 [" + volume + "]", "released vm5 [" + volume + "]");
        assertThat(Files.isSymbolicLink(runPath)).isTrue();
    }

    @Test
    void anIncomingMigrationLiveMigrationRefusesFailsWithItsReason() {
        migrations = recording();
        refusal = "no agent of the pool has vm6's volumes in use";
        call("vm6", "migrate", xml("vm6", storage.runPath(volume).toString()));

        HookHandler.Reply refused = call("vm6", "prepare", xml("vm6", storage.runPath(volume).toString()));

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.message()).isEqualTo("headroom: cannot take the migration of VM vm6: " + refusal);
        assertThat(Files.exists(storage.runPath(volume), LinkOption.NOFOLLOW_LINKS)).isFalse();
    }

    @Test
    void withoutLiveMigrationAnIncomingVmIsPreparedAsAStart() {
        call("vm7", "migrate", xml("vm7", storage.runPath(volume).toString()));

        HookHandler.Reply prepared = call("vm7", "prepare", xml("vm7", storage.runPath(volume).toString()));

        assertThat(prepared).isEqualTo(new HookHandler.Reply(0, "headroom: prepared vda"));
        assertThat(handler.stats().perOperation()).containsEntry("migrate", 1L);
    }
}
