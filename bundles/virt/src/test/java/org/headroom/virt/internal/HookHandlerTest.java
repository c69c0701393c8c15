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

    @BeforeEach
    void setUp() {
        domain = FileStorageDomain.create(dir.resolve("sd"), UUID.randomUUID(), "file");
        storage = DomainSet.of(dir.resolve("run"), domain);
        handler = new HookHandler(storage, announced::add, new HookStats());
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
    void migrationIsRecorded() {
        assertThat(call("vm5", "migrate", xml("vm5")).exit()).isZero();
        assertThat(handler.stats().perOperation()).containsEntry("migrate", 1L);
    }
}
