package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code request-id} header (PROTOCOL.md §2.1): a client token that every answer to the frame
 * carrying it repeats, so that a client can match answers and errors to what it sent. 1 to
 * {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 _ - . :}; anything else is refused with 400.
 */
public final class RequestId {

    /** The header's key. */
    public static final String HEADER = "request-id";
    /** Longest token accepted: an id, not a payload. */
    public static final int MAX_LENGTH = 64;

    private RequestId() {}

    /** Whether {@code token} is a valid request id. */
    public static boolean isValid(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            boolean ok = c >= 'a' && c <= 'z'
                    || c >= 'A' && c <= 'Z'
                    || c >= '0' && c <= '9'
                    || c == '_'
                    || c == '-'
                    || c == '.'
                    || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The message's request id when it has a valid one, else null. */
    public static String of(Message message) {
        String id = message.header(HEADER);
        return isValid(id) ? id : null;
    }

    /**
     * The request id of a frame that could not be parsed whole (over a limit, a malformed line,
     * refused by the rate limit before parsing): the value of its last well-formed
     * {@code request-id} header line before the blank line, when valid, else null. Null too for a
     * text that does not start with {@code LHTTP/1.0 }: nothing in it can be trusted to be a header.
     * Reads only the head of the frame, and only on the error path (PROTOCOL.md §2.1).
     */
    public static String scan(String frame) {
        if (frame == null || !frame.startsWith(MessageWriter.START)) {
            return null;
        }
        int pos = frame.indexOf(MessageWriter.CRLF, MessageWriter.START.length());
        String found = null;
        while (pos >= 0) {
            pos += 2;
            int end = frame.indexOf(MessageWriter.CRLF, pos);
            if (end < 0 || end == pos) {
                break; // the last line without CRLF is not a header line; an empty line ends the head
            }
            int colon = frame.indexOf(':', pos);
            if (colon > pos && colon < end && frame.substring(pos, colon).trim().equalsIgnoreCase(HEADER)) {
                found = frame.substring(colon + 1, end).trim(); // the last one counts, as in Message#header
            }
            pos = end;
        }
        return isValid(found) ? found : null;
    }

    /** The message with {@code request-id:<id>} added, unless {@code id} is null or it already has one. */
    public static Message tag(Message message, String id) {
        if (id == null || message.header(HEADER) != null) {
            return message;
        }
        List<Header> headers = new ArrayList<>(message.headers());
        headers.add(new Header(HEADER, id));
        return Message.of(message.command(), headers, message.body());
    }
}
