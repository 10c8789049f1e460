package io.lhttp.it.server;

import io.lhttp.connection.Connection;
import io.lhttp.security.ChannelPermissions;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A user's permission rules, deployed only with the tests: channels starting with
 * {@code members-} are for connections whose handshake carried the header
 * {@code X-Member: yes} or the cookie {@code member=yes} (a stand-in for a database lookup).
 */
@ApplicationScoped
public class MembersOnlyPermissions implements ChannelPermissions {

    @Override
    public boolean canSubscribe(Connection connection, String channel) {
        return !channel.startsWith("members-") || isMember(connection);
    }

    @Override
    public boolean canPublish(Connection connection, String channel) {
        return canSubscribe(connection, channel);
    }

    private static boolean isMember(Connection c) {
        return "yes".equals(c.handshake().header("x-member")) || "yes".equals(c.handshake().cookie("member"));
    }
}
