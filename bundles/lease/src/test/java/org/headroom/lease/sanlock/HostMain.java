package org.headroom.lease.sanlock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Another simulated host for the binding's tests: a JVM of its own (libsanlock reads
 * SANLOCK_RUN_DIR once per process) talking to its host's daemon, driven line by line over stdin.
 * Each command gets one line back: {@code ok [result]}, or {@code err <class> <code> <name> <message>}
 * for a {@link SanlockException}. Leases are {@code lockspace:name:path:offset}. It exits at the
 * end of its input: its registration closes with it.
 *
 * <pre>
 * join LOCKSPACE HOST_ID IDS_PATH IO_TIMEOUT [DEADLINE_S]   register NAME   close
 * acquire LEASE [lvb] [shared]                 release LEASE        inquire
 * setlvb LEASE TEXT                            getlvb LEASE         killpath PROGRAM ARGS
 * hosts LOCKSPACE                              owners LEASE         pid
 * </pre>
 */
public final class HostMain {
    private HostMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (Sanlock sanlock = Sanlock.open(CallBounds.forIoTimeout(1))) {
            Registration reg = null;
            for (String line; (line = in.readLine()) != null; ) {
                String[] w = line.trim().split(" ");
                try {
                    String result = switch (w[0]) {
                        case "join" -> {
                            sanlock.joinLockspace(new Lockspace(w[1], Long.parseLong(w[2]), new Disk(w[3], 0)),
                                    Integer.parseInt(w[4]), Duration.ofSeconds(w.length > 5 ? Long.parseLong(w[5]) : 30));
                            yield "";
                        }
                        case "register" -> {
                            reg = sanlock.register(w[1]);
                            yield Integer.toString(reg.fd());
                        }
                        case "close" -> {
                            reg.close();
                            yield "";
                        }
                        case "acquire" -> {
                            Set<AcquireFlag> flags = EnumSet.noneOf(AcquireFlag.class);
                            boolean shared = false;
                            for (int i = 2; i < w.length; i++) {
                                if (w[i].equals("lvb")) {
                                    flags.add(AcquireFlag.LVB);
                                } else if (w[i].equals("shared")) {
                                    shared = true;
                                }
                            }
                            reg.acquire(List.of(lease(w[1]).withShared(shared)), flags);
                            yield "";
                        }
                        case "release" -> {
                            reg.release(lease(w[1]));
                            yield "";
                        }
                        case "inquire" -> reg.inquire().toString();
                        case "setlvb" -> {
                            reg.setLvb(lease(w[1]), w[2].getBytes(StandardCharsets.UTF_8));
                            yield "";
                        }
                        case "getlvb" -> new String(reg.getLvb(lease(w[1]), 512), StandardCharsets.UTF_8).replace("\0", "");
                        case "killpath" -> {
                            reg.killpath(w[1], w[2], false);
                            yield "";
                        }
                        case "hosts" -> sanlock.hosts(w[1]).stream().map(h -> h.hostId() + ":" + h.state())
                                .collect(Collectors.joining(" "));
                        case "owners" -> {
                            ResourceOwners o = sanlock.readResourceOwners(lease(w[1]));
                            yield o.version() + o.owners().stream().map(h -> " " + h.hostId() + ":" + h.generation())
                                    .collect(Collectors.joining());
                        }
                        case "pid" -> Long.toString(ProcessHandle.current().pid());
                        default -> throw new IllegalArgumentException("unknown command " + w[0]);
                    };
                    out.println(result.isEmpty() ? "ok" : "ok " + result);
                } catch (SanlockException e) {
                    out.println("err " + e.getClass().getSimpleName() + " " + e.code() + " " + e.codeName() + " "
                            + e.getMessage());
                } catch (RuntimeException e) {
                    out.println("err " + e.getClass().getSimpleName() + " 0 - " + e.getMessage());
                }
            }
        }
    }

    /** {@code lockspace:name:path:offset}. */
    static Resource lease(String text) {
        String[] f = text.split(":");
        return Resource.of(f[0], f[1], new Disk(f[2], Long.parseLong(f[3])));
    }
}
