package org.headroom.lease.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.headroom.api.spm.SpmStatus;
import org.headroom.runtime.ThreadScheduler;

/**
 * Another SPM candidate for the election's tests, in a JVM of its own over its own sanlock daemon,
 * driven line by line over stdin (one {@code ok ...} or {@code err ...} line back per command).
 *
 * <pre>
 * args: DOMAIN_ROOT DOMAIN_UUID HOST_ID IO_TIMEOUT AGENT_DIR INTERVAL_MS [MAX_HOST_ID]
 *       with MAX_HOST_ID, the role serves the mailbox's SPM side for hosts 1..MAX_HOST_ID, as the
 *       mailbox component does in Karaf
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
        List<String> events = new CopyOnWriteArrayList<>();
        try (HostAgent agent = HostAgent.start(args)) {
            int maxHostId = args.length > 6 ? Integer.parseInt(args[6]) : 0;
            SpmSide side = new SpmSide(agent.storage.domain(agent.domain).orElseThrow(), maxHostId);
            try (SpmElection election = new SpmElection(agent.leases, agent.domain, agent.scheduler,
                    Duration.ofMillis(Long.parseLong(args[5])), System::currentTimeMillis, new SpmElection.Role() {
                        @Override
                        public void elected(long sinceMillis) {
                            side.start();
                            events.add("serves@" + System.currentTimeMillis());
                        }

                        @Override
                        public void deposed(String why) {
                            side.stop();
                            events.add("stopped@" + System.currentTimeMillis());
                        }
                    })) {
                agent.serve(w -> switch (w[0]) {
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
                    default -> throw new IllegalArgumentException("unknown command " + w[0]);
                });
            }
        }
    }

    /** The mailbox's SPM side while the role is held (none without a MAX_HOST_ID). */
    private static final class SpmSide {
        private final org.headroom.api.storage.StorageDomain domain;
        private final int maxHostId;
        private final List<AutoCloseable> running = new java.util.ArrayList<>();

        SpmSide(org.headroom.api.storage.StorageDomain domain, int maxHostId) {
            this.domain = domain;
            this.maxHostId = maxHostId;
        }

        void start() {
            if (maxHostId == 0) {
                return;
            }
            ThreadScheduler inbox = ThreadScheduler.create("mailbox-spm", 1, 16);
            ThreadScheduler outbox = ThreadScheduler.create("mailbox-spm-outbox", 1, 16);
            ThreadScheduler workers = ThreadScheduler.create("mailbox-spm-extend", 4, maxHostId * 63 + 1024);
            org.headroom.mailbox.internal.SpmMailbox spm = new org.headroom.mailbox.internal.SpmMailbox(domain,
                    org.headroom.mailbox.internal.MailboxPolicy.HEADROOM, maxHostId, inbox, outbox, workers);
            running.addAll(List.of(workers, outbox, inbox, spm));
            try {
                spm.start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        void stop() {
            for (int i = running.size() - 1; i >= 0; i--) {
                try {
                    running.get(i).close();
                } catch (Exception e) {
                    System.err.println("stopping the SPM side: " + e);
                }
            }
            running.clear();
        }
    }
}
