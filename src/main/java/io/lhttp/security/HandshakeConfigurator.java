package io.lhttp.security;

import io.lhttp.connection.Handshake;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.Map;

/**
 * The endpoint's configurator: hands the handshake's headers, query parameters and the grant of
 * a token {@link HandshakeGuard} verified to the new session, where {@code Connection} finds
 * them ({@link io.lhttp.connection.Connection#handshake()}). Containers give
 * {@code modifyHandshake} a per-connection copy of the user properties, on the thread that ran
 * the servlet filters. Endpoint instances still come from the container (CDI injection).
 */
public class HandshakeConfigurator extends ServerEndpointConfig.Configurator {

    @Override
    public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
        super.modifyHandshake(sec, request, response);
        Grant grant = HandshakeGuard.takeGrant();
        sec.getUserProperties().put(Handshake.PROPERTY, new Handshake(request.getHeaders(), request.getParameterMap(),
                remoteAddress(sec), grant == null ? Map.of() : Map.of(Authentication.ATTRIBUTE, grant)));
    }

    /** HOOK (issue 13): the client address noted by the admission work's filter, once merged. */
    protected String remoteAddress(ServerEndpointConfig sec) {
        return "";
    }
}
