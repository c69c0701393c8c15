package org.headroom.mailbox.command;

import static org.assertj.core.api.Assertions.assertThat;

import org.headroom.testing.Stdout;
import org.junit.jupiter.api.Test;

/** In a Karaf without a mailbox configuration headroom:mailbox exists, and says what it needs. */
class NotConfiguredTest {

    @Test
    void withoutTheMailboxTheCommandSaysHowToStartIt() throws Exception {
        assertThat(Stdout.of(new MailboxCommand()::execute)).contains("not running", "etc/org.headroom.mailbox.cfg",
                "headroom:domains");
    }
}
