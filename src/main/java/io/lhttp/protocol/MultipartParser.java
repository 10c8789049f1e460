package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts the body of a {@code multipart} message into its parts (PROTOCOL.md §2).
 *
 * <p>The header value lists the <em>UTF-8 byte</em> offsets at which parts start, separated by
 * spaces: the first is 0 and each is larger than the one before and inside the body. Part
 * {@code i} runs from offset {@code i} to offset {@code i+1} (the last to the end of the body).
 * Each part is {@code k:v CRLF … CRLF CRLF <part body>}; a part that starts with CRLF has no
 * headers. Example (PROTOCOL.md §6): offsets {@code 0 14} on
 * {@code k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2} give {@code {k1:v1} "body1"} and
 * {@code {k2:v2} "body2"}.
 *
 * <p>Stateless and thread-safe.
 */
public final class MultipartParser {

    /** Default most parts in one message: 64. */
    public static final int DEFAULT_MAX_PARTS = 64;

    private static final String CRLF = "\r\n";
    /** Offsets are bounded by the frame size, an int: more digits cannot be a valid offset. */
    private static final int MAX_OFFSET_DIGITS = 10;

    private final int maxParts;
    private final int maxHeadersPerPart;

    /**
     * @param maxParts          most offsets (parts) accepted; more are refused with 413
     * @param maxHeadersPerPart most header lines in one part; more are refused with 413
     */
    public MultipartParser(int maxParts, int maxHeadersPerPart) {
        if (maxParts < 1 || maxHeadersPerPart < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxParts + ", " + maxHeadersPerPart);
        }
        this.maxParts = maxParts;
        this.maxHeadersPerPart = maxHeadersPerPart;
    }

    public int maxParts() {
        return maxParts;
    }

    /**
     * The parts of {@code body} cut at the offsets in {@code offsets} (the {@code multipart}
     * header's value).
     *
     * @throws ProtocolException 400 for offsets that are not numbers, do not start at 0, do not
     *                           increase, are not inside the body or split a UTF-8 sequence, and
     *                           for a part without its blank line or with a header line without
     *                           {@code :}; 413 for more than the allowed parts or part headers
     */
    public List<Part> parse(String offsets, String body) throws ProtocolException {
        int[] starts = charStarts(parseOffsets(offsets), body);
        List<Part> parts = new ArrayList<>(starts.length);
        for (int i = 0; i < starts.length; i++) {
            int end = i + 1 < starts.length ? starts[i + 1] : body.length();
            parts.add(part(body, starts[i], end, i));
        }
        return parts;
    }

    /** The offsets as numbers, checked for syntax, count, a first 0 and strict increase. */
    private int[] parseOffsets(String value) throws ProtocolException {
        int[] offsets = new int[Math.min(maxParts, 8)];
        int count = 0;
        int n = value.length();
        int i = 0;
        while (true) {
            while (i < n && value.charAt(i) == ' ') {
                i++;
            }
            if (i == n) {
                break;
            }
            int start = i;
            while (i < n && value.charAt(i) != ' ') {
                i++;
            }
            if (count == maxParts) {
                throw new ProtocolException(413, "more than " + maxParts + " multipart offsets");
            }
            int offset = number(value, start, i);
            if (count == 0 && offset != 0) {
                throw new ProtocolException(400, "the first multipart offset must be 0, not " + offset);
            }
            if (count > 0 && offset <= offsets[count - 1]) {
                throw new ProtocolException(
                        400, "multipart offsets must increase: " + offset + " after " + offsets[count - 1]);
            }
            if (count == offsets.length) {
                offsets = Arrays.copyOf(offsets, Math.min(maxParts, count * 2));
            }
            offsets[count++] = offset;
        }
        if (count == 0) {
            throw new ProtocolException(400, "multipart header without offsets");
        }
        return Arrays.copyOf(offsets, count);
    }

    private static int number(String value, int from, int to) throws ProtocolException {
        if (to - from > MAX_OFFSET_DIGITS) {
            throw new ProtocolException(400, "multipart offset too large: '" + shown(value, from, to) + "'");
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException(400, "multipart offset is not a number: '" + shown(value, from, to) + "'");
            }
            v = v * 10 + (c - '0');
        }
        if (v > Integer.MAX_VALUE) {
            throw new ProtocolException(400, "multipart offset too large: '" + shown(value, from, to) + "'");
        }
        return (int) v;
    }

    /**
     * Maps increasing byte offsets to char indexes in one pass over the body. An offset must
     * fall on a character boundary strictly inside the body: an offset at the very end would
     * start an empty part, which has no blank line.
     */
    private static int[] charStarts(int[] byteOffsets, String body) throws ProtocolException {
        int[] starts = new int[byteOffsets.length];
        int k = 0;
        int bytes = 0;
        int n = body.length();
        for (int i = 0; i < n && k < byteOffsets.length; i++) {
            while (k < byteOffsets.length && byteOffsets[k] == bytes) {
                starts[k++] = i;
            }
            if (k < byteOffsets.length && byteOffsets[k] < bytes) {
                throw splits(byteOffsets[k]);
            }
            char c = body.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(body.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        if (k < byteOffsets.length) {
            if (byteOffsets[k] < bytes) {
                throw splits(byteOffsets[k]);
            }
            throw new ProtocolException(
                    400, "multipart offset " + byteOffsets[k] + " is not inside the body (" + bytes + " bytes)");
        }
        return starts;
    }

    private static ProtocolException splits(int offset) {
        return new ProtocolException(400, "multipart offset " + offset + " splits a UTF-8 character");
    }

    private Part part(String body, int from, int to, int index) throws ProtocolException {
        if (body.startsWith(CRLF, from) && from + 2 <= to) {
            return new Part(List.of(), body.substring(from + 2, to));
        }
        List<Header> headers = new ArrayList<>(2);
        int pos = from;
        while (true) {
            int eol = indexOfCrlf(body, pos, to);
            if (eol < 0) {
                throw new ProtocolException(400, "multipart part " + index + " has no blank line after its headers");
            }
            if (eol == pos) {
                return new Part(headers, body.substring(eol + 2, to));
            }
            int colon = indexOf(body, ':', pos, eol);
            if (colon < 0) {
                throw new ProtocolException(400, "multipart part " + index + " has a header line without ':'");
            }
            if (body.substring(pos, colon).isBlank()) {
                throw new ProtocolException(400, "multipart part " + index + " has a header line with an empty key");
            }
            if (headers.size() == maxHeadersPerPart) {
                throw new ProtocolException(
                        413, "multipart part " + index + " has more than " + maxHeadersPerPart + " header lines");
            }
            headers.add(new Header(body.substring(pos, colon), body.substring(colon + 1, eol)));
            pos = eol + 2;
        }
    }

    /** Searches only inside the part, so a long body is never scanned once per header line. */
    private static int indexOfCrlf(String s, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (s.charAt(i) == '\r' && s.charAt(i + 1) == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(String s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return -1;
    }

    private static String shown(String value, int from, int to) {
        String s = value.substring(from, Math.min(to, from + 20));
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return to - from > 20 ? sb + "..." : sb.toString();
    }
}
