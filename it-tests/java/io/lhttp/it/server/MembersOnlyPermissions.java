package io.lhttp.it.server;

import io.lhttp.processor.ChannelPermissions;
import io.lhttp.processor.ClientConnection;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A user's permission rules, deployed only with the tests: channels starting with
 * {@code members-} are for connections whose handshake carried the header
 * {@code X-Member: yes} or the cookie {@code member=yes} (a stand-in for a database lookup).
 */
@ApplicationScoped
public class MembersOnlyPermissions implements ChannelPermissions {

    @Override
    public boolean canSubscribe(ClientConnection connection, String channel) {
        return !channel.startsWith("members-") || isMember(connection);
    }

    @Override
    public boolean canPublish(ClientConnection connection, String channel) {
        return canSubscribe(connection, channel);
    }

    private static boolean isMember(ClientConnection c) {
        return "yes".equals(c.handshake().header("x-member"))
                || "yes".equals(c.handshake().cookie("member"));
    }
}
