package io.lhttp.it.support;

/** LHTTP frames written out by hand for tests, so a test states exactly the bytes it sends. */
public final class Frames {

    private Frames() {
    }

    /** {@code LHTTP/1.0 command CRLF headers CRLF body}; {@code headers} are complete lines, each ending in CRLF. */
    public static String frame(String command, String headers, String body) {
        return "LHTTP/1.0 " + command + "\r\n" + headers + "\r\n" + body;
    }
}
