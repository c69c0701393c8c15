package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.headroom.storage.DomainSet;
import org.headroom.api.hypervisor.DriveEvent;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.headroom.testing.Libvirtd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real hook (hooks/qemu-hook.c, compiled here) against the agent's receiver, run as libvirt
 * runs it: arguments, the domain XML on stdin, the exit status read back.
 */
class QemuHookIT {
    static Path hook;

    @TempDir
    Path dir;

    private StorageDomain domain;
    private StorageDomains storage;
    private final List<DriveEvent> announced = new CopyOnWriteArrayList<>();
    private HookStats stats;
    private HookServer server;
    private Path socket;

    /** What the hook did: exit status, stdout (libvirt reads it as XML on migrate), stderr. */
    record Run(int exit, String stdout, String stderr, long millis) {
    }

    @BeforeAll
    static void compileHook(@TempDir Path bin) throws Exception {
        Lab.require("/usr/bin/cc");
        hook = bin.resolve("qemu-hook");
        Lab.run("cc", "-O2", "-Wall", "-Werror", "-o", hook.toString(),
                Libvirtd.projectRoot().resolve("hooks/qemu-hook.c").toString());
    }

    @BeforeEach
    void agent() throws IOException {
        domain = FileStorageDomain.create(dir.resolve("sd"), UUID.randomUUID(), "file");
        storage = DomainSet.of(dir.resolve("run"), domain);
        stats = new HookStats();
        socket = dir.resolve("agent/hook.sock");
        server = new HookServer(socket, new HookHandler(storage, announced::add, stats, () -> null), 1 << 20, 500, 2);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Run hook(String xml, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(hook.toString()));
        cmd.addAll(List.of(args));
        return exec(cmd, xml);
    }

    static Run exec(List<String> cmd, String stdin) throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, err, (System.nanoTime() - start) / 1_000_000);
    }

    private static String xml(String name, String diskPath) {
        return "<domain type='qemu'><name>" + name + "</name><devices><disk type='block' device='disk'>"
                + "<driver name='qemu' type='qcow2'/><source dev='" + diskPath + "'/><target dev='vda'/></disk>"
                + "</devices></domain>";
    }

    @Test
    void forwardsLibvirtsCallsAndExitsWithTheAgentsAnswer() throws Exception {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, 1 << 20);
        String xml = xml("vm1", storage.runPath(v).toString());

        Run prepare = hook(xml, "--socket", socket.toString(), "vm1", "prepare", "begin", "-");
        Run started = hook(xml, "--socket", socket.toString(), "vm1", "started", "begin", "-");
        Run migrate = hook(xml, "--socket", socket.toString(), "vm1", "migrate", "begin", "-");

        assertThat(prepare.exit()).as(prepare.stderr()).isZero();
        assertThat(prepare.stderr()).contains("headroom: prepared vda");
        assertThat(Files.isSymbolicLink(storage.runPath(v))).isTrue();
        assertThat(started.exit()).isZero();
        assertThat(migrate.exit()).isZero();
        assertThat(migrate.stdout()).as("libvirt would take stdout for a new domain XML").isEmpty();
        await().atMost(Duration.ofSeconds(5)).until(() -> announced.contains(new DriveEvent.Started("vm1")));
        assertThat(stats.perOperation()).containsEntry("prepare", 1L).containsEntry("started", 1L).containsEntry("migrate", 1L);
    }

    @Test
    void aDiskOfNoKnownVolumeFailsTheStartWithTheReasonOnStderr() throws Exception {
        Path nowhere = dir.resolve("run/" + UUID.randomUUID() + "/" + UUID.randomUUID() + "/" + UUID.randomUUID());

        Run run = hook(xml("vm2", nowhere.toString()), "--socket", socket.toString(), "vm2", "prepare", "begin", "-");

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.stderr()).contains("cannot prepare VM vm2").contains("names no volume");
    }

    @Test
    void malformedCallsDoNotBreakTheVm() throws Exception {
        Run badXml = hook("<domain><name>", "--socket", socket.toString(), "vm3", "prepare", "begin", "-");
        Run unknownOp = hook(xml("vm3", "/dev/null"), "--socket", socket.toString(), "vm3", "hibernate", "begin", "-");
        Run noArgs = hook("", "--socket", socket.toString(), "vm3");

        assertThat(badXml.exit()).isZero();
        assertThat(badXml.stderr()).contains("does not parse");
        assertThat(unknownOp.exit()).isZero();
        assertThat(unknownOp.stderr()).contains("unknown hook operation 'hibernate'");
        assertThat(noArgs.exit()).isEqualTo(2);
        assertThat(noArgs.stderr()).contains("usage:");
        assertThat(stats.malformed()).isEqualTo(2);
    }

    @Test
    void whenTheAgentIsDownThePolicyDecides() throws Exception {
        server.close();
        String xml = xml("vm4", "/dev/null");

        Run start = hook(xml, "--socket", socket.toString(), "vm4", "prepare", "begin", "-");
        Run refuse = hook(xml, "--socket", socket.toString(), "--agent-down", "refuse", "vm4", "prepare", "begin", "-");

        assertThat(start.exit()).isZero();
        assertThat(start.stderr()).contains("agent not reachable").contains("goes ahead");
        assertThat(refuse.exit()).isEqualTo(1);
        assertThat(refuse.stderr()).contains("refused (--agent-down refuse)");
    }

    @Test
    void anAgentThatDoesNotAnswerInTimeCountsAsDown() throws Exception {
        Path silent = dir.resolve("silent/hook.sock");
        Files.createDirectories(silent.getParent());
        // Bound and listening, never accepting: the hook connects and writes, and no answer comes.
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(silent));

            Run run = hook(xml("vm5", "/dev/null"), "--socket", silent.toString(), "--timeout-ms", "300",
                    "vm5", "started", "begin", "-");

            assertThat(run.exit()).isZero();
            assertThat(run.stderr()).contains("no answer in time");
            assertThat(run.millis()).isLessThan(5000);
        }
    }

    @Test
    void onlyRootReachesTheSocket() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwx------");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(hook.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));

        Run nobody = exec(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", hook.toString(),
                "--socket", socket.toString(), "--agent-down", "refuse", "vm6", "prepare", "begin", "-"), xml("vm6", "/dev/null"));

        assertThat(nobody.exit()).isEqualTo(1);
        assertThat(nobody.stderr()).contains("Permission denied");
        assertThat(stats.perOperation()).isEmpty();
    }

    @Test
    void garbageAndStalledClientsAreCountedAndCutOffWhileRealCallsAreServed() throws Exception {
        try (SocketChannel garbage = SocketChannel.open(UnixDomainSocketAddress.of(socket));
             SocketChannel stalled = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            garbage.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            stalled.write(ByteBuffer.wrap("HEADROOM-HOOK/1 3 7".getBytes(StandardCharsets.US_ASCII)));

            ByteBuffer answer = ByteBuffer.allocate(200);
            garbage.read(answer);
            assertThat(new String(answer.array(), 0, answer.position(), StandardCharsets.UTF_8)).startsWith("0 headroom: bad request");
            Run real = hook(xml("vm7", "/dev/null"), "--socket", socket.toString(), "vm7", "started", "begin", "-");
            assertThat(real.exit()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> stats.malformed() == 2); // the stalled one, cut off
            assertThat(stalled.read(ByteBuffer.allocate(200))).as("cut off").isEqualTo(-1);
        }
    }

    @Test
    void aSocketAnotherAgentListensOnIsNotTakenOver() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new HookServer(socket, new HookHandler(storage, announced::add, new HookStats(), () -> null), 1 << 20, 500, 1))
                .hasMessageContaining("another agent is listening on " + socket);
    }

    @Test
    void aStaleSocketOfADeadAgentIsReplaced() throws Exception {
        server.close();
        Files.createFile(socket); // left behind by an agent that was killed

        server = new HookServer(socket, new HookHandler(storage, announced::add, stats, () -> null), 1 << 20, 500, 1);

        assertThat(hook(xml("vm8", "/dev/null"), "--socket", socket.toString(), "vm8", "started", "begin", "-").exit())
                .isZero();
        assertThat(stats.perOperation()).containsEntry("started", 1L);
    }
}
