package io.lhttp.testkit;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.MessageWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.IntFunction;
import java.util.zip.CRC32;

/**
 * Every message of a run, generated up front: what publisher {@code p} sends as its {@code s}-th
 * message is exactly what each subscriber must receive, so a receipt is checked byte for byte by
 * one array comparison.
 *
 * <p>The body is {@code <publisher>|<seq>|<crc32 of the rest, 8 hex>|<padding>}: self-describing,
 * so the checker finds the expected bytes from the received ones, and a reader of a capture can
 * verify a message on its own. In LHTTP form the delivered frame is
 * {@code LHTTP/1.0 bench CRLF publish:<channel> CRLF CRLF <body>} (built by our
 * {@link MessageWriter}); in raw form (nchan) it is the bare body.
 */
public final class Payloads {

    /** Body of the readiness markers the publisher sends before a run; subscribers skip them. */
    public static final String MARKER = "ready";

    private final boolean raw;
    private final int publishers;
    private final int perPublisher;
    private final byte[][][] frames; // [publisher][seq]
    private final byte[] marker;

    /**
     * @param raw          bare bodies (nchan) instead of LHTTP frames
     * @param channelOf    the channel of a message, by seq (fan-out: always the same one)
     * @param size         bytes of each delivered message (frame in LHTTP form, body in raw form)
     */
    public Payloads(boolean raw, int publishers, int perPublisher, int size, IntFunction<String> channelOf) {
        this.raw = raw;
        this.publishers = publishers;
        this.perPublisher = perPublisher;
        this.frames = new byte[publishers][perPublisher][];
        for (int p = 0; p < publishers; p++) {
            for (int s = 0; s < perPublisher; s++) {
                String channel = channelOf.apply(s);
                int bodySize = size - (raw ? 0 : envelope(channel, "").length());
                frames[p][s] = wrap(channel, body(p, s, bodySize)).getBytes(StandardCharsets.UTF_8);
            }
        }
        this.marker = wrap(channelOf.apply(0), MARKER).getBytes(StandardCharsets.UTF_8);
    }

    private String wrap(String channel, String body) {
        return raw ? body : envelope(channel, body);
    }

    /** The LHTTP frame that publishes {@code body} to {@code channel}. */
    public static String envelope(String channel, String body) {
        return MessageWriter.write("bench", List.of(new Header("publish", channel)), body);
    }

    /** The body of message {@code seq} of publisher {@code p}, {@code size} bytes (at least the fixed part). */
    static String body(int p, int seq, int size) {
        String head = p + "|" + seq + "|";
        int padding = Math.max(0, size - head.length() - 9);
        StringBuilder pad = new StringBuilder(padding);
        for (int i = 0; i < padding; i++) {
            pad.append((char) ('a' + (seq * 7 + p * 3 + i) % 26));
        }
        CRC32 crc = new CRC32();
        crc.update((head + pad).getBytes(StandardCharsets.US_ASCII));
        return head + String.format("%08x", crc.getValue()) + "|" + pad;
    }

    public int publishers() {
        return publishers;
    }

    public int perPublisher() {
        return perPublisher;
    }

    /** Messages in all. */
    public long total() {
        return (long) publishers * perPublisher;
    }

    /** What publisher {@code p} sends as its {@code seq}-th message, and every subscriber receives. */
    public byte[] frame(int p, int seq) {
        return frames[p][seq];
    }

    /** The readiness marker frame (for channel {@code channelOf(0)}). */
    public byte[] marker() {
        return marker;
    }

    public boolean raw() {
        return raw;
    }

    boolean isMarker(byte[] b, int off, int len) {
        return len == marker.length && java.util.Arrays.equals(b, off, off + len, marker, 0, len);
    }

    /**
     * Locates the message the received bytes claim to be.
     *
     * @return {@code publisher << 32 | seq}, or -1 when the bytes are not a message of this run
     *         or differ from it in any byte
     */
    public long identify(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        if (!raw) {
            // The body follows the first blank line; the envelope itself is compared below.
            int blank = indexOfBlankLine(b, off, end);
            if (blank < 0) {
                return -1;
            }
            i = blank + 4;
        }
        long p = 0;
        int start = i;
        while (i < end && b[i] >= '0' && b[i] <= '9' && i - start < 9) {
            p = p * 10 + (b[i++] - '0');
        }
        if (i == start || i >= end || b[i++] != '|') {
            return -1;
        }
        long seq = 0;
        start = i;
        while (i < end && b[i] >= '0' && b[i] <= '9' && i - start < 10) {
            seq = seq * 10 + (b[i++] - '0');
        }
        if (i == start || i >= end || b[i] != '|' || p >= publishers || seq >= perPublisher) {
            return -1;
        }
        byte[] expected = frames[(int) p][(int) seq];
        if (expected.length != len || !java.util.Arrays.equals(b, off, end, expected, 0, len)) {
            return -1;
        }
        return p << 32 | seq;
    }

    private static int indexOfBlankLine(byte[] b, int from, int end) {
        for (int i = from; i + 3 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
