package org.headroom.qmp.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits the QMP byte stream into lines. QEMU ends every JSON message with CRLF and never puts a
 * raw newline inside one (JSON escapes it), so a message is everything up to a '\n'.
 *
 * <p>Pure: bytes in, frames out, in stream order, whatever sizes the reads come in. A line longer
 * than {@code maxMessageBytes} is discarded up to its end and comes out as {@link Oversized} with
 * its first and last {@link #EXCERPT_BYTES} bytes, enough to tell an event's head from a reply's
 * id, so that the reply can still be given to its caller as an error. The buffer holds at most
 * {@code maxMessageBytes} and the CR, and shrinks back after a large line: a peer that sends garbage without
 * newlines cannot make the client buffer without bound, nor keep a large buffer for ever.
 */
public final class QmpFraming {
    /** Bytes kept of each end of an oversized line. */
    public static final int EXCERPT_BYTES = 128;
    private static final int INITIAL_CAPACITY = 4096;
    /** A buffer grown past this for one line goes back to the initial size after it. */
    private static final int RETAINED_CAPACITY = 64 * 1024;

    /** One framed line, in stream order. */
    public sealed interface Frame permits Line, Oversized {
    }

    /** A complete line, without its CR LF; never blank. */
    public record Line(byte[] bytes) implements Frame {
    }

    /** A line longer than the limit, discarded but for its head and tail; {@code length} without CR LF. */
    public record Oversized(long length, byte[] head, byte[] tail) implements Frame {
    }

    private final int maxMessageBytes;
    private byte[] partial = new byte[INITIAL_CAPACITY];
    private int partialLength;
    // While discarding an oversized line: its length so far, head and last bytes.
    private boolean discarding;
    private long discardedLength;
    private final byte[] head = new byte[EXCERPT_BYTES];
    private int headLength;
    /** One byte more than the excerpt: the CR that ends the line is not part of it. */
    private final byte[] tail = new byte[EXCERPT_BYTES + 1];
    private int tailLength;

    public QmpFraming(int maxMessageBytes) {
        if (maxMessageBytes < 2) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 2: " + maxMessageBytes);
        }
        this.maxMessageBytes = maxMessageBytes;
    }

    /** Consumes all remaining bytes of {@code input}; returns the lines it completed, in order. */
    public List<Frame> feed(ByteBuffer input) {
        if (!input.hasArray()) {
            byte[] copy = new byte[input.remaining()];
            input.get(copy);
            return feed(ByteBuffer.wrap(copy));
        }
        List<Frame> frames = new ArrayList<>();
        byte[] bytes = input.array();
        int offset = input.arrayOffset();
        int position = input.position();
        int limit = input.limit();
        while (position < limit) {
            int newline = indexOfNewline(bytes, offset + position, offset + limit);
            int end = newline < 0 ? limit : newline - offset;
            append(bytes, offset + position, end - position);
            position = end;
            if (newline >= 0) {
                position++;
                Frame frame = endOfLine();
                if (frame != null) {
                    frames.add(frame);
                }
            }
        }
        input.position(position);
        return frames;
    }

    /** Bytes of an unfinished line held back until its newline arrives (0 while discarding one). */
    public int pendingBytes() {
        return partialLength;
    }

    /** The buffer's size now: the initial size again once a large line has ended. */
    public int capacity() {
        return partial.length;
    }

    private void append(byte[] bytes, int from, int length) {
        if (length == 0) {
            return;
        }
        if (discarding) {
            discardedLength += length;
            keepHead(bytes, from, length);
            keepTail(bytes, from, length);
            return;
        }
        // One byte more than the limit may be the CR of a line of exactly the limit: endOfLine decides.
        if ((long) partialLength + length > maxMessageBytes + 1L) {
            discarding = true;
            discardedLength = (long) partialLength + length;
            headLength = 0;
            keepHead(partial, 0, partialLength);
            keepHead(bytes, from, length);
            tailLength = 0;
            int keep = Math.min(partialLength, tail.length);
            keepTail(partial, partialLength - keep, keep);
            keepTail(bytes, from, length);
            partialLength = 0;
            shrink();
            return;
        }
        if (partialLength + length > partial.length) {
            long grown = Math.max((long) partial.length * 2, (long) partialLength + length);
            partial = Arrays.copyOf(partial, (int) Math.min(maxMessageBytes + 1L, grown));
        }
        System.arraycopy(bytes, from, partial, partialLength, length);
        partialLength += length;
    }

    /** Keeps the first bytes of the line being discarded, however small the reads it came in. */
    private void keepHead(byte[] bytes, int from, int length) {
        int keep = Math.min(EXCERPT_BYTES - headLength, length);
        System.arraycopy(bytes, from, head, headLength, keep);
        headLength += keep;
    }

    /** Keeps the last bytes seen of the line being discarded. */
    private void keepTail(byte[] bytes, int from, int length) {
        if (length >= tail.length) {
            System.arraycopy(bytes, from + length - tail.length, tail, 0, tail.length);
            tailLength = tail.length;
            return;
        }
        int keep = Math.min(tailLength, tail.length - length);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        System.arraycopy(bytes, from, tail, keep, length);
        tailLength = keep + length;
    }

    private Frame endOfLine() {
        if (discarding) {
            discarding = false;
            int end = tailLength > 0 && tail[tailLength - 1] == '\r' ? tailLength - 1 : tailLength;
            long length = end < tailLength ? discardedLength - 1 : discardedLength;
            Frame oversized = new Oversized(length, Arrays.copyOf(head, headLength),
                    Arrays.copyOfRange(tail, Math.max(0, end - EXCERPT_BYTES), end));
            headLength = 0;
            tailLength = 0;
            return oversized;
        }
        int end = partialLength > 0 && partial[partialLength - 1] == '\r' ? partialLength - 1 : partialLength;
        Frame line = end > maxMessageBytes
                ? new Oversized(end, Arrays.copyOf(partial, Math.min(EXCERPT_BYTES, partialLength)),
                        Arrays.copyOfRange(partial, Math.max(0, end - EXCERPT_BYTES), end))
                : isBlank(partial, end) ? null : new Line(Arrays.copyOf(partial, end));
        partialLength = 0;
        if (partial.length > RETAINED_CAPACITY) {
            shrink();
        }
        return line;
    }

    private void shrink() {
        if (partial.length > INITIAL_CAPACITY) {
            partial = new byte[INITIAL_CAPACITY];
        }
    }

    private static int indexOfNewline(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
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
