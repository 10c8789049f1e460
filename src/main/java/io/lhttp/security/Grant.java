package io.lhttp.security;

import io.lhttp.protocol.ChannelPatterns;
import java.time.Instant;

/**
 * What a verified token grants one connection: its user, the channels it may subscribe to and
 * publish on, and until when. Immutable.
 *
 * @param user      the token's subject ({@code sub})
 * @param subscribe channels the connection may subscribe to
 * @param publish   channels the connection may publish on
 * @param expires   the token's expiry ({@code exp}); after it the grant permits nothing
 */
public record Grant(String user, ChannelPatterns subscribe, ChannelPatterns publish, Instant expires)
        implements java.security.Principal {

    /** The user, as a {@link java.security.Principal} (what {@code ClientConnection.user()} reads). */
    @Override
    public String getName() {
        return user;
    }

    /** Whether the grant has run out at {@code now}. */
    public boolean expiredAt(Instant now) {
        return !now.isBefore(expires);
    }
}
