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
 * @param info      the connection's public info from the token's {@code info} claim (compact JSON), or null
 *                  (docs/PROTOCOL.md §2.4)
 */
public record Grant(String user, ChannelPatterns subscribe, ChannelPatterns publish, Instant expires, String info)
        implements java.security.Principal {

    /** A grant without public info. */
    public Grant(String user, ChannelPatterns subscribe, ChannelPatterns publish, Instant expires) {
        this(user, subscribe, publish, expires, null);
    }

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
