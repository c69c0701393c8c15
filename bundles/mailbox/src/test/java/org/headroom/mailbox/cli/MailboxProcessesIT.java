package org.headroom.mailbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An SPM and hosts as separate JVMs, each with its own host ids, sharing one domain directory
 * through direct I/O only, as hosts share a LUN.
 */
class MailboxProcessesIT {
    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    final List<ToolProcess> processes = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ToolProcess p : processes) {
            p.close();
        }
    }

    private ToolProcess tool(String name, String... args) throws Exception {
        ToolProcess p = ToolProcess.start(name, root.resolve(name + ".log"), args);
        processes.add(p);
        return p;
    }

    private static long requested(String okLine) {
        return Long.parseLong(okLine.split(" ")[3]);
    }

    @Test
    void threeHostProcessesGrowRealLoopDeviceVolumesThroughAnSpmProcess() throws Exception {
        Lab.require("/dev/loop-control", "/usr/sbin/losetup");
        UUID d = UUID.randomUUID();
        FileStorageDomain domain = FileStorageDomain.create(root, d, "loop");
        Map<Integer, List<VolumeRef>> volumes = new HashMap<>();
        for (int host = 1; host <= 3; host++) {
            for (int i = 0; i < 3; i++) {
                VolumeRef v = new VolumeRef(d, UUID.randomUUID(), UUID.randomUUID());
                domain.volumes().create(v, 16 * MIB);
                volumes.computeIfAbsent(host, h -> new ArrayList<>()).add(v);
            }
        }
        ToolProcess spm = tool("spm", "spm", "--root", root.toString(), "--domain", d.toString(), "--backend", "loop");
        spm.awaitLine("ready"::equals, Duration.ofSeconds(30));

        List<ToolProcess> hosts = new ArrayList<>();
        for (int host = 1; host <= 3; host++) {
            ToolProcess h = tool("host" + host, "host", "--root", root.toString(), "--domain", d.toString(),
                    "--ids", Integer.toString(host), "--backend", "loop", "--refresh");
            hosts.add(h);
            for (int step = 1; step <= 40; step++) {
                for (VolumeRef v : volumes.get(host)) {
                    h.send(host + " " + v.volume() + " " + (16 + step));
                }
            }
            h.endInput();
        }
        for (ToolProcess h : hosts) {
            assertThat(h.awaitExit(Duration.ofMinutes(2))).isZero();
            List<String> ok = h.lines().stream().filter(l -> l.startsWith("ok ")).toList();
            assertThat(ok).as(h.tail()).hasSize(120);
            for (String line : ok) {
                String[] f = line.split(" ");
                // With --refresh the host read the loop device's size after the reply: at least what it asked.
                assertThat(Long.parseLong(f[5])).as(line).isGreaterThanOrEqualTo(requested(line) * MIB);
            }
            assertThat(h.count(l -> l.startsWith("fail "))).isZero();
        }
        for (List<VolumeRef> vs : volumes.values()) {
            for (VolumeRef v : vs) {
                assertThat(domain.volumes().size(v)).isEqualTo(56 * MIB);
            }
        }
        assertThat(Lab.run("losetup", "-a")).as("hosts deactivated their loop devices").doesNotContain(root.toString());
    }

    @Test
    void anSpmKilledWithSigkillAndRestartedLosesNoneOfAThousandRequestsFromFiftyHosts() throws Exception {
        UUID d = UUID.randomUUID();
        FileStorageDomain domain = FileStorageDomain.create(root, d, "file");
        List<VolumeRef> volumes = new ArrayList<>();
        for (int host = 1; host <= 50; host++) {
            VolumeRef v = new VolumeRef(d, UUID.randomUUID(), UUID.randomUUID());
            domain.volumes().create(v, MIB);
            volumes.add(v);
        }
        ToolProcess hosts = tool("hosts", "host", "--root", root.toString(), "--domain", d.toString(), "--ids", "1-50");
        for (int step = 1; step <= 20; step++) {
            for (int host = 1; host <= 50; host++) {
                hosts.send(host + " " + volumes.get(host - 1).volume() + " " + (1 + step));
            }
        }
        hosts.flush();
        ToolProcess first = tool("spm1", "spm", "--root", root.toString(), "--domain", d.toString(), "--workers", "1");
        hosts.awaitLine(l -> l.startsWith("ok "), Duration.ofSeconds(60));
        first.kill();
        long answeredBeforeKill = hosts.count(l -> l.startsWith("ok "));

        ToolProcess second = tool("spm2", "spm", "--root", root.toString(), "--domain", d.toString());
        second.awaitLine("ready"::equals, Duration.ofSeconds(30));
        hosts.endInput();
        assertThat(hosts.awaitExit(Duration.ofMinutes(2))).isZero();
        assertThat(hosts.count(l -> l.startsWith("ok "))).as("answered, %d of them before the kill", answeredBeforeKill)
                .isEqualTo(1000);
        assertThat(hosts.count(l -> l.startsWith("fail "))).isZero();
        for (VolumeRef v : volumes) {
            assertThat(domain.volumes().size(v)).isEqualTo(21 * MIB);
        }
        System.out.println("SIGKILL test: " + answeredBeforeKill + " of 1000 answered when the first SPM was killed");
    }

    /**
     * A request asked again after it timed out (same volume, same size) is the request still
     * waiting on storage: it must get the SPM's answer when one comes, and the tool must exit at
     * the end of its input. The SPM is frozen (SIGSTOP) while the request times out, as an SPM
     * stalled on its storage would be, and thawed once the request was asked again.
     */
    @Test
    void aRequestAskedAgainAfterItTimedOutGetsTheSpmsAnswerAndTheToolExits() throws Exception {
        UUID d = UUID.randomUUID();
        FileStorageDomain domain = FileStorageDomain.create(root, d, "file");
        VolumeRef v = new VolumeRef(d, UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, MIB);
        ToolProcess spm = tool("spm", "spm", "--root", root.toString(), "--domain", d.toString());
        spm.awaitLine("ready"::equals, Duration.ofSeconds(30));
        Lab.run("kill", "-STOP", Long.toString(spm.pid()));
        try {
            ToolProcess host = tool("host", "host", "--root", root.toString(), "--domain", d.toString(), "--ids", "7",
                    "--request-timeout-ms", "1500");
            host.send("7 " + v.volume() + " 8");
            host.flush();
            host.awaitLine(l -> l.startsWith("fail 7 " + v.volume()) && l.contains("no reply"), Duration.ofSeconds(30));
            host.send("7 " + v.volume() + " 8"); // asked again while the SPM is still frozen
            host.flush();
            Thread.sleep(300);
            Lab.run("kill", "-CONT", Long.toString(spm.pid()));
            host.endInput();

            assertThat(host.awaitExit(Duration.ofSeconds(30))).isZero();
            assertThat(host.lines()).anyMatch(l -> l.startsWith("ok 7 " + v.volume() + " 8 "));
            assertThat(host.lines()).filteredOn(l -> l.startsWith("stats host=7")).singleElement().asString()
                    .contains("timeouts=1", "adopted=1");
            assertThat(domain.volumes().size(v)).isEqualTo(8 * MIB);
        } finally {
            Lab.run("kill", "-CONT", Long.toString(spm.pid()));
        }
    }
}
