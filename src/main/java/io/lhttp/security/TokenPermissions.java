package io.lhttp.security;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.ChannelPermissions;
import io.lhttp.processor.ClientConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;

/**
 * The built-in {@link ChannelPermissions}: with {@code lhttp.auth} off it permits every channel
 * (as the original did); with it on, only the channels of the connection's unexpired token.
 */
@ApplicationScoped
public class TokenPermissions implements ChannelPermissions {

    @Inject
    LhttpConfig config;

    private final Clock clock = Clock.systemUTC();

    @Override
    public boolean canSubscribe(ClientConnection connection, String channel) {
        if (!config.auth()) {
            return true;
        }
        Grant g = Authentication.grant(connection);
        return g != null && !g.expiredAt(clock.instant()) && g.subscribe().matches(channel);
    }

    @Override
    public boolean canPublish(ClientConnection connection, String channel) {
        if (!config.auth()) {
            return true;
        }
        Grant g = Authentication.grant(connection);
        return g != null && !g.expiredAt(clock.instant()) && g.publish().matches(channel);
    }

    /** Whether this bean permits everything, so that callers may skip asking it. */
    @Override
    public boolean permitsAll() {
        return !config.auth();
    }
}
