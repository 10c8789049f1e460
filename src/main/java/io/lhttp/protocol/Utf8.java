package io.lhttp.protocol;

/** UTF-8 byte counts of Java strings, without encoding them. */
public final class Utf8 {

    private Utf8() {}

    /** The number of bytes {@code s} takes in UTF-8. */
    public static int length(CharSequence s) {
        return length(s, 0, s.length());
    }

    /** The number of bytes {@code s[from, to)} takes in UTF-8. */
    public static int length(CharSequence s, int from, int to) {
        return count(s, from, to, Integer.MAX_VALUE);
    }

    /**
     * Whether {@code s} takes more than {@code limit} bytes in UTF-8. Stops counting as soon as
     * the answer is known, and answers without counting when even 3 bytes a char would fit.
     */
    public static boolean exceeds(CharSequence s, int limit) {
        int n = s.length();
        if (n > limit) {
            return true;
        }
        if ((long) n * 3 <= limit) {
            return false;
        }
        return count(s, 0, n, limit) > limit;
    }

    /** Counts bytes, giving up (with a count over {@code stopAbove}) once past {@code stopAbove}. */
    private static int count(CharSequence s, int from, int to, int stopAbove) {
        int bytes = 0;
        for (int i = from; i < to && bytes <= stopAbove; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3; // BMP char, or a lone surrogate (which a UTF-8 encoder replaces anyway)
            }
        }
        return bytes;
    }
}
