package io.lhttp.proxy;

import io.lhttp.processor.ChannelPermissions;
import io.lhttp.processor.ClientConnection;
import io.lhttp.security.Authentication;
import io.lhttp.security.Grant;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A connection the connect proxy allowed may subscribe to and publish on only the channels of the
 * backend's answer (or of a token it refreshed with later), whether {@code lhttp.auth} is on or
 * off. Connections that came in with a token are left to the token's rules. Asked beside every
 * other {@link ChannelPermissions} bean: a channel is permitted only when all say yes.
 */
@ApplicationScoped
public class ProxyPermissions implements ChannelPermissions {

    @Inject
    ProxyConfig proxy;

    @Override
    public boolean canSubscribe(ClientConnection connection, String channel) {
        Grant g = proxied(connection);
        return g == null ? !isProxied(connection) : g.subscribe().matches(channel);
    }

    @Override
    public boolean canPublish(ClientConnection connection, String channel) {
        Grant g = proxied(connection);
        return g == null ? !isProxied(connection) : g.publish().matches(channel);
    }

    @Override
    public boolean permitsAll() {
        return proxy.connectUrl() == null;
    }

    private static boolean isProxied(ClientConnection connection) {
        return connection != null && connection.attributes().containsKey(ConnectAnswer.ALLOWED);
    }

    private static Grant proxied(ClientConnection connection) {
        return isProxied(connection) ? Authentication.grant(connection) : null;
    }
}
