package org.headroom.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.headroom.testing.KarafHosts;
import org.headroom.testing.Lab;
import org.headroom.testing.LibvirtGuest;
import org.headroom.testing.LibvirtHost;
import org.headroom.testing.LoopDevice;
import org.headroom.testing.PoolPki;

/**
 * Live migration under libvirt, as admins run it: {@code virsh migrate --live --p2p} back and
 * forth between two libvirtd (each in a mount namespace of its own, lab/libvirtd-host.sh), each
 * with the hook calling its agent, the test guest writing throughout. Per migration: the
 * guest-visible downtime (the destination's RESUME minus the source's STOP, QMP event timestamps
 * as libvirt relays them to {@code virsh qemu-monitor-event}), the destination's attach in its
 * prepare hook (outside the downtime), and the wall time of virsh migrate. libvirt calls no hook
 * and the agents make no call inside the downtime: the storage work there is none by construction.
 */
public final class LibvirtMigrationBenchmark {
    private static final String DOMAIN = "3f1d6a52-8c0e-4d8b-9a31-5b7e2c4f9d10";
    private static final Pattern EVENT = Pattern.compile("event (\\w+) at (\\d+)\\.(\\d+) for domain '([^']+)'");
    private static final Pattern ATTACH = Pattern.compile("\\| guest\\s*\\| incoming \\| host\\d\\s*\\| completed \\| libvirt \\| early\\s*\\|\\s*(\\S+)");
    private static final String[][] KEYS = BenchOptions.keys("libvirt-migration", new String[][] {
            // key, full, quick, meaning
            {"migrations", "10", "3", "migrations, back and forth"},
            {"rate", "8", "8", "the guest's write rate, MiB/s"},
            {"distribution", "", "", "the distribution's tar.gz (bench/run-libvirt-migration.sh finds it)"},
    });

    private LibvirtMigrationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions config = BenchOptions.parseOrExit("LibvirtMigrationBenchmark", args, KEYS, "libvirt-migration");
        if (config == null) {
            return;
        }
        System.out.printf("libvirt migration benchmark: %s, load %s%n", config.all(), BenchSupport.loadAverage());
        Path root = Path.of(config.get("root"));
        Files.createDirectories(root);
        Path work = Files.createTempDirectory(root, "hr-lvmig-");
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("config", config.all());
        results.put("environment", BenchSupport.environment(root, Files.getFileStore(root).type()));
        List<AutoCloseable> closers = new ArrayList<>();
        try (KarafHosts hosts = new KarafHosts(work, Path.of(config.get("distribution")))) {
            Path storage = work.resolve("storage");
            PoolPki pki = PoolPki.create(work.resolve("pki"), "host1", "host2");
            Path[] karaf = {hosts.karaf("host1", storage, 1), hosts.karaf("host2", storage, 2)};
            int[] port = {KarafHosts.freePort(), KarafHosts.freePort()};
            LibvirtHost[] libvirt = new LibvirtHost[2];
            for (int h = 0; h < 2; h++) {
                pki.join(karaf[h], "host" + (h + 1), port[h], "host" + (2 - h) + "=https://127.0.0.1:" + port[1 - h]);
                KarafHosts.set(karaf[h].resolve("etc/org.headroom.thinextend.cfg"), "chunk_mb", "1024");
                KarafHosts.set(karaf[h].resolve("etc/org.headroom.storage.cfg"), "run_dir", "/run/headroom/storage");
                libvirt[h] = LibvirtHost.start(work.resolve("libvirt" + (h + 1)), UUID.randomUUID().toString(),
                        karaf[h].resolve("hook.sock"));
                closers.add(libvirt[h]);
            }
            libvirt[0].start(karaf[0]);
            KarafHosts.awaitShell(karaf[0], "headroom:spm", "this host is the SPM");
            libvirt[1].start(karaf[1]);
            KarafHosts.awaitShell(karaf[1], "headroom:migrations", "serving");
            KarafHosts.awaitShell(karaf[0], "headroom:migrations", "serving");

            UUID image = UUID.randomUUID();
            UUID volumeId = UUID.randomUUID();
            Path file = storage.resolve(DOMAIN).resolve("images").resolve(image.toString()).resolve(volumeId.toString());
            Files.createDirectories(file.getParent());
            LoopDevice volume = LoopDevice.create(file, 1L << 30);
            closers.add(volume);
            Lab.run(Lab.QEMU_IMG, "create", "-q", "-f", "qcow2", volume.device(), "64G");
            Path runPath = Path.of("/run/headroom/storage", DOMAIN, image.toString(), volumeId.toString());
            int rate = config.integer("rate");
            LibvirtGuest guest = LibvirtGuest.start(libvirt[0], work, "guest", runPath, 60_000, rate);
            closers.add(guest);
            KarafHosts.awaitShell(karaf[0], "headroom:volumes", "armed");
            guest.console().await("hr: progress 16/", Duration.ofMinutes(2));

            List<BlockingQueue<long[]>> stops = new ArrayList<>();
            List<BlockingQueue<long[]>> resumes = new ArrayList<>();
            for (int h = 0; h < 2; h++) {
                BlockingQueue<long[]> stop = new LinkedBlockingQueue<>();
                BlockingQueue<long[]> resume = new LinkedBlockingQueue<>();
                closers.add(events(libvirt[h], stop, resume));
                stops.add(stop);
                resumes.add(resume);
            }
            Thread.sleep(1000); // the listeners registered

            List<Map<String, Object>> runs = new ArrayList<>();
            int at = 0;
            for (int i = 0; i < config.integer("migrations"); i++) {
                int to = 1 - at;
                stops.get(at).clear();
                resumes.get(to).clear();
                long t0 = System.nanoTime();
                Lab.run("virsh", "-c", libvirt[at].uri(), "migrate", "--live", "--p2p", "guest", "--desturi", libvirt[to].uri(),
                        "--migrateuri", "unix://" + work.resolve("qemu-migration.sock"));
                double wallMs = (System.nanoTime() - t0) / 1e6;
                long[] stop = stops.get(at).poll(30, TimeUnit.SECONDS);
                long[] resume = resumes.get(to).poll(30, TimeUnit.SECONDS);
                if (stop == null || resume == null) {
                    throw new IllegalStateException("migration " + (i + 1) + ": no " + (stop == null ? "STOP" : "RESUME") + " event");
                }
                double downtime = ((resume[0] - stop[0]) * 1_000_000L + (resume[1] - stop[1])) / 1000.0;
                Matcher attach = ATTACH.matcher(ended(karaf[to]));
                double attachMs = attach.find() ? Double.parseDouble(attach.group(1)) : Double.NaN;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("n", i + 1);
                r.put("from", "host" + (at + 1));
                r.put("downtime_ms", downtime);
                r.put("attach_ms", attachMs);
                r.put("virsh_migrate_ms", wallMs);
                runs.add(r);
                System.out.printf("%2d host%d -> host%d: downtime %.1f ms, attach in the prepare hook %.1f ms, virsh migrate %.0f ms%n",
                        i + 1, at + 1, to + 1, downtime, attachMs, wallMs);
                at = to;
            }
            results.put("migrations", runs);
            Map<String, Object> summary = new LinkedHashMap<>();
            for (String key : List.of("downtime_ms", "attach_ms", "virsh_migrate_ms")) {
                summary.put(key, BenchSupport.summary(runs.stream().map(r -> (Double) r.get(key)).filter(d -> !d.isNaN()).toList()));
            }
            results.put("summary", summary);
            List<String> volumes = List.of(KarafHosts.shell(karaf[0], "headroom:volumes"), KarafHosts.shell(karaf[1], "headroom:volumes"));
            results.put("volumes", volumes);
            System.out.printf("%n== %d migrations under libvirt, the guest writing %d MiB/s (ms)%n", runs.size(), rate);
            summary.forEach((k, v) -> System.out.printf("  %-18s %s%n", k, v));
            System.out.println("volume monitors:\n" + String.join("", volumes));
            if (!config.get("json").isEmpty()) {
                BenchSupport.writeJson(Path.of(config.get("json")), results);
            }
            libvirt[at].virsh("destroy", "guest");
        } finally {
            for (int i = closers.size() - 1; i >= 0; i--) {
                try {
                    closers.get(i).close();
                } catch (Exception e) {
                    System.err.println("cleaning up: " + e);
                }
            }
            BenchSupport.deleteTree(work);
        }
    }

    /** headroom:migrations once no migration is under way there (the latest ended is listed first). */
    private static String ended(Path karaf) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String out;
        while ((out = KarafHosts.shell(karaf, "headroom:migrations")).contains("| migrating ")) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("a migration did not end within 30 s:\n" + out);
            }
            Thread.sleep(200);
        }
        return out;
    }

    /** virsh qemu-monitor-event on one host: each STOP and RESUME with QEMU's timestamp (seconds, micros). */
    private static AutoCloseable events(LibvirtHost host, BlockingQueue<long[]> stop, BlockingQueue<long[]> resume)
            throws Exception {
        Process p = new ProcessBuilder("virsh", "-c", host.uri(), "qemu-monitor-event", "--loop", "--regex", "--event",
                "^(STOP|RESUME)$").redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    Matcher m = EVENT.matcher(line);
                    if (m.find()) {
                        long[] t = {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
                        (m.group(1).equals("STOP") ? stop : resume).add(t);
                    }
                }
            } catch (Exception e) {
                System.err.println("qemu-monitor-event of " + host.uri() + ": " + e);
            }
        }, "events-" + host.uri());
        reader.setDaemon(true);
        reader.start();
        return p::destroy;
    }
}
