package org.headroom.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.headroom.testing.Lab;
import org.headroom.testing.Libvirtd;
import org.junit.Test;

/**
 * README.md's "A libvirt VM with a thin disk", run as the README writes it (lab/walkthrough.sh
 * reads the block from the README): the distribution unpacked, the hook installed, libvirtd
 * restarted, the agent started, headroom:volume-create, virsh define + start of the test guest on
 * the run path it printed, the guest writing 6 GiB into a disk that starts at one chunk, and the
 * figures read after the VM powered off. 0 pauses, every extension counted, and the host as it was.
 */
public class ReadmeWalkthroughIT {
    private static final Pattern SUMMARY = Pattern.compile(
            "policy (\\S+): (\\d+) watched, (\\d+) extensions, (\\d+) pauses, (\\d+) failures");
    private static final Pattern STOPPED_ROW = Pattern.compile("headroom-readme \\| vda +\\| \\S+ +\\| stopped +\\|"
            + " 20480 +\\| (\\d+) +\\| - +\\| - +\\| (\\d+) +\\| (\\d+) +\\| (\\d+)");

    @Test
    public void theReadmesLibvirtWalkthroughRunsAsWrittenWithoutAPause() throws Exception {
        for (String part : List.of("/usr/sbin/libvirtd", "/usr/bin/virsh", "/usr/bin/cc", Lab.QEMU, Lab.QEMU_IMG,
                Lab.GUEST_KERNEL.toString(), Lab.GUEST_INITRD.toString(), "/dev/loop-control", "/usr/sbin/sanlock")) {
            if (!Files.exists(Path.of(part))) {
                if (Lab.ci()) {
                    fail("CI installs the lab, yet " + part + " is missing");
                }
                org.junit.Assume.assumeTrue(part + " is missing: run lab/install.sh", false);
            }
        }
        Path project = Libvirtd.projectRoot();
        assertTrue("the distribution is built before the itests",
                Files.list(project.resolve("distribution/target")).anyMatch(p -> p.toString().endsWith(".tar.gz")));
        String before = hostState();
        Path work = Files.createTempDirectory(Path.of("/var/tmp"), "headroom-readme-");
        Path log = work.resolveSibling(work.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", project.resolve("lab/walkthrough.sh").toString())
                .directory(project.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("WALKTHROUGH_WORK", work.toString());
        pb.environment().put("VM", "headroom-readme");
        pb.environment().remove("SANLOCK_RUN_DIR"); // the README's agent talks to the host's daemon, at /run/sanlock
        Process p = pb.start();
        String out;
        try {
            if (!p.waitFor(12, TimeUnit.MINUTES)) {
                p.destroy(); // SIGTERM: the walkthrough ends what it started
                p.waitFor(2, TimeUnit.MINUTES);
                fail("the walkthrough did not finish in 12 minutes:\n" + tail(log));
            }
            out = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals("exit status of the walkthrough:\n" + tail(log), 0, p.exitValue());
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(log);
        }

        assertTrue("the agent became the SPM by the SDM lease:\n" + out, out.contains("this host is the SPM since"));
        assertTrue("headroom:volume-create printed a run path:\n" + out, out.contains("the disk: /run/headroom/storage/"));
        assertTrue("the VM was started by virsh:\n" + out, out.contains("Domain 'headroom-readme' started"));
        Matcher row = STOPPED_ROW.matcher(out);
        assertTrue("headroom:volumes --all shows the volume after the VM stopped:\n" + out, row.find());
        long physical = Long.parseLong(row.group(1));
        long extensions = Long.parseLong(row.group(2));
        long pauses = Long.parseLong(row.group(3));
        long failures = Long.parseLong(row.group(4));
        assertTrue("the 6 GiB the guest wrote fit the volume: " + physical + " MiB", physical >= 6144);
        assertTrue("extended ahead of the guest: " + extensions, extensions >= 2);
        assertEquals("pauses", 0, pauses);
        assertEquals("failures", 0, failures);
        Matcher summary = SUMMARY.matcher(out);
        String last = null;
        while (summary.find()) {
            last = summary.group();
        }
        assertTrue("the summary line: " + last, last != null && last.contains("0 watched") && last.contains(" 0 pauses"));
        assertEquals("the walkthrough left the host as it found it", before, hostState());
        try (Stream<Path> left = Files.list(Path.of("/var/tmp"))) {
            assertTrue("its work directory is gone", left.noneMatch(work::equals));
        }
    }

    /** libvirt's qemu hook, /run/headroom and the sanlock daemons (by run dir), as test.sh compares them. */
    private static String hostState() throws IOException, InterruptedException {
        return Lab.run(List.of("bash", "-c", "sha256sum /etc/libvirt/hooks/qemu 2>/dev/null || echo no hook;"
                + " find /run/headroom 2>/dev/null | sort;"
                + " bash " + Libvirtd.projectRoot().resolve("lab/sanlock.sh") + " daemons;"
                + " true"));
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
