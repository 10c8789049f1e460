package io.lhttp.connection;

import io.lhttp.config.LhttpConfig;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** The open connections of this instance; closes them with 1001 (going away) when the application stops. */
@ApplicationScoped
public class Connections {

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());

    @Inject
    LhttpConfig config;

    private final Map<String, Connection> open = new ConcurrentHashMap<>();

    /**
     * Registers a new connection, or refuses it with 1013 (try again later) when the instance
     * already holds {@code lhttp.max-connections}.
     *
     * @return the connection, or null when refused
     */
    Connection open(Session session) {
        Connection c = new Connection(session, config);
        if (open.size() >= config.maxConnections()) {
            LOG.fine(() -> "refusing connection " + c.id() + ": " + open.size() + " open");
            c.close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "server full: at most " + config.maxConnections() + " connections");
            return null;
        }
        open.put(c.id(), c);
        return c;
    }

    void closed(Connection c) {
        open.remove(c.id());
    }

    /** Connections open now. */
    public int count() {
        return open.size();
    }

    @PreDestroy
    void shutdown() {
        if (!open.isEmpty()) {
            LOG.info(() -> "closing " + open.size() + " connections: server going away");
        }
        for (Connection c : open.values()) {
            c.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        open.clear();
    }
}
