package io.lhttp.protocol;

import java.util.List;

/** Serialises LHTTP messages: the exact inverse of {@link MessageParser}. */
public final class MessageWriter {

    static final String START = "LHTTP/1.0 ";
    static final String CRLF = "\r\n";

    private MessageWriter() {}

    /** {@code LHTTP/1.0 cmd CRLF (key:value CRLF)* CRLF body}, sized exactly so it never grows. */
    public static String write(String command, List<Header> headers, String body) {
        int size = START.length() + command.length() + 4 + body.length();
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header h = headers.get(i);
            size += h.key().length() + h.value().length() + 3;
        }
        StringBuilder sb = new StringBuilder(size);
        sb.append(START).append(command).append(CRLF);
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header h = headers.get(i);
            sb.append(h.key()).append(':').append(h.value()).append(CRLF);
        }
        return sb.append(CRLF).append(body).toString();
    }
}
