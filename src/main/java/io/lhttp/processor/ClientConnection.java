package io.lhttp.processor;

import io.lhttp.protocol.Message;
import jakarta.websocket.CloseReason;
import java.util.Map;
import java.util.Set;

/**
 * One client's WebSocket connection, as processors and filters see it: its id, per-connection
 * attributes, its channels, and sending to it. Sending never blocks the caller.
 *
 * <p>A processor gets it from {@link Exchange#connection()}, or observes
 * {@code @Opened}/{@code @Closed ClientConnection}. {@link #send(Message)}, {@link #sendError},
 * {@link #attributes()} and {@link #close} are thread-safe: a processor may keep the connection
 * and answer later from another thread, e.g. a {@code ManagedExecutorService} task (docs/YOUR-APP.md,
 * "Answering asynchronously"). Sending after the connection closed is harmless: nothing is delivered.
 */
public interface ClientConnection {

    /**
     * The attribute holding what a verified token granted the connection (docs/SECURITY.md): a
     * {@link java.security.Principal} whose name is the user.
     */
    String GRANT_ATTRIBUTE = "io.lhttp.security.Authentication";

    /**
     * The attribute holding the connection's public info (docs/PROTOCOL.md "Connection info"): a
     * short, validated String that presence answers and join/leave frames show beside its id.
     */
    String INFO_ATTRIBUTE = "io.lhttp.connection-info";

    /** A server-unique id of this connection. */
    String id();

    /** The client's IP address (after the {@code lhttp.trusted-proxies} rule), or "" when the container did not tell. */
    String remoteAddress();

    /** What the client's WebSocket handshake carried: headers, query parameters, cookies, address. */
    Handshake handshake();

    /** Per-connection values, for processors and filters; thread-safe, gone when the connection closes. */
    Map<String, Object> attributes();

    /** Sends a message to this client (queued); false when it was not queued. */
    boolean send(Message message);

    /** Sends an error frame (PROTOCOL.md §5), unless error replies are off. */
    void sendError(int code, String reason);

    /** Sends an error frame carrying {@code requestId} (null for none), unless error replies are off. */
    void sendError(int code, String reason, String requestId);

    /** Whether the connection is still open. */
    boolean isOpen();

    /** The channels this connection subscribes to: a live set, guarded by itself; read it only. */
    Set<String> channels();

    /** Closes the connection with a WebSocket close code; the reason is cut to what fits a close frame. */
    void close(CloseReason.CloseCode code, String reason);

    /** The user a token proved (its subject), or null when the connection has not authenticated. */
    default String user() {
        return attributes().get(GRANT_ATTRIBUTE) instanceof java.security.Principal p ? p.getName() : null;
    }
}
