package io.lhttp.security;

import io.lhttp.admission.ClientAddress;
import io.lhttp.connection.Handshake;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;

/**
 * The endpoint's configurator: hands the handshake's headers, query parameters, the client
 * address ({@link ClientAddress}, whose configurator this extends) and the grant of a token
 * {@link HandshakeGuard} verified to the new session, where {@code Connection} finds
 * them ({@link io.lhttp.connection.Connection#handshake()}). Containers give
 * {@code modifyHandshake} a per-connection copy of the user properties, on the thread that ran
 * the servlet filters. Endpoint instances still come from the container (CDI injection).
 */
public class HandshakeConfigurator extends ClientAddress.Configurator {

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(sec, request, response);
        Grant grant = HandshakeGuard.takeGrant();
        sec.getUserProperties().put(Handshake.PROPERTY, new Handshake(request.getHeaders(), request.getParameterMap(),
                remoteAddress(sec), grant == null ? Map.of() : Map.of(Authentication.ATTRIBUTE, grant)));
    }

    /** The client address {@link ClientAddress} noted for this handshake (its configurator ran in {@code super}). */
    private static String remoteAddress(ServerEndpointConfig sec) {
        Object address = sec.getUserProperties().get(ClientAddress.PROPERTY);
        return address instanceof String s ? s : ClientAddress.UNKNOWN;
    }
}
