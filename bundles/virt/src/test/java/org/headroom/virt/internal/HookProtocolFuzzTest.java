package org.headroom.virt.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.headroom.testing.FuzzInputTimeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jazzer on {@link HookProtocol#decode}: any bytes a client of the hook socket sends. A request
 * decodes to exactly the fields its header announces, read from exactly that many bytes, or is
 * refused with {@link HookProtocol.MalformedHookRequestException} (anything else is a finding),
 * without reading past a header longer than the limit; a field over its limit is refused naming
 * the limit. Any request the hook can send (fields cut from the input's text) decodes to itself,
 * and a reply is always one line. The corpus holds requests as the C hook writes them, with the
 * domain XML of the tests, and truncated and oversized ones.
 */
@ExtendWith(FuzzInputTimeout.class)
class HookProtocolFuzzTest {
    private static final int MAX_XML = 1024;
    private static final int MAX_HEADER = 128;

    @FuzzTest
    void decode(byte[] data) throws IOException {
        ByteArrayInputStream in = new ByteArrayInputStream(data);
        try {
            HookRequest r = HookProtocol.decode(in, MAX_XML);
            int consumed = data.length - in.available();
            int header = indexOf(data, (byte) '\n');
            assertThat(header).isBetween(0, MAX_HEADER);
            String[] lengths = new String(data, 0, header, StandardCharsets.UTF_8).split(" ");
            String[] fields = {r.guest(), r.op(), r.subop(), r.extra(), r.xml()};
            int at = header + 1;
            for (int i = 0; i < 5; i++) {
                int length = Integer.parseInt(lengths[i + 1]);
                assertThat(length).isLessThanOrEqualTo(i == 4 ? MAX_XML : HookProtocol.MAX_FIELD);
                assertThat(fields[i]).isEqualTo(new String(data, at, length, StandardCharsets.UTF_8));
                at += length;
            }
            assertThat(consumed).as("read exactly the announced bytes").isEqualTo(at);
            assertThat(HookProtocol.decode(new ByteArrayInputStream(HookProtocol.encode(r)), MAX_XML)).isEqualTo(r);
        } catch (HookProtocol.MalformedHookRequestException refused) {
            int consumed = data.length - in.available();
            assertThat(refused.getMessage()).isNotBlank();
            if (!refused.getMessage().contains("ended after")) {
                assertThat(consumed).as("refused in the header: %s", refused.getMessage()).isLessThanOrEqualTo(MAX_HEADER + 1);
            }
            if (refused.getMessage().matches("field [1-5] is -?[0-9]+ bytes, allowed .*")) {
                assertThat(refused.getMessage()).containsAnyOf("allowed 0.." + MAX_XML, "allowed 0.." + HookProtocol.MAX_FIELD);
            }
        }

        // What the hook sends decodes to itself, or is refused for its size.
        // Cut between code points: the hook sends bytes, so its strings never hold half a surrogate pair.
        String text = new String(data, StandardCharsets.UTF_8);
        int points = text.codePointCount(0, text.length());
        int[] cut = new int[6];
        for (int i = 0; i <= 5; i++) {
            cut[i] = text.offsetByCodePoints(0, points * i / 5);
        }
        HookRequest sent = new HookRequest(text.substring(cut[0], cut[1]), text.substring(cut[1], cut[2]),
                text.substring(cut[2], cut[3]), text.substring(cut[3], cut[4]), text.substring(cut[4], cut[5]));
        byte[] encoded = HookProtocol.encode(sent);
        if (utf8(sent.guest()) <= HookProtocol.MAX_FIELD && utf8(sent.op()) <= HookProtocol.MAX_FIELD
                && utf8(sent.subop()) <= HookProtocol.MAX_FIELD && utf8(sent.extra()) <= HookProtocol.MAX_FIELD
                && utf8(sent.xml()) <= MAX_XML) {
            assertThat(HookProtocol.decode(new ByteArrayInputStream(encoded), MAX_XML)).isEqualTo(sent);
        } else {
            assertThatThrownBy(() -> HookProtocol.decode(new ByteArrayInputStream(encoded), MAX_XML))
                    .isInstanceOf(HookProtocol.MalformedHookRequestException.class).hasMessageContaining("allowed 0..");
        }

        byte[] reply = HookProtocol.reply(data.length % 3 - 1, text);
        assertThat(indexOf(reply, (byte) '\n')).as("one line").isEqualTo(reply.length - 1);
        assertThat(Arrays.copyOf(reply, reply.length - 1)).doesNotContain((byte) '\r');
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
