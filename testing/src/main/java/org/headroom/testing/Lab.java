package org.headroom.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the lab (installed by {@code lab/install.sh}) keeps its parts, and the rule for tests that
 * need one: on a developer's machine a missing component skips the test; in CI ({@code CI=true}),
 * where the lab is always installed, it fails it.
 */
public final class Lab {
    public static final Path HOME = Path.of(System.getenv().getOrDefault("HEADROOM_LAB", "/var/lib/headroom-lab"));
    public static final Path GUEST_KERNEL = HOME.resolve("guest/vmlinux");
    public static final Path GUEST_INITRD = HOME.resolve("guest/initramfs.cpio.gz");
    public static final String QEMU = "/usr/bin/qemu-system-x86_64";
    public static final String QEMU_IMG = "/usr/bin/qemu-img";

    private Lab() {
    }

    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Requires QEMU and qemu-img. */
    public static void requireQemu() {
        require(QEMU, QEMU_IMG);
    }

    /** Requires QEMU, loop devices and the test guest. */
    public static void requireGuest() {
        require(QEMU, QEMU_IMG, GUEST_KERNEL.toString(), GUEST_INITRD.toString(), "/dev/loop-control");
    }

    public static void require(String... paths) {
        for (String p : paths) {
            if (!Files.exists(Path.of(p))) {
                String why = p + " is missing: run lab/install.sh";
                if (ci()) {
                    throw new AssertionError("CI installs the lab, yet " + why);
                }
                Assumptions.abort(why);
            }
        }
    }

    /** Runs a command to completion; fails with its output when it exits non-zero. */
    public static String run(List<String> command) throws IOException, InterruptedException {
        return run(java.util.Map.of(), command);
    }

    /** {@link #run(List)} with {@code environment} added to this process's. */
    public static String run(java.util.Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(environment);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IOException(String.join(" ", command) + " exited " + rc + ": " + out.strip());
        }
        return out;
    }

    public static String run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }
}
