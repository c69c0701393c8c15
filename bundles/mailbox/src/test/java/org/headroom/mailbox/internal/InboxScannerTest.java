package org.headroom.mailbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.headroom.mailbox.codec.Checksum;
import org.headroom.mailbox.codec.Message;
import org.junit.jupiter.api.Test;

class InboxScannerTest {
    private static final UUID DOMAIN = UUID.randomUUID();

    private static byte[] block(byte[]... messages) {
        byte[] b = new byte[4096];
        for (int i = 0; i < messages.length; i++) {
            if (messages[i] != null) {
                System.arraycopy(messages[i], 0, b, i * 64, 64);
            }
        }
        Checksum.seal(b);
        return b;
    }

    @Test
    void aNewRequestIsServedOnceAndCleanIsEchoed() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 250);
        byte[] request = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 3000);
        InboxScanner.Scan scan = scanner.scan(7, block(request), 0);
        assertThat(scan.actions()).singleElement().isInstanceOf(InboxScanner.Action.Extend.class);
        InboxScanner.Action.Extend e = (InboxScanner.Action.Extend) scan.actions().get(0);
        assertThat(e.host()).isEqualTo(7);
        assertThat(e.message().sizeMiB()).isEqualTo(3000);
        assertThat(e.request()).isEqualTo(request);

        assertThat(scanner.scan(7, block(request), 0).actions()).as("unchanged: already served").isEmpty();
        assertThat(scanner.scan(7, block(Message.clean()), 0).actions())
                .containsExactly(new InboxScanner.Action.Clean(7, 0));
        assertThat(scanner.scan(7, block(), 0).actions()).isEmpty();
        assertThat(scanner.scan(7, block(request), 0).actions()).as("the slot reused for the same request")
                .hasSize(1);
    }

    @Test
    void aChangeInTheLastByteAloneIsANewMessage() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 250);
        byte[] request = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 3000);
        scanner.scan(1, block(request), 0);
        byte[] other = request.clone();
        other[63] = '1';
        assertThat(scanner.scan(1, block(other), 0).actions()).hasSize(1);
    }

    @Test
    void aBadChecksumIgnoresTheBlockAndKeepsTheLastGoodReading() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 250);
        byte[] request = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 3000);
        byte[] corrupt = block(request);
        corrupt[100] ^= 0x10;
        InboxScanner.Scan scan = scanner.scan(2, corrupt, 0);
        assertThat(scan.badChecksum()).isTrue();
        assertThat(scan.actions()).isEmpty();
        assertThat(scanner.scan(2, block(request), 0).actions()).as("the rewritten block is served").hasSize(1);
    }

    @Test
    void afterAResetPendingRequestsAreServedAgain() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 250);
        byte[] request = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 3000);
        scanner.scan(3, block(request, Message.clean()), 0);
        scanner.reset();
        assertThat(scanner.scan(3, block(request, Message.clean()), 0).actions()).hasSize(2);
    }

    @Test
    void otherDomainsAndSizesOutOfRangeAreRefusedMalformedIgnored() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 250);
        byte[] foreign = Message.encodeExtend(UUID.randomUUID(), UUID.randomUUID(), 10);
        byte[] zero = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 0);
        byte[] junk = Message.encodeExtend(DOMAIN, UUID.randomUUID(), 10);
        junk[1] = 'q';
        InboxScanner.Scan scan = scanner.scan(4, block(foreign, zero, junk), 0);
        assertThat(scan.actions()).hasSize(2).allMatch(a -> a instanceof InboxScanner.Action.Refuse);
        assertThat(((InboxScanner.Action.Refuse) scan.actions().get(0)).reason()).contains("another domain");
        assertThat(((InboxScanner.Action.Refuse) scan.actions().get(1)).reason()).contains("out of range");
        assertThat(scan.malformed()).singleElement().asString().contains("slot 2");
    }

    @Test
    void readsBlocksAtTheirOffsetInABiggerBuffer() {
        InboxScanner scanner = new InboxScanner(DOMAIN, 3);
        byte[] all = new byte[3 * 4096];
        System.arraycopy(block(Message.encodeExtend(DOMAIN, UUID.randomUUID(), 1)), 0, all, 2 * 4096, 4096);
        assertThat(scanner.scan(1, all, 0).actions()).isEmpty();
        assertThat(scanner.scan(3, all, 2 * 4096).actions()).hasSize(1);
    }
}
