package io.lhttp.security;

/**
 * A token that was refused. The message is one line for the client: it says what was wrong
 * (expired, not yet valid, bad signature, …) and never names a class or echoes the token.
 */
public final class TokenException extends Exception {

    private static final long serialVersionUID = 1L;

    /** The reason of a token whose {@code exp} has passed. */
    static final String EXPIRED = "token expired";

    TokenException(String reason) {
        super(reason, null, false, false);
    }

    /** Whether the token was refused only because it has expired (counted apart: a client that failed to refresh). */
    public boolean expired() {
        return EXPIRED.equals(getMessage());
    }
}
