package org.headroom.lease.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.karaf.shell.api.action.Action;
import org.headroom.testing.Stdout;
import org.junit.jupiter.api.Test;

/** The commands exist before the lease service runs, and say what it needs. */
class NotConfiguredTest {

    private static String run(Action command) throws Exception {
        return Stdout.of(command::execute);
    }

    @Test
    void withoutTheLeaseServiceTheCommandsSayHowToStartIt() throws Exception {
        assertThat(run(new LeasesCommand())).contains("not running", "etc/org.headroom.lease.cfg", "sanlock daemon");
        assertThat(run(new JobsCommand())).contains("not running", "etc/org.headroom.lease.cfg");
    }
}
