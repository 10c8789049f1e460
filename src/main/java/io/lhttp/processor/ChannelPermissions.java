package io.lhttp.processor;

/**
 * Decides who may subscribe to and publish on which channel: implement it as a CDI bean (e.g.
 * {@code @ApplicationScoped}) for rules that live elsewhere, such as a database. Every bean of
 * this type is asked, the built-in token rules ({@code io.lhttp.security.TokenPermissions}) included; a channel
 * is permitted only when all of them say yes. A refusal answers the client with error 403 and
 * nothing of the message happens (no channel of it is subscribed or published to).
 *
 * <p>Called on the connection's socket thread for every channel a message names: keep it fast
 * (cache what the database says per connection in {@link ClientConnection#attributes()}), never
 * block on I/O for long. The connection's user, when a token authenticated it, is
 * {@link ClientConnection#user()}. Messages from {@code POST /publish} are not
 * checked: that API has its own bearer token.
 */
public interface ChannelPermissions {

    /** Whether {@code connection} may subscribe to {@code channel} (a valid channel name). */
    boolean canSubscribe(ClientConnection connection, String channel);

    /** Whether {@code connection} may publish to {@code channel} (a valid channel name). */
    boolean canPublish(ClientConnection connection, String channel);

    /**
     * Whether this bean permits everything, so that it need not be asked at all (the built-in
     * token rules with {@code lhttp.auth=false}); false unless overridden.
     */
    default boolean permitsAll() {
        return false;
    }
}
