package org.headroom.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.headroom.testing.KarafHosts;
import org.headroom.testing.Lab;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.PoolPki;
import org.headroom.testing.QemuProcess;
import org.headroom.testing.TestGuest;

/**
 * Live migration's downtime and the storage work inside it, early attach against the legacy
 * switch, in one run: two agents (the distribution in two Karafs, a sanlock daemon each, one
 * storage domain), the test guest writing into its thin disk throughout, migrated back and forth,
 * the two modes alternating. Per migration, from the source's headroom:migrate: the guest-visible
 * downtime (the destination's RESUME minus the source's STOP, QMP event timestamps, one clock),
 * the storage work inside it (pre-switchover to the destination's answer to activate, which with
 * legacy attach attaches too), QEMU's own downtime, and the attach outside it (early).
 */
public final class MigrationBenchmark {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final Pattern LINE = Pattern.compile("guest outgoing (host\\d): (\\w+) \\(attach (\\w+) (\\S+) ms, "
            + "storage work in the downtime (\\S+) ms \\(there (\\S+) ms\\), downtime (\\S+) ms, QEMU's (\\S+) ms\\)(.*)");
    private static final String[][] KEYS = BenchOptions.keys("migration", new String[][] {
            // key, full, quick, meaning
            {"migrations", "10", "3", "migrations per mode (early, legacy), alternating"},
            {"rate", "8", "8", "the guest's write rate, MiB/s"},
            {"distribution", "", "", "the distribution's tar.gz (bench/run-migration.sh finds it)"},
    });

    private MigrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions config = BenchOptions.parseOrExit("MigrationBenchmark", args, KEYS, "migration");
        if (config == null) {
            return;
        }
        System.out.printf("migration benchmark: %s, load %s%n", config.all(), BenchSupport.loadAverage());
        Path root = Path.of(config.get("root"));
        Files.createDirectories(root);
        Path work = Files.createTempDirectory(root, "hr-mig-");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config.all());
        results.put("environment", BenchSupport.environment(root, Files.getFileStore(root).type()));
        List<QemuProcess> qemus = new ArrayList<>();
        LoopDevice volume = null;
        try (KarafHosts hosts = new KarafHosts(work, Path.of(config.get("distribution")))) {
            Path storage = work.resolve("storage");
            PoolPki pki = PoolPki.create(work.resolve("pki"), "host1", "host2");
            Path[] karaf = {hosts.karaf("host1", storage, 1), hosts.karaf("host2", storage, 2)};
            int[] port = {KarafHosts.freePort(), KarafHosts.freePort()};
            for (int h = 0; h < 2; h++) {
                pki.join(karaf[h], "host" + (h + 1), port[h], "host" + (2 - h) + "=https://127.0.0.1:" + port[1 - h]);
                // Extensions are not what is measured here: one every few migrations.
                KarafHosts.set(karaf[h].resolve("etc/org.headroom.thinextend.cfg"), "chunk_mb", "1024");
            }
            KarafHosts.start(karaf[0]);
            KarafHosts.awaitShell(karaf[0], "headroom:spm", "this host is the SPM");
            KarafHosts.start(karaf[1]);
            KarafHosts.awaitShell(karaf[1], "headroom:migrations", "serving");
            KarafHosts.awaitShell(karaf[0], "headroom:migrations", "serving");

            UUID volumeId = UUID.randomUUID();
            Path file = storage.resolve(DOMAIN).resolve("images").resolve(UUID.randomUUID().toString())
                    .resolve(volumeId.toString());
            Files.createDirectories(file.getParent());
            volume = LoopDevice.create(file, 1L << 30);
            Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "64G");
            int rate = config.integer("rate");
            List<String> guest = TestGuest.args("q0", 60_000, rate, false);

            QemuProcess running = qemu(work, "vm-0", TestGuest.qcow2OnBlockDevice(volume.device()), guest, List.of("-S"));
            qemus.add(running);
            register(karaf[0], running);
            KarafHosts.awaitShell(karaf[0], "headroom:volumes", "armed");
            KarafHosts.shell(karaf[0], "headroom:qmp guest cont");
            running.awaitConsole("hr: progress 16/", Duration.ofMinutes(2));

            int perMode = config.integer("migrations");
            Map<String, List<Map<String, Object>>> byMode = new LinkedHashMap<>();
            byMode.put("early", new ArrayList<>());
            byMode.put("legacy", new ArrayList<>());
            int at = 0;
            for (int i = 0; i < 2 * perMode; i++) {
                String mode = i % 2 == 0 ? "early" : "legacy";
                int to = 1 - at;
                String attached = KarafHosts.shell(karaf[to], "headroom:attach " + volumeId);
                Matcher runPath = Pattern.compile(volumeId + " (\\S+)").matcher(attached);
                if (!runPath.find()) {
                    throw new IllegalStateException("headroom:attach on host" + (to + 1) + ": " + attached);
                }
                QemuProcess incoming = qemu(work, "vm-" + (i + 1), TestGuest.qcow2OnBlockDevice(runPath.group(1)), guest,
                        List.of("-S", "-incoming", "defer"));
                qemus.add(incoming);
                register(karaf[to], incoming);
                KarafHosts.awaitShell(karaf[to], "headroom:qmp guest query-status", "\"inmigrate\"");
                String out = KarafHosts.shell(karaf[at], "headroom:migrate --attach " + mode + " guest host" + (to + 1));
                Matcher m = LINE.matcher(out);
                if (!m.find() || !m.group(2).equals("completed")) {
                    throw new IllegalStateException("migration " + (i + 1) + " (" + mode + "): " + out);
                }
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("n", i + 1);
                r.put("from", "host" + (at + 1));
                r.put("attach_ms", number(m.group(4)));
                r.put("storage_in_downtime_ms", number(m.group(5)));
                r.put("destination_storage_ms", number(m.group(6)));
                r.put("downtime_ms", number(m.group(7)));
                r.put("qemu_downtime_ms", number(m.group(8)));
                byMode.get(mode).add(r);
                System.out.printf("%2d %-6s host%d -> host%d: downtime %s ms (QEMU %s), storage work in it %s ms (there %s),"
                        + " attach %s ms%n", i + 1, mode, at + 1, to + 1, m.group(7), m.group(8), m.group(5), m.group(6), m.group(4));
                running.awaitExit(Duration.ofSeconds(30));
                running = incoming;
                at = to;
            }
            String volumes = KarafHosts.shell(karaf[at], "headroom:volumes");
            results.put("migrations", byMode);
            Map<String, Object> summary = new LinkedHashMap<>();
            for (var e : byMode.entrySet()) {
                Map<String, Object> s = new LinkedHashMap<>();
                for (String key : List.of("downtime_ms", "storage_in_downtime_ms", "destination_storage_ms", "qemu_downtime_ms",
                        "attach_ms")) {
                    s.put(key, BenchSupport.summary(e.getValue().stream().map(r -> (Double) r.get(key))
                            .filter(d -> !d.isNaN()).toList()));
                }
                summary.put(e.getKey(), s);
            }
            results.put("summary", summary);
            results.put("pauses", List.of(KarafHosts.shell(karaf[0], "headroom:volumes"), volumes));
            System.out.printf("%n== %d migrations per mode, alternating, the guest writing %d MiB/s (ms)%n", perMode, rate);
            summary.forEach((mode, s) -> ((Map<?, ?>) s).forEach((k, v) -> System.out.printf("  %-7s %-24s %s%n", mode, k, v)));
            System.out.println("volume monitor where the guest ended:\n" + volumes);
            if (!config.get("json").isEmpty()) {
                BenchSupport.writeJson(Path.of(config.get("json")), results);
                Files.writeString(Path.of(config.get("json").replaceAll("\\.json$", ".svg")), new MigrationPlot(byMode).svg());
            }
        } finally {
            for (QemuProcess q : qemus) {
                q.close();
            }
            if (volume != null) {
                volume.close();
            }
            BenchSupport.deleteTree(work);
        }
    }

    private static QemuProcess qemu(Path work, String name, List<String> disk, List<String> guest, List<String> more)
            throws Exception {
        Path dir = work.resolve(name);
        Files.createDirectories(dir);
        List<String> args = new ArrayList<>(disk);
        args.addAll(guest);
        args.addAll(more);
        return QemuProcess.start(dir, args);
    }

    private static void register(Path karaf, QemuProcess qemu) throws Exception {
        Files.writeString(karaf.resolve("etc/org.headroom.qmp.vm-guest.cfg"), "name = guest\nsocket = " + qemu.qmpSocket() + "\n");
    }

    private static double number(String s) {
        return s.equals("-") ? Double.NaN : Double.parseDouble(s);
    }
}
