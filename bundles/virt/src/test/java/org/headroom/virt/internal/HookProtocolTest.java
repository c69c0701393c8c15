package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HookProtocolTest {
    private static final int MAX_XML = 1 << 20;

    private static HookRequest decode(byte[] bytes) throws IOException {
        return HookProtocol.decode(new ByteArrayInputStream(bytes), MAX_XML);
    }

    private static HookRequest decode(String s) throws IOException {
        return decode(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void roundTripsAnyCharacters() throws IOException {
        HookRequest r = new HookRequest("vm é 1", "prepare", "begin", "-", "<domain>\n\0 ünïcode \r\n</domain>");

        assertThat(decode(HookProtocol.encode(r))).isEqualTo(r);
    }

    @Test
    void theHeaderGivesByteLengths() throws IOException {
        assertThat(decode("HEADROOM-HOOK/1 2 7 5 1 9\nvmstartedbegin-<domain/>"))
                .isEqualTo(new HookRequest("vm", "started", "begin", "-", "<domain/>"));
    }

    @Test
    void garbageIsRefusedWithAClearError() {
        assertThatThrownBy(() -> decode("GET / HTTP/1.1\r\n\r\n")).hasMessageContaining("not a hook request");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 1 1 1 1\nabcd")).hasMessageContaining("not a hook request");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 a 1 1 1 1\n")).hasMessageContaining("'a' is no number");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 -1 1 1 1 1\n")).hasMessageContaining("allowed 0..");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 1 1 1 1 " + (MAX_XML + 1) + "\n"))
                .hasMessageContaining("field 5 is " + (MAX_XML + 1) + " bytes");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 1 1 1 1 100\nabcd<dom"))
                .hasMessageContaining("ended after 4 of 100 bytes of field 5");
        assertThatThrownBy(() -> decode("HEADROOM-HOOK/1 1 1")).hasMessageContaining("before a whole header line");
        byte[] endless = new byte[1000];
        Arrays.fill(endless, (byte) 'x');
        assertThatThrownBy(() -> decode(endless)).hasMessageContaining("longer than");
    }

    @Test
    void randomBytesNeverDecodeNorHang() {
        Random random = new Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(300)];
            random.nextBytes(junk);
            assertThatThrownBy(() -> decode(junk)).isInstanceOf(HookProtocol.MalformedHookRequestException.class);
        }
    }

    @Test
    void repliesAreOneLine() {
        assertThat(new String(HookProtocol.reply(1, "disk vdb:\nno volume"), StandardCharsets.UTF_8))
                .isEqualTo("1 disk vdb: no volume\n");
    }
}
