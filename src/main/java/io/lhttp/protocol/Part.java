package io.lhttp.protocol;

import java.util.List;

/**
 * One part of a multipart message (PROTOCOL.md §2 {@code multipart}): its header lines and body.
 */
public record Part(List<Header> headers, String body) {

    public Part {
        headers = List.copyOf(headers);
    }

    /** The value of header {@code name}, interpreted as {@link Message#header(String)} does. */
    public String header(String name) {
        return Header.lastValue(headers, name);
    }
}
