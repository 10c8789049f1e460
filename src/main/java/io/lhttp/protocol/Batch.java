package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * Several LHTTP messages in one WebSocket text frame, for connections that negotiated the
 * {@value #SUBPROTOCOL} subprotocol (PROTOCOL.md §7). A batch frame is one or more records, each
 * the message's length in UTF-16 code units as a decimal number (no sign, no leading zero), a
 * {@code \n}, and the message itself:
 *
 * <pre>
 * 26\nLHTTP/1.0 chat\r\n\r\nhello #127\nLHTTP/1.0 chat\r\n...
 * </pre>
 *
 * <p>Why a length and not a separator: a body may hold any text, so no separator is safe without
 * escaping, and escaping would copy every message. Why UTF-16 code units: both SDKs (Java and
 * JavaScript) hold frames as UTF-16 strings, so a record is cut with one substring and no
 * re-encoding; the server packs and the clients unpack without counting bytes. A frame is a batch
 * exactly when its first character is an ASCII digit: every LHTTP message starts with
 * {@code LHTTP/1.0 }, so a lone message is still sent as it always was.
 *
 * <p>Plain Java, shared by the server, the Java client and the load tool.
 */
public final class Batch {

    /** The WebSocket subprotocol a client offers ({@code Sec-WebSocket-Protocol}) to receive batch frames. */
    public static final String SUBPROTOCOL = "lhttp-batch.1";

    /** Digits of the longest length accepted: 2^31 - 1 has 10. */
    private static final int MAX_DIGITS = 10;

    private Batch() {}

    /** Whether this frame is a batch frame (starts with an ASCII digit) rather than one LHTTP message. */
    public static boolean isBatch(CharSequence frame) {
        if (frame.length() == 0) {
            return false;
        }
        char c = frame.charAt(0);
        return c >= '0' && c <= '9';
    }

    /** Appends {@code message} as one record. */
    public static StringBuilder append(StringBuilder batch, String message) {
        return batch.append(message.length()).append('\n').append(message);
    }

    /** The length {@link #append} adds for {@code message}: its length, plus its length's digits and the {@code \n}. */
    public static int recordLength(String message) {
        int n = message.length();
        int digits = 1;
        while (n >= 10) {
            n /= 10;
            digits++;
        }
        return digits + 1 + message.length();
    }

    /**
     * The messages of a batch frame, in order.
     *
     * @throws ProtocolException (400) when it is not a well-formed batch: a length that is not a
     *                           decimal number of 1 to 10 digits without a leading zero, that is 0,
     *                           that is not followed by {@code \n}, or that runs past the frame's end
     */
    public static List<String> split(String frame) throws ProtocolException {
        List<String> messages = new ArrayList<>();
        int at = 0;
        int end = frame.length();
        if (end == 0) {
            throw new ProtocolException(400, "empty batch frame");
        }
        while (at < end) {
            long length = 0;
            int digits = 0;
            int i = at;
            while (i < end && frame.charAt(i) >= '0' && frame.charAt(i) <= '9') {
                if (++digits > MAX_DIGITS) {
                    throw new ProtocolException(400, "batch record length too long at " + at);
                }
                length = length * 10 + (frame.charAt(i) - '0');
                i++;
            }
            if (digits == 0 || i >= end || frame.charAt(i) != '\n') {
                throw new ProtocolException(400, "batch record at " + at + " does not start with <length>\\n");
            }
            if (length == 0 || frame.charAt(at) == '0') {
                throw new ProtocolException(400, "batch record length at " + at + " is 0 or has a leading zero");
            }
            int start = i + 1;
            if (length > end - start) {
                throw new ProtocolException(400, "batch record at " + at + " runs past the frame's end");
            }
            messages.add(frame.substring(start, start + (int) length));
            at = start + (int) length;
        }
        return messages;
    }
}
