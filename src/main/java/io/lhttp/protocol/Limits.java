package io.lhttp.protocol;

/**
 * Size limits the parser enforces on every frame a client sends.
 *
 * @param maxFrameBytes largest frame accepted, in UTF-8 bytes; larger frames are refused with 413
 * @param maxHeaders    most header lines accepted in one frame; more are refused with 413
 */
public record Limits(int maxFrameBytes, int maxHeaders) {

    /** Default frame size limit: 65536 bytes (the original silently dropped frames over 40960). */
    public static final int DEFAULT_MAX_FRAME_BYTES = 65536;

    /** Default header line limit: 32. */
    public static final int DEFAULT_MAX_HEADERS = 32;

    public static final Limits DEFAULTS = new Limits(DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_HEADERS);

    public Limits {
        if (maxFrameBytes < 1 || maxHeaders < 0) {
            throw new IllegalArgumentException("limits must be positive: " + maxFrameBytes + ", " + maxHeaders);
        }
    }
}
