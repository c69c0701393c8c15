package org.headroom.lease.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.karaf.shell.api.action.Action;
import org.junit.jupiter.api.Test;

/** The commands exist before the lease service runs, and say what it needs. */
class NotConfiguredTest {

    private static String run(Action command) throws Exception {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            command.execute();
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutTheLeaseServiceTheCommandsSayHowToStartIt() throws Exception {
        assertThat(run(new LeasesCommand())).contains("not running", "etc/org.headroom.lease.cfg", "sanlock daemon");
        assertThat(run(new JobsCommand())).contains("not running", "etc/org.headroom.lease.cfg");
    }
}
