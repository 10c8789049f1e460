package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One LHTTP/1.0 message: a command, header lines in the order received, and a body.
 *
 * <p>Immutable. The frame text is produced at most once and kept: a message parsed from a frame
 * keeps the client's own text, so publishing it unchanged costs no encoding at all, and a
 * message built by a processor is serialised once however many subscribers receive it.
 */
public final class Message {

    private final String command;
    private final List<Header> headers;
    private final String body;
    private String frame; // racy single-check caching: any thread computes the same value

    Message(String command, List<Header> headers, String body, String frame) {
        this.command = command;
        this.headers = headers;
        this.body = body;
        this.frame = frame;
    }

    /**
     * A message with the given parts.
     *
     * @throws IllegalArgumentException when the command is not a valid token
     */
    public static Message of(String command, List<Header> headers, String body) {
        if (!isCommand(command, 0, command.length())) {
            throw new IllegalArgumentException("not a command token: '" + command + "'");
        }
        return new Message(
                command,
                Collections.unmodifiableList(new ArrayList<>(headers)),
                Objects.requireNonNull(body, "body"),
                null);
    }

    /** A message without headers. */
    public static Message of(String command, String body) {
        return of(command, List.of(), body);
    }

    /** The error frame of PROTOCOL.md §5. Line breaks in {@code reason} are replaced by spaces. */
    public static Message error(int code, String reason) {
        String oneLine = reason.replace('\r', ' ').replace('\n', ' ');
        return of("error", List.of(new Header("code", Integer.toString(code)), new Header("reason", oneLine)), "");
    }

    public String command() {
        return command;
    }

    /** The header lines exactly as received, in order; unmodifiable. */
    public List<Header> headers() {
        return headers;
    }

    public String body() {
        return body;
    }

    /**
     * The value of header {@code name} as the server interprets it: key matched ignoring case
     * and surrounding spaces, value without surrounding spaces, the last of repeated keys.
     *
     * @return the value, or {@code null} when the message has no such header
     */
    public String header(String name) {
        return Header.lastValue(headers, name);
    }

    /** The frame text: {@code LHTTP/1.0 cmd CRLF (key:value CRLF)* CRLF body}. */
    public String frame() {
        String f = frame;
        if (f == null) {
            f = MessageWriter.write(command, headers, body);
            frame = f;
        }
        return f;
    }

    static boolean isCommand(CharSequence s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c <= ' ' || Character.isISOControl(c)) { // C0, DEL and the C1 controls U+0080..U+009F
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Message m && command.equals(m.command) && headers.equals(m.headers) && body.equals(m.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(command, headers, body);
    }

    @Override
    public String toString() {
        return "Message[" + command + ", " + headers + ", " + body.length() + " chars]";
    }
}
