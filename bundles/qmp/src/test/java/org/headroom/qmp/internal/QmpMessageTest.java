package org.headroom.qmp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QmpMessageTest {

    private static QmpMessage decode(String s) {
        return QmpMessage.decode(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void greetingOffersOob() {
        QmpMessage m = decode("{\"QMP\": {\"version\": {}, \"capabilities\": [\"oob\"]}}");
        assertThat(m).isInstanceOf(QmpMessage.Greeting.class);
        assertThat(((QmpMessage.Greeting) m).offersOob()).isTrue();
        assertThat(((QmpMessage.Greeting) decode("{\"QMP\": {\"capabilities\": []}}")).offersOob()).isFalse();
    }

    @Test
    void returnsAndErrorsKeepTheirIds() {
        QmpMessage r = decode("{\"return\": {}, \"id\": \"hr-7\"}");
        assertThat(((QmpMessage.Return) r).id().asText()).isEqualTo("hr-7");
        QmpMessage e = decode("{\"id\": \"hr-8\", \"error\": {\"class\": \"CommandNotFound\", \"desc\": \"no\"}}");
        assertThat(e).isEqualTo(new QmpMessage.Error(((QmpMessage.Error) e).id(), "CommandNotFound", "no"));
        assertThat(((QmpMessage.Error) decode("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error\"}}")).id())
                .isNull();
    }

    @Test
    void eventsGetTheirTimestampAndAnEmptyObjectForNoData() {
        QmpMessage m = decode("{\"timestamp\": {\"seconds\": 2, \"microseconds\": 5}, \"event\": \"STOP\"}");
        QmpMessage.Event e = (QmpMessage.Event) m;
        assertThat(e.event().name()).isEqualTo("STOP");
        assertThat(e.event().timestampMicros()).isEqualTo(2_000_005L);
        assertThat(e.event().data().isObject()).isTrue();
    }

    @Test
    void anythingElseIsGarbageWithAPrintableExcerpt() {
        assertThat(decode("nope")).isInstanceOf(QmpMessage.Garbage.class);
        assertThat(decode("[1]")).isInstanceOf(QmpMessage.Garbage.class);
        assertThat(decode("{\"unknown\": 1}")).isInstanceOf(QmpMessage.Garbage.class);
        QmpMessage.Garbage g = (QmpMessage.Garbage) decode("\u0001{bad");
        assertThat(g.excerpt()).doesNotContain("\u0001");
        assertThat(g.reason()).startsWith("not JSON");
    }
}
