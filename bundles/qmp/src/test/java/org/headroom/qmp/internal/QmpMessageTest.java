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
        QmpMessage.Garbage g = (QmpMessage.Garbage) decode("\u0001{bad");
        assertThat(g.excerpt()).doesNotContain("\u0001");
        assertThat(g.reason()).startsWith("not JSON");
    }

    @Test
    void garbageIsAReplyUnlessItsHeadShowsAnEventOrItIsAnObjectOfNoKnownShape() {
        assertThat(((QmpMessage.Garbage) decode("nope")).shape()).isEqualTo(QmpMessage.Shape.REPLY);
        assertThat(((QmpMessage.Garbage) decode("[1]")).shape()).isEqualTo(QmpMessage.Shape.REPLY);
        assertThat(((QmpMessage.Garbage) decode("{\"return\": nope}")).shape()).isEqualTo(QmpMessage.Shape.REPLY);
        assertThat(((QmpMessage.Garbage) decode("{\"timestamp\": {\"seconds\": 1}, \"event\": \"X\", \"data\": nope}")).shape())
                .isEqualTo(QmpMessage.Shape.EVENT);
        assertThat(((QmpMessage.Garbage) decode("{\"data\": nope, \"event\": \"X\"}")).shape()).isEqualTo(QmpMessage.Shape.EVENT);
        assertThat(((QmpMessage.Garbage) decode("{\"unknown\": 1}")).shape()).isEqualTo(QmpMessage.Shape.UNKNOWN);
        QmpMessage.Garbage withId = (QmpMessage.Garbage) decode("{\"unknown\": 1, \"id\": \"hr-3\"}");
        assertThat(withId.shape()).isEqualTo(QmpMessage.Shape.REPLY);
        assertThat(withId.id()).isEqualTo("hr-3");
    }

    @Test
    void theIdOfAnUnreadableReplyIsReadFromItsTail() {
        assertThat(((QmpMessage.Garbage) decode("{\"return\": {\"x\": nope}, \"id\": \"hr-9\"}")).id()).isEqualTo("hr-9");
        assertThat(((QmpMessage.Garbage) decode("{\"return\": [1, 2")).id()).isNull();
        assertThat(((QmpMessage.Garbage) decode("{\"return\": nope, \"id\": 5}")).id()).as("not a string id").isNull();
    }

    @Test
    void anOversizedLineNamesTheLimitAndKeepsItsIdAndShape() {
        byte[] head = "{\"return\": \"xxxxxxxx".getBytes(StandardCharsets.UTF_8);
        byte[] tail = "xxxxxxxx\", \"id\": \"hr-12\"}".getBytes(StandardCharsets.UTF_8);
        QmpMessage.Garbage g = QmpMessage.oversized(new QmpFraming.Oversized(5000, head, tail), 4096);
        assertThat(g.reason()).contains("4096 bytes").contains("5000");
        assertThat(g.shape()).isEqualTo(QmpMessage.Shape.REPLY);
        assertThat(g.id()).isEqualTo("hr-12");
        byte[] event = "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"BIG\"".getBytes(StandardCharsets.UTF_8);
        assertThat(QmpMessage.oversized(new QmpFraming.Oversized(5000, event, tail), 4096).shape())
                .isEqualTo(QmpMessage.Shape.EVENT);
    }

    @Test
    void aStringLongerThanJacksonsDefaultLimitIsRead() {
        String big = "s".repeat(21_000_000);
        QmpMessage m = decode("{\"return\": \"" + big + "\", \"id\": \"hr-1\"}");
        assertThat(((QmpMessage.Return) m).value().asText()).hasSize(big.length());
    }
}
