package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.headroom.api.storage.VolumeRef;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on the decoders of what another agent sends: each call's body, and the replies. Each
 * gives a call whose fields hold what the protocol says, or refuses with
 * {@link MalformedRequestException} saying why; nothing else. The corpus holds a call of each kind.
 */
@ExtendWith(FuzzInputTimeout.class)
class AgentProtocolFuzzTest {

    @FuzzTest
    void decode(byte[] data) {
        try {
            AgentProtocol.Prepare p = AgentProtocol.prepare(data);
            assertThat(p.migration()).matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
            assertThat(p.vm()).isNotEmpty().hasSizeLessThanOrEqualTo(255).doesNotContain("/");
            assertThat(p.volumes()).hasSizeLessThanOrEqualTo(AgentProtocol.MAX_VOLUMES).doesNotContainNull();
        } catch (MalformedRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            AgentProtocol.Refresh r = AgentProtocol.refresh(data);
            VolumeRef v = r.volume();
            assertThat(v).isNotNull();
            assertThat(r.size()).isBetween(1L, AgentProtocol.MAX_SIZE);
        } catch (MalformedRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            AgentProtocol.Abort a = AgentProtocol.abort(data);
            assertThat(a.reason()).hasSizeLessThanOrEqualTo(1000);
        } catch (MalformedRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            AgentProtocol.Departure d = AgentProtocol.departure(data);
            assertThat(d.vm()).isNotEmpty().hasSizeLessThanOrEqualTo(255).doesNotContain("/");
            assertThat(d.volumes()).hasSizeLessThanOrEqualTo(AgentProtocol.MAX_VOLUMES).doesNotContainNull();
        } catch (MalformedRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        try {
            AgentProtocol.Ended e = AgentProtocol.ended(data);
            assertThat(e.migration()).matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
            assertThat(e.reason()).hasSizeLessThanOrEqualTo(1000);
        } catch (MalformedRequestException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
        for (Class<?> reply : new Class<?>[] {AgentProtocol.PrepareReply.class, AgentProtocol.ActivateReply.class,
                AgentProtocol.LandReply.class, AgentProtocol.RefreshReply.class, AgentProtocol.ErrorReply.class,
                AgentProtocol.DepartureReply.class, AgentProtocol.Ack.class}) {
            try {
                assertThat((Object) AgentProtocol.reply(data, reply)).isInstanceOf(reply);
            } catch (MalformedRequestException refused) {
                assertThat(refused.getMessage()).isNotBlank();
            }
        }
    }
}
