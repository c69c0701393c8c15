package org.headroom.lease.internal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.headroom.api.spm.SpmStatus;
import org.headroom.lease.sanlock.CallBounds;
import org.headroom.lease.sanlock.Sanlock;
import org.headroom.runtime.ThreadScheduler;
import org.headroom.storage.DomainSet;
import org.headroom.storage.FileStorageDomain;

/**
 * Another SPM candidate for the election's tests, in a JVM of its own over its own sanlock daemon,
 * driven line by line over stdin (one {@code ok ...} or {@code err ...} line back per command).
 *
 * <pre>
 * args: DOMAIN_ROOT DOMAIN_UUID HOST_ID IO_TIMEOUT AGENT_DIR INTERVAL_MS
 * joined     waits until the domain's lockspace is joined
 * elect      starts contending
 * status     held=true|false spm=HOST
 * handover   gives the role up
 * events     what the role saw, "serves@<epoch ms>" and "stopped@<epoch ms>", space-separated
 * </pre>
 */
public final class SpmHostMain {
    private SpmHostMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        UUID domain = UUID.fromString(args[1]);
        int hostId = Integer.parseInt(args[2]);
        int io = Integer.parseInt(args[3]);
        DomainSet storage = DomainSet.of(Path.of(args[0]).resolve("run-" + hostId),
                FileStorageDomain.open(Path.of(args[0]), domain, "file"));
        List<String> events = new CopyOnWriteArrayList<>();
        try (Sanlock sanlock = Sanlock.open(CallBounds.forIoTimeout(io));
             ThreadScheduler scheduler = ThreadScheduler.create("leases", 1, 64);
             SanlockLeases leases = new SanlockLeases(sanlock, hostId, storage, io, scheduler, Path.of(args[4]));
             SpmElection election = new SpmElection(leases, domain, scheduler, Duration.ofMillis(Long.parseLong(args[5])),
                     System::currentTimeMillis, new SpmElection.Role() {
                         @Override
                         public void elected(long sinceMillis) {
                             events.add("serves@" + System.currentTimeMillis());
                         }

                         @Override
                         public void deposed(String why) {
                             events.add("stopped@" + System.currentTimeMillis());
                         }
                     })) {
            leases.start();
            for (String line; (line = in.readLine()) != null; ) {
                try {
                    String result = switch (line.trim()) {
                        case "joined" -> {
                            leases.awaitJoined(domain, Duration.ofSeconds(30));
                            yield "";
                        }
                        case "elect" -> {
                            election.start();
                            yield "";
                        }
                        case "status" -> {
                            SpmStatus s = election.status();
                            yield "held=" + s.held() + " spm=" + s.spmHostId();
                        }
                        case "handover" -> Boolean.toString(election.handOver());
                        case "events" -> String.join(" ", events);
                        default -> throw new IllegalArgumentException("unknown command " + line);
                    };
                    out.println(result.isEmpty() ? "ok" : "ok " + result);
                } catch (Exception e) {
                    out.println("err " + e.getClass().getSimpleName() + " 0 - " + String.valueOf(e.getMessage()).replace('\n', ' '));
                }
            }
        }
    }
}
