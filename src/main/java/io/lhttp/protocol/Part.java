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
        for (int i = headers.size() - 1; i >= 0; i--) {
            if (headers.get(i).is(name)) {
                return headers.get(i).trimmedValue();
            }
        }
        return null;
    }
}
