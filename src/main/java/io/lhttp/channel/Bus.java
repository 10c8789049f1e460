package io.lhttp.channel;

import io.lhttp.protocol.ProtocolException;
import java.util.function.Consumer;

/**
 * Carries published frames to every instance that has subscribers of a channel: in process for
 * one instance, over NATS for a cluster. The {@link ChannelRegistry} holds at most one bus
 * subscription per channel and fans frames out to its local connections.
 */
public interface Bus extends AutoCloseable {

    /**
     * Publishes an encoded frame to a channel. Never blocks on the network.
     *
     * @throws ProtocolException 503 when the bus cannot take the message now
     */
    void publish(String channel, String frame) throws ProtocolException;

    /**
     * Starts receiving a channel's frames on this instance. Called once per channel, when its
     * first local subscriber arrives.
     *
     * @param deliver called with every frame published to the channel, from any instance
     */
    Subscription subscribe(String channel, Consumer<String> deliver);

    /** Whether the bus can take messages now. */
    default boolean isConnected() {
        return true;
    }

    /** A short description for logs and health: {@code in-process} or the NATS servers. */
    String describe();

    @Override
    default void close() {
    }

    /** One channel's subscription on the bus. */
    interface Subscription {
        /** Stops receiving the channel on this instance. */
        void cancel();
    }
}
