package io.lhttp.security;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides at the handshake whether a connection that brought no token may open: the connect
 * proxy of {@code io.lhttp.proxy} (docs/PROXY.md) is one. {@link HandshakeGuard} asks the
 * enabled bean of this type, if any, after the origin check and only when no valid token came
 * with the handshake: a token, when given, decides (docs/PROXY.md "Precedence").
 */
public interface ConnectDecider {

    /** Whether this decider is configured; a disabled one is never asked. */
    boolean enabled();

    /**
     * The decision for one handshake, made on the request's thread (it may wait, within the
     * decider's own deadline and concurrency bound).
     *
     * @param address the client address, after {@code lhttp.trusted-proxies}; "" when unknown
     */
    ConnectDecision decide(HttpServletRequest request, String address);
}
