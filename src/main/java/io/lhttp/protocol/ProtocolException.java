package io.lhttp.protocol;

/**
 * A client sent something the protocol does not allow. Carries the LHTTP error code of
 * PROTOCOL.md §5 (400, 403, 413, 429, 502, 503, 504) and a one-line reason for the client.
 */
public class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int code;

    public ProtocolException(int code, String reason) {
        super(reason, null, false, false); // thrown for client mistakes: a stack trace is never wanted
        this.code = code;
    }

    public int code() {
        return code;
    }

    public String reason() {
        return getMessage();
    }
}
