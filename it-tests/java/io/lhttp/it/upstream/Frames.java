package io.lhttp.it.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Building and checking raw LHTTP frames in tests. */
final class Frames {

    private Frames() {}

    /** {@code LHTTP/1.0 command CRLF (header CRLF)* CRLF body}; headers as {@code "k:v"}. */
    static String frame(String command, String body, String... headers) {
        StringBuilder sb = new StringBuilder("LHTTP/1.0 ").append(command).append("\r\n");
        for (String h : headers) {
            sb.append(h).append("\r\n");
        }
        return sb.append("\r\n").append(body).toString();
    }

    /** Asserts the error frame of PROTOCOL.md §5 with this code. */
    static void assertError(int code, String frame) {
        assertTrue(
                frame.startsWith("LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:"),
                () -> "expected error " + code + ", got: " + frame.replace("\r\n", "\\r\\n"));
    }
}
