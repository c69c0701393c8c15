package org.headroom.qmp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the QMP byte stream into messages. QEMU ends every JSON message with CRLF and never puts
 * a raw newline inside one (JSON escapes it), so a message is everything up to a '\n'.
 *
 * <p>Pure: bytes in, complete lines out, whatever sizes the reads come in. A line longer than
 * {@code maxMessageBytes} is discarded up to its end and reported as oversized, so a peer that
 * sends garbage without newlines cannot make the client buffer without bound.
 */
public final class QmpFraming {

    /** What one {@link #feed} produced: complete messages, and how many oversized ones were cut. */
    public record Frames(List<byte[]> messages, int oversized) {
    }

    private final int maxMessageBytes;
    private byte[] partial = new byte[4096];
    private int partialLength;
    private boolean discarding;

    public QmpFraming(int maxMessageBytes) {
        if (maxMessageBytes < 2) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 2: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Consumes all remaining bytes of {@code input}. */
    public Frames feed(ByteBuffer input) {
        List<byte[]> messages = new ArrayList<>();
        int oversized = 0;
        while (input.hasRemaining()) {
            byte b = input.get();
            if (b == '\n') {
                if (discarding) {
                    discarding = false;
                } else {
                    int end = partialLength;
                    if (end > 0 && partial[end - 1] == '\r') {
                        end--;
                    }
                    if (!isBlank(partial, end)) {
                        messages.add(Arrays.copyOf(partial, end));
                    }
                }
                partialLength = 0;
            } else if (!discarding) {
                if (partialLength == maxMessageBytes) {
                    discarding = true;
                    partialLength = 0;
                    oversized++;
                    continue;
                }
                if (partialLength == partial.length) {
                    partial = Arrays.copyOf(partial, Math.min(maxMessageBytes, partial.length * 2));
                }
                partial[partialLength++] = b;
            }
        }
        return new Frames(messages, oversized);
    }

    /** Bytes of an unfinished message held back until its newline arrives. */
    public int pendingBytes() {
        return partialLength;
    }

    private static boolean isBlank(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
