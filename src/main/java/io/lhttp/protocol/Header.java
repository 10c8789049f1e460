package io.lhttp.protocol;

import java.util.List;
import java.util.Objects;

/**
 * One header line of an LHTTP message, kept exactly as sent: the key is everything before the
 * line's first {@code :}, the value everything after it, spaces included.
 *
 * <p>Interpretation (case-insensitive keys, spaces around key and value ignored) is the job of
 * {@link Message#header(String)}; this record never alters what the client sent, so a message
 * written back is byte for byte the one received.
 */
public record Header(String key, String value) {

    public Header {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (key.isBlank() || key.indexOf(':') >= 0 || key.contains("\r\n")) {
            throw new IllegalArgumentException("header key must be non-blank, without ':' or CRLF: " + key);
        }
        if (value.contains("\r\n")) {
            throw new IllegalArgumentException("header value must not contain CRLF");
        }
    }

    /** Whether this header's key, without surrounding spaces, is {@code name} ignoring case. */
    public boolean is(String name) {
        int from = 0;
        int to = key.length();
        while (from < to && key.charAt(from) <= ' ') {
            from++;
        }
        while (to > from && key.charAt(to - 1) <= ' ') {
            to--;
        }
        return to - from == name.length() && key.regionMatches(true, from, name, 0, name.length());
    }

    /**
     * The value of header {@code name} among {@code headers} as the server interprets it: key
     * matched ignoring case and surrounding spaces, value without surrounding spaces, the last
     * of repeated keys; null when there is none.
     */
    public static String lastValue(List<Header> headers, String name) {
        for (int i = headers.size() - 1; i >= 0; i--) {
            Header h = headers.get(i);
            if (h.is(name)) {
                return h.trimmedValue();
            }
        }
        return null;
    }

    /** The value without surrounding spaces, as the server interprets it. */
    public String trimmedValue() {
        return value.trim();
    }
}
