package io.lhttp.security;

import io.lhttp.processor.ClientConnection;
import java.time.Instant;

/**
 * Who a connection is, once a token proved it: the {@link Grant} kept with the connection. Read
 * it from processors and filters with {@link #user(ClientConnection)} / {@link #grant(ClientConnection)}.
 */
public final class Authentication {

    /** The connection attribute holding the grant. */
    static final String ATTRIBUTE = ClientConnection.GRANT_ATTRIBUTE;

    private Authentication() {}

    /** The connection's grant, or null when it has not authenticated (or authentication is off). */
    public static Grant grant(ClientConnection connection) {
        return connection == null ? null : (Grant) connection.attributes().get(ATTRIBUTE);
    }

    /** The connection's user (the token's subject), or null. */
    public static String user(ClientConnection connection) {
        Grant g = grant(connection);
        return g == null ? null : g.user();
    }

    /** Whether the connection holds a grant that has not expired. */
    public static boolean isValid(ClientConnection connection, Instant now) {
        Grant g = grant(connection);
        return g != null && !g.expiredAt(now);
    }

    static void set(ClientConnection connection, Grant grant) {
        connection.attributes().put(ATTRIBUTE, grant);
    }
}
