package org.headroom.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.headroom.storage.DomainSet;
import org.headroom.api.storage.StorageDomain;
import org.headroom.api.storage.StorageDomains;
import org.headroom.api.storage.VolumeRef;
import org.headroom.storage.FileStorageDomain;
import org.headroom.testing.Lab;
import org.headroom.testing.Libvirtd;
import org.headroom.virt.internal.HookHandler;
import org.headroom.virt.internal.HookServer;
import org.headroom.virt.internal.HookStats;

/**
 * What Headroom's qemu hook adds to a VM's start, measured two ways.
 *
 * <p>{@code calls}: the hook binary run as libvirt runs it (arguments, domain XML on stdin) against
 * the agent's receiver with a loop-device volume: wall time per operation, beside the cost of
 * starting any process ({@code /bin/true}) and the hook with the agent down.
 *
 * <p>{@code libvirt}: {@code virsh start} until the domain runs, then {@code virsh destroy},
 * under a real libvirtd, with Headroom's hook and with a hook that does nothing, alternating;
 * the difference of the medians is what the hook adds as libvirt sees it (prepare activates the
 * volume, release deactivates it; the do-nothing runs use a volume prepared once).
 */
public final class HookBenchmark {
    private static final String[][] KEYS = BenchOptions.keys("calls,libvirt", new String[][] {
            // key, full, quick, meaning
            {"runs", "200", "40", "hook runs per operation (calls)"},
            {"starts", "21", "7", "virsh start/destroy cycles per hook (libvirt)"},
    });

    private final BenchOptions config;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private Path work;
    private StorageDomain domain;
    private StorageDomains storage;
    private HookServer server;
    private Path hook;

    private HookBenchmark(BenchOptions config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions config = BenchOptions.parseOrExit("HookBenchmark", args, KEYS, "hook");
        if (config != null) {
            new HookBenchmark(config).run();
        }
    }

    private void run() throws Exception {
        System.out.printf("hook benchmark: %s, load %s%n", config.all(), BenchSupport.loadAverage());
        Path root = Path.of(config.get("root"));
        Files.createDirectories(root);
        results.put("config", config.all());
        results.put("environment", BenchSupport.environment(root, Files.getFileStore(root).type()));
        work = Files.createTempDirectory(root, "headroom-hook-bench-");
        try {
            setUp();
            for (String scenario : config.names("scenarios")) {
                switch (scenario) {
                    case "calls" -> calls();
                    case "libvirt" -> libvirt();
                    default -> throw new IllegalArgumentException("no scenario " + scenario);
                }
            }
            if (!config.get("json").isEmpty()) {
                BenchSupport.writeJson(Path.of(config.get("json")), results);
            }
        } finally {
            if (server != null) {
                server.close();
            }
            if (domain != null) {
                for (VolumeRef v : domain.listVolumes()) {
                    domain.volumes().deactivate(v);
                }
            }
            BenchSupport.deleteTree(work);
        }
    }

    private void setUp() throws Exception {
        domain = FileStorageDomain.create(work.resolve("storage"), UUID.randomUUID(), "loop");
        Path run = work.resolve("run");
        storage = DomainSet.of(run, domain);
        server = new HookServer(work.resolve("agent/hook.sock"), new HookHandler(storage, event -> { }, new HookStats(), () -> null),
                16 << 20, 5000, 4);
        Path bin = work.resolve("bin");
        Files.createDirectories(bin);
        hook = bin.resolve("qemu-hook");
        Lab.run("cc", "-O2", "-o", hook.toString(), Libvirtd.projectRoot().resolve("hooks/qemu-hook.c").toString());
    }

    private VolumeRef qcow2Volume() throws Exception {
        VolumeRef v = new VolumeRef(domain.uuid(), UUID.randomUUID(), UUID.randomUUID());
        domain.volumes().create(v, 64L << 20);
        Path device = domain.volumes().activate(v);
        Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", device.toString(), "1G");
        domain.volumes().deactivate(v);
        return v;
    }

    // ---- calls -------------------------------------------------------------------------------

    private void calls() throws Exception {
        int runs = config.integer("runs");
        VolumeRef v = qcow2Volume();
        String xml = domainXml("bench-vm", storage.runPath(v));
        String socket = server.socket().toString();
        Map<String, Object> calls = new LinkedHashMap<>();
        calls.put("process start (/bin/true)", sample(runs, () -> exec(List.of("/bin/true"), xml)));
        calls.put("started", sample(runs, () -> exec(hookCommand(socket, "bench-vm", "started", "begin"), xml)));
        calls.put("prepare (volume active already)", sample(runs, () -> {
            storage.prepare(v);
            return exec(hookCommand(socket, "bench-vm", "prepare", "begin"), xml);
        }));
        calls.put("prepare (activates the volume)", sample(runs, () -> {
            storage.teardown(v);
            return exec(hookCommand(socket, "bench-vm", "prepare", "begin"), xml);
        }));
        calls.put("release (deactivates the volume)", sample(runs, () -> {
            storage.prepare(v);
            return exec(hookCommand(socket, "bench-vm", "release", "end"), xml);
        }));
        calls.put("agent down", sample(runs, () -> exec(hookCommand(work.resolve("nobody.sock").toString(),
                "bench-vm", "prepare", "begin"), xml)));
        results.put("calls", calls);
        System.out.printf("%n== calls: hook wall time, %d runs each (ms)%n", runs);
        print(calls);
    }

    private List<String> hookCommand(String socket, String vm, String op, String subop) {
        return List.of(hook.toString(), "--socket", socket, vm, op, subop, "-");
    }

    // ---- libvirt -----------------------------------------------------------------------------

    private void libvirt() throws Exception {
        int starts = config.integer("starts");
        VolumeRef v = qcow2Volume();
        String name = "headroom-hook-bench";
        Path xmlFile = work.resolve("domain.xml");
        Files.writeString(xmlFile, domainXml(name, storage.runPath(v)));
        Path hookFile = Path.of("/etc/libvirt/hooks/qemu");
        Path saved = work.resolve("installed-hook");
        try (Libvirtd libvirtd = Libvirtd.start(server.socket())) {
            Files.copy(hookFile, saved);
            String trivial = "#!/bin/sh\ncat >/dev/null\nexit 0\n";
            List<Double> headroom = new ArrayList<>();
            List<Double> nothing = new ArrayList<>();
            libvirtd.virsh("define", xmlFile.toString());
            try {
                for (int i = 0; i < starts + 1; i++) {
                    // Alternate, so that drift of the machine affects both alike; the first pair warms up.
                    Files.copy(saved, hookFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    double withHeadroom = startAndDestroy(libvirtd, name);
                    replaceHook(hookFile, trivial);
                    storage.prepare(v); // the do-nothing hook prepares nothing
                    double withNothing = startAndDestroy(libvirtd, name);
                    storage.teardown(v);
                    if (i > 0) {
                        headroom.add(withHeadroom);
                        nothing.add(withNothing);
                    }
                }
            } finally {
                Files.copy(saved, hookFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                libvirtd.virsh("undefine", name);
            }
            Map<String, Object> cycles = new LinkedHashMap<>();
            Map<String, Object> withHook = BenchSupport.summary(headroom);
            Map<String, Object> withoutHook = BenchSupport.summary(nothing);
            cycles.put("virsh start+destroy, Headroom hook", withHook);
            cycles.put("virsh start+destroy, do-nothing hook", withoutHook);
            double added = (double) withHook.get("p50_ms") - (double) withoutHook.get("p50_ms");
            cycles.put("added p50 ms", BenchSupport.round(added));
            results.put("libvirt", cycles);
            System.out.printf("%n== libvirt: virsh start (until running) + virsh destroy, %d cycles each (ms)%n", starts);
            print(cycles);
            System.out.printf("added by Headroom's hook (difference of medians): %.1f ms for 5 hook calls%n", added);
        }
    }

    private static void replaceHook(Path hookFile, String script) throws IOException {
        Path fresh = hookFile.resolveSibling("qemu.bench");
        Files.writeString(fresh, script);
        Files.setPosixFilePermissions(fresh, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(fresh, hookFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static double startAndDestroy(Libvirtd libvirtd, String name) throws Exception {
        long t0 = System.nanoTime();
        libvirtd.virsh("start", name);
        libvirtd.virsh("destroy", name);
        return (System.nanoTime() - t0) / 1e6;
    }

    // ---- helpers -----------------------------------------------------------------------------

    @FunctionalInterface
    private interface Timed {
        double run() throws Exception;
    }

    private static Map<String, Object> sample(int runs, Timed body) throws Exception {
        body.run(); // warm-up
        List<Double> samples = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            samples.add(body.run());
        }
        return BenchSupport.summary(samples);
    }

    private static void print(Map<String, Object> rows) {
        rows.forEach((name, s) -> System.out.printf("  %-40s %s%n", name, s));
    }

    /** Runs a command with {@code stdin}, fails unless it exits 0; returns its wall time in ms. */
    private static double exec(List<String> command, String stdin) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        } catch (IOException closedEarly) {
            // /bin/true does not read its stdin
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static String domainXml(String name, Path disk) {
        return "<domain type='qemu'><name>" + name + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='q35'>hvm</type></os><devices>"
                + "<disk type='block' device='disk'><driver name='qemu' type='qcow2' cache='none' io='native'"
                + " error_policy='stop'/><source dev='" + disk + "'/><target dev='vda' bus='virtio'/></disk>"
                + "<controller type='usb' model='none'/><memballoon model='none'/></devices></domain>";
    }
}
