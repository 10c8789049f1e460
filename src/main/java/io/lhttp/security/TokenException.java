package io.lhttp.security;

/**
 * A token that was refused. The message is one line for the client: it says what was wrong
 * (expired, not yet valid, bad signature, …) and never names a class or echoes the token.
 */
public final class TokenException extends Exception {

    private static final long serialVersionUID = 1L;

    TokenException(String reason) {
        super(reason, null, false, false);
    }
}
