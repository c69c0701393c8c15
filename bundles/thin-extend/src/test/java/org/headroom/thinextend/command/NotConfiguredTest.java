package org.headroom.thinextend.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.headroom.testing.Stdout;
import org.junit.jupiter.api.Test;

/** In a Karaf without a mailbox configuration the commands exist, and say what the monitor needs. */
class NotConfiguredTest {

    @Test
    void withoutTheVolumeMonitorTheCommandsSayHowToStartIt() throws Exception {
        assertThat(Stdout.of(new VolumesCommand()::execute)).contains("not running", "etc/org.headroom.mailbox.cfg");
        ExtendCommand extend = new ExtendCommand();
        extend.vm = "vm1";
        extend.drive = "vda";
        assertThat(Stdout.of(extend::execute)).contains("not running", "etc/org.headroom.mailbox.cfg");
    }
}
