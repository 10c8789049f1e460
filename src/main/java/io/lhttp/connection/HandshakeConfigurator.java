package io.lhttp.connection;

import io.lhttp.admission.ClientAddress;
import io.lhttp.processor.Handshake;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The endpoint's configurator: hands the handshake's headers, query parameters, the client
 * address ({@link ClientAddress}, whose configurator this extends) and the attributes a servlet
 * filter handed over for this handshake ({@link #handOver}: the grant of a token
 * {@code io.lhttp.security.HandshakeGuard} verified) to the new session, where {@code Connection}
 * finds them ({@link Connection#handshake()}). Containers give
 * {@code modifyHandshake} a per-connection copy of the user properties, on the thread that ran
 * the servlet filters.
 *
 * <p>It also makes the endpoint instances, through {@link EndpointFactory} (why: see there); where
 * CDI cannot be reached from the handshake, the container makes them as before.
 */
public class HandshakeConfigurator extends ClientAddress.Configurator {

    private static final ThreadLocal<Map<String, Object>> HANDED_OVER = new ThreadLocal<>();

    /**
     * The attributes the connection of the handshake running on this thread starts with (null:
     * none); set by a servlet filter before the upgrade, cleared by it after.
     */
    public static void handOver(Map<String, Object> attributes) {
        if (attributes == null) {
            HANDED_OVER.remove();
        } else {
            HANDED_OVER.set(attributes);
        }
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(sec, request, response);
        Map<String, Object> attributes = HANDED_OVER.get();
        sec.getUserProperties()
                .put(
                        Handshake.PROPERTY,
                        new Handshake(
                                request.getHeaders(),
                                request.getParameterMap(),
                                remoteAddress(sec),
                                attributes == null ? Map.of() : attributes));
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass == LhttpEndpoint.class) {
            EndpointFactory f = factory();
            if (f != null) {
                return endpointClass.cast(f.create());
            }
        }
        return super.getEndpointInstance(endpointClass);
    }

    /** The application's factory, looked up once per configurator (one per deployed endpoint), or null. */
    private EndpointFactory factory() {
        EndpointFactory f = factory;
        if (f == null && !noFactory) {
            try {
                f = CDI.current().select(EndpointFactory.class).get();
                factory = f;
            } catch (RuntimeException e) {
                noFactory = true;
                Logger.getLogger(HandshakeConfigurator.class.getName())
                        .log(Level.FINE, "CDI not reachable from the handshake: the container makes the endpoints", e);
            }
        }
        return f;
    }

    private volatile EndpointFactory factory;
    private volatile boolean noFactory;

    /** The client address {@link ClientAddress} noted for this handshake (its configurator ran in {@code super}). */
    private static String remoteAddress(ServerEndpointConfig sec) {
        Object address = sec.getUserProperties().get(ClientAddress.PROPERTY);
        return address instanceof String s ? s : ClientAddress.UNKNOWN;
    }
}
