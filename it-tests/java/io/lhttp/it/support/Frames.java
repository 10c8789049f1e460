package io.lhttp.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** LHTTP frames written out by hand for tests, so a test states exactly the bytes it sends. */
public final class Frames {

    private Frames() {}

    /** {@code LHTTP/1.0 command CRLF headers CRLF body}; {@code headers} are complete lines, each ending in CRLF. */
    public static String frame(String command, String headers, String body) {
        return "LHTTP/1.0 " + command + "\r\n" + headers + "\r\n" + body;
    }

    /** Asserts that {@code frame} is an error frame with this code (PROTOCOL.md §5). */
    public static void assertError(int code, String frame) {
        assertTrue(
                frame.startsWith("LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:"),
                () -> "expected error " + code + ", got " + frame.replace("\r\n", "\\r\\n"));
    }

    /** Subscribes {@code c}; it is subscribed once the echo after the subscribe comes back (frames run in order). */
    public static void subscribe(SdkClient c, String channel) throws Exception {
        c.send(frame("join", "subscribe:" + channel + "\r\n", ""));
        c.send(frame("echo", "", "ok"));
        assertEquals(frame("echo", "", "ok"), c.next());
    }

    /** The {@code position:<epoch>:<offset>} header line of a history frame (PROTOCOL.md §2.2). */
    private static final Pattern POSITION = Pattern.compile("position:([A-Za-z0-9]+):(\\d+)\r\n");

    /** The offset of a frame's {@code position} header; fails the test when it has none. */
    public static long positionOffset(String frame) {
        return Long.parseLong(position(frame).group(2));
    }

    /** The epoch of a frame's {@code position} header; fails the test when it has none. */
    public static String positionEpoch(String frame) {
        return position(frame).group(1);
    }

    private static Matcher position(String frame) {
        Matcher m = POSITION.matcher(frame);
        assertTrue(m.find(), "no position in " + frame);
        return m;
    }
}
