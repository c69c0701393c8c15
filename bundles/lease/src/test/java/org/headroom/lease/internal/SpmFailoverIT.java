package org.headroom.lease.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.headroom.api.storage.VolumeRef;
import org.headroom.lease.sanlock.HostProcess;
import org.headroom.lease.sanlock.LeaseFixtures;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Closer;
import org.headroom.testing.SanlockDaemon;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SPM dies with 500 extend requests in flight: three processes, as three hosts. Hosts 1 and 2
 * are SPM candidates ({@link SpmHostMain} serving the mailbox's SPM side while it holds the SDM
 * lease), each with its own sanlock daemon; the third is the mailbox tool acting as 50 hosts
 * (mailbox host ids 3..52) that ask for 10 extensions each. Host 1, the SPM, is killed (its daemon
 * and its agent, SIGKILL) after the first answers: host 2 takes the SDM lease once sanlock declares
 * host 1 dead, and answers everything pending. Every request is answered, none twice.
 */
class SpmFailoverIT {
    private static final int IO = 1;
    private static final long MIB = 1 << 20;
    private static final int HOSTS = 50;
    private static final int STEPS = 10;

    private final Closer toClose = new Closer();

    @AfterEach
    void cleanUp() throws Exception {
        toClose.close();
    }

    private Path agentDir(String host) throws java.io.IOException {
        return AgentFixtures.agentDir(toClose, host);
    }

    private HostProcess candidate(Path root, UUID domain, int hostId, SanlockDaemon daemon) throws Exception {
        return toClose.add(HostProcess.start("host" + hostId, daemon, root.resolve("host" + hostId + ".log"),
                SpmHostMain.class, root.toString(), domain.toString(), Integer.toString(hostId), Integer.toString(IO),
                agentDir(Integer.toString(hostId)).toString(), "500", Integer.toString(HOSTS + 2)));
    }


    @Test
    void theSpmKilledWith500RequestsInFlightIsReplacedAndEveryRequestIsAnsweredOnce() throws Exception {
        Path root = LeaseFixtures.fresh(Path.of("target/spm-it/failover"));
        FileStorageDomain domain = FileStorageDomain.create(root, UUID.randomUUID(), "file");
        List<VolumeRef> volumes = new ArrayList<>();
        for (int i = 0; i < HOSTS; i++) {
            VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
            domain.volumes().create(v, MIB);
            volumes.add(v);
        }
        SanlockDaemon daemon1 = toClose.add(SanlockDaemon.start(Path.of("target/sanlock/failover1"), "failover1"));
        SanlockDaemon daemon2 = toClose.add(SanlockDaemon.start(Path.of("target/sanlock/failover2"), "failover2"));
        HostProcess spm = candidate(root, domain.uuid(), 1, daemon1);
        HostProcess other = candidate(root, domain.uuid(), 2, daemon2);
        CompletableFuture<String> joined2 = CompletableFuture.supplyAsync(() -> other.call("joined"));
        spm.call("joined");
        joined2.get(40, TimeUnit.SECONDS);
        spm.call("elect");
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!spm.call("status").startsWith("held=true")) {
            assertThat(System.nanoTime()).as("host 1 becomes the SPM").isLessThan(end);
            Thread.sleep(100);
        }
        other.call("elect");

        // 50 hosts, 10 requests each, through the mailbox tool (a process of its own).
        Path answers = root.resolve("answers.txt");
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), "org.headroom.mailbox.cli.MailboxTool", "host",
                "--root", root.toString(), "--domain", domain.uuid().toString(), "--ids", "3-" + (HOSTS + 2),
                "--request-timeout-ms", "300000")
                .redirectOutput(answers.toFile()).redirectError(root.resolve("tool.log").toFile()).start();
        toClose.add(() -> {
            tool.destroyForcibly();
            tool.waitFor(10, TimeUnit.SECONDS);
        });
        Writer requests = new OutputStreamWriter(tool.getOutputStream(), StandardCharsets.UTF_8);
        for (int step = 1; step <= STEPS; step++) {
            for (int i = 0; i < HOSTS; i++) {
                requests.write((i + 3) + " " + volumes.get(i).volume() + " " + (1 + step) + "\n");
            }
            if (step == STEPS / 2) {
                requests.flush();
                long firstAnswers = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (Files.readAllLines(answers).stream().noneMatch(l -> l.startsWith("ok "))) {
                    assertThat(System.nanoTime()).as("the first answers").isLessThan(firstAnswers);
                    Thread.sleep(20);
                }
            }
        }
        // The SPM dies where it stands, half of the requests answered at most, the rest in flight.
        long answeredBefore = Files.readAllLines(answers).stream().filter(l -> l.startsWith("ok ")).count();
        long killed = System.currentTimeMillis();
        daemon1.close();
        spm.kill();
        requests.close();

        assertThat(tool.waitFor(4, TimeUnit.MINUTES)).as("the tool ends once every request is answered").isTrue();
        assertThat(tool.exitValue()).isZero();
        List<String> lines = Files.readAllLines(answers);
        List<String> ok = lines.stream().filter(l -> l.startsWith("ok ")).toList();
        assertThat(lines.stream().filter(l -> l.startsWith("fail "))).isEmpty();
        assertThat(ok).hasSize(HOSTS * STEPS);
        Set<String> once = new HashSet<>();
        for (String line : ok) {
            String[] f = line.split(" ");
            assertThat(once.add(f[1] + " " + f[2] + " " + f[3])).as("answered once: %s", line).isTrue();
        }
        for (VolumeRef v : volumes) {
            assertThat(domain.volumes().size(v)).isEqualTo((1 + STEPS) * MIB);
        }
        long serves = AgentFixtures.at(other.call("events"), "serves");
        System.out.printf("SPM failover: %d of %d requests answered before the kill; host 2 served %.1f s after it "
                + "(io timeout %d s: host_dead = 8 io + 60 s)%n", answeredBefore, HOSTS * STEPS, (serves - killed) / 1000.0, IO);
    }
}
