package org.headroom.migrate.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.headroom.api.storage.VolumeRef;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {
    private static final VolumeRef VOLUME = new VolumeRef(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aCallReadsBackAsItWasWritten() {
        AgentProtocol.Prepare call = new AgentProtocol.Prepare("m-1", "guest", List.of(VOLUME), true);
        assertThat(AgentProtocol.prepare(AgentProtocol.encode(call))).isEqualTo(call);
        AgentProtocol.Refresh refresh = new AgentProtocol.Refresh(VOLUME, 3L << 30);
        assertThat(AgentProtocol.refresh(AgentProtocol.encode(refresh))).isEqualTo(refresh);
        AgentProtocol.Abort abort = new AgentProtocol.Abort("m-1", "cancelled by the admin", true);
        assertThat(AgentProtocol.abort(AgentProtocol.encode(abort))).isEqualTo(abort);
        AgentProtocol.Departure departure = new AgentProtocol.Departure("m-2", "guest-b", List.of(VOLUME));
        assertThat(AgentProtocol.departure(AgentProtocol.encode(departure))).isEqualTo(departure);
        AgentProtocol.Ended ended = new AgentProtocol.Ended("m-2", "");
        assertThat(AgentProtocol.ended(AgentProtocol.encode(ended))).isEqualTo(ended);
        AgentProtocol.PrepareReply reply = new AgentProtocol.PrepareReply("unix:/x.sock", Double.NaN);
        assertThat(AgentProtocol.reply(AgentProtocol.encode(reply), AgentProtocol.PrepareReply.class).uri()).isEqualTo("unix:/x.sock");
    }

    @Test
    void eachMalformedFieldIsNamed() {
        assertThatThrownBy(() -> AgentProtocol.prepare(json("[]"))).hasMessage("not a JSON object");
        assertThatThrownBy(() -> AgentProtocol.prepare(json("{\"migration\":\"m\",\"vm\":\"a/b\",\"volumes\":[]}")))
                .hasMessageContaining("vm: not a VM name");
        assertThatThrownBy(() -> AgentProtocol.prepare(json("{\"migration\":\"m\",\"vm\":\"g\",\"volumes\":[{\"domain\":\"x\"}]}")))
                .hasMessageContaining("volumes[0].domain: not a UUID");
        assertThatThrownBy(() -> AgentProtocol.prepare(json("{\"migration\":\"m\",\"vm\":\"g\",\"volumes\":[],\"legacy\":1}")))
                .hasMessageContaining("legacy: not true or false");
        assertThatThrownBy(() -> AgentProtocol.refresh(AgentProtocol.encode(new AgentProtocol.Refresh(VOLUME, 0))))
                .hasMessageContaining("size: 0 out of range");
        assertThatThrownBy(() -> AgentProtocol.departure(json("{\"migration\":\"m\",\"vm\":\"g\"}")))
                .hasMessageContaining("volumes: missing or not a list");
        assertThatThrownBy(() -> AgentProtocol.ended(json("{\"reason\":\"x\"}")))
                .hasMessageContaining("migration: missing or not a string");
        assertThatThrownBy(() -> AgentProtocol.abort(json("{\"migration\":\"m\",\"cancelled\":\"yes\"}")))
                .hasMessageContaining("cancelled: not true or false");
        assertThatThrownBy(() -> AgentProtocol.migration(json("{\"migration\":\"../../etc\"}")))
                .hasMessageContaining("migration: not a migration id");
        assertThatThrownBy(() -> AgentProtocol.migration(new byte[AgentProtocol.MAX_BODY_BYTES + 1]))
                .hasMessageContaining("at most " + AgentProtocol.MAX_BODY_BYTES);
    }
}
