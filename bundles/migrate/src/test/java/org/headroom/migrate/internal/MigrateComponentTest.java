package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class MigrateComponentTest {

    @Test
    void peersComeAsACfgFileGivesThemOneStringCommaSeparatedOrAsAList() {
        assertThat(MigrateComponent.peers(new String[] {"host2=https://10.0.0.2:54330, host3=https://10.0.0.3:54330"}))
                .containsEntry("host2", URI.create("https://10.0.0.2:54330"))
                .containsEntry("host3", URI.create("https://10.0.0.3:54330"))
                .hasSize(2);
        assertThat(MigrateComponent.peers(new String[] {""})).as("peers = (none)").isEmpty();
    }

    @Test
    void aPeerThatIsNotNameEqualsHttpsUrlIsRefusedSayingWhich() {
        assertThatThrownBy(() -> MigrateComponent.peers(new String[] {"host2=http://10.0.0.2:54330"}))
                .hasMessage("peer host2=http://10.0.0.2:54330 is not NAME=https://ADDRESS:PORT");
        assertThatThrownBy(() -> MigrateComponent.peers(new String[] {"https://10.0.0.2:54330"}))
                .hasMessageContaining("is not NAME=https://ADDRESS:PORT");
    }
}
