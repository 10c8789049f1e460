package io.lhttp.security;

import java.util.Map;

/**
 * What a {@link ConnectDecider} decided for one handshake: allow (with the {@link Grant} the
 * connection gets and attributes it starts with), deny (the upgrade goes on and the connection is
 * closed at once with {@code closeCode}, which a browser's {@code CloseEvent} shows), or refuse
 * (the handshake is answered with HTTP {@code httpStatus}: the decider could not decide).
 */
public record ConnectDecision(
        Kind kind, Grant grant, Map<String, Object> attributes, int closeCode, int httpStatus, String reason) {

    /** The three outcomes. */
    public enum Kind {
        ALLOW,
        DENY,
        REFUSE
    }

    public ConnectDecision {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    /** The connection opens as {@code grant}'s user, with {@code attributes}. */
    public static ConnectDecision allow(Grant grant, Map<String, Object> attributes) {
        return new ConnectDecision(Kind.ALLOW, grant, attributes, 0, 0, null);
    }

    /** The connection is closed at once with this WebSocket close code and reason. */
    public static ConnectDecision deny(int closeCode, String reason) {
        return new ConnectDecision(Kind.DENY, null, Map.of(), closeCode, 0, reason);
    }

    /** The handshake is answered with this HTTP status and reason; nothing is upgraded. */
    public static ConnectDecision refuse(int httpStatus, String reason) {
        return new ConnectDecision(Kind.REFUSE, null, Map.of(), 0, httpStatus, reason);
    }
}
