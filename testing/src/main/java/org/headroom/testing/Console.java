package org.headroom.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A guest's serial console written to a file (by QEMU itself, or by libvirt on its behalf). */
public record Console(Path file) {

    /** The console so far. */
    public String text() throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    }

    /** Waits until a console line matches; returns the match. */
    public Matcher await(String regex, Duration timeout) throws IOException, InterruptedException {
        Pattern pattern = Pattern.compile(regex, Pattern.MULTILINE);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(text());
            if (m.find()) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no console line matching /" + regex + "/ within " + timeout
                        + "; console:\n" + text());
            }
            Thread.sleep(50);
        }
    }

    /** The md5 of the test guest's 4 MiB pattern, which it prints first. */
    public String patternMd5() throws IOException, InterruptedException {
        return await("hr: pattern md5=([0-9a-f]{32})", Duration.ofSeconds(1)).group(1);
    }
}
