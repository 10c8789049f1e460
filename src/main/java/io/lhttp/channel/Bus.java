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
     * Publishes an encoded frame to a channel. Does not wait on the network, except for a channel
     * kept in a remote history store (JetStream), whose acknowledgement it waits for, bounded
     * ({@code POST /publish} and {@link Channels} rely on that; WebSocket clients publish through
     * {@link #publisher()}).
     *
     * @throws ProtocolException 503 when the bus cannot take the message now
     */
    void publish(String channel, String frame) throws ProtocolException;

    /**
     * Whether this bus deduplicates {@code channel}'s keyed publishes itself
     * ({@link #publish(String, String, String)}, across the cluster: JetStream's {@code Nats-Msg-Id});
     * when not, {@link Channels} keeps the keys in its in-memory window. Default false.
     */
    default boolean deduplicates(String channel) {
        return false;
    }

    /**
     * As {@link #publish(String, String)}, with a message id that makes a repeat within the bus's
     * duplicate window land once. Only called when {@link #deduplicates} said so.
     *
     * @param messageId the channel-scoped idempotency key ({@link io.lhttp.protocol.IdempotencyKey#scoped})
     * @return true when stored and delivered; false for a duplicate (nothing delivered)
     * @throws ProtocolException 503 when the bus cannot take the message now
     */
    default boolean publish(String channel, String frame, String messageId) throws ProtocolException {
        publish(channel, frame);
        return true;
    }

    /**
     * A pipeline for one WebSocket connection's publishes, or null when {@link #publish} never waits
     * on the network (then it is used as it is). A bus whose store acknowledges later (JetStream)
     * sends a history channel's frame without waiting for it and reports a failure afterwards, so a
     * client's publishes are not one acknowledgement round trip each. Close it when the connection closes.
     */
    default Publisher publisher() {
        return null;
    }

    /**
     * Publishes a frame that is only news for whoever is subscribed now (presence join/leave): it
     * is delivered like {@link #publish} but never kept in the channel's history, takes no position
     * and is not replayed to a recovering subscriber.
     *
     * @throws ProtocolException 503 when the bus cannot take the message now
     */
    default void publishTransient(String channel, String frame) throws ProtocolException {
        publish(channel, frame);
    }

    /**
     * Starts receiving a channel's frames on this instance. Called once per channel, when its
     * first local subscriber arrives.
     *
     * @param deliver called with every frame published to the channel, from any instance
     */
    Subscription subscribe(String channel, Consumer<String> deliver);

    /**
     * As {@link #subscribe(String, Consumer)}, with each frame's history position (null for a
     * channel without history). Buses without history deliver null.
     */
    default Subscription subscribe(String channel, Delivery deliver) {
        return subscribe(channel, frame -> deliver.deliver(frame, null));
    }

    /**
     * Joins a subscriber to a channel's live frames, first replaying what it missed after
     * {@code since} (PROTOCOL.md §2.2). {@link Joiner#joined} must be called with no frame of the
     * channel published between the replay and it, so the seam has no gap and no duplicate.
     * Buses without history replay nothing and report no position.
     *
     * @param since null when the subscriber only wants positions from now on
     */
    default void join(String channel, Position since, Joiner joiner) {
        joiner.joined(null, since == null ? null : Boolean.FALSE);
    }

    /**
     * The members of a channel on every instance (PROTOCOL.md §2.3): this instance's from
     * {@code local}, the others' over the bus. At most {@code max} entries. Buses of one instance
     * answer at once with the local members.
     */
    default java.util.concurrent.CompletableFuture<PresenceList> presence(String channel, int max, Presence local) {
        return java.util.concurrent.CompletableFuture.completedFuture(
                PresenceList.of(local.members(channel, max + 1), max));
    }

    /**
     * Where the bus finds this instance's members when another instance asks; set by the channel
     * registry. Buses of one instance need not keep it.
     */
    default void presenceSource(Presence source) {}

    /** This instance's members of a channel: entries {@code <connection-id>} or {@code <connection-id> <user>}. */
    @FunctionalInterface
    interface Presence {
        java.util.List<String> members(String channel, int max);
    }

    /** Members gathered from the instances that answered; {@code truncated} when over the limit. */
    record PresenceList(java.util.List<String> members, boolean truncated) {
        public static PresenceList of(java.util.List<String> all, int max) {
            return all.size() > max
                    ? new PresenceList(java.util.List.copyOf(all.subList(0, max)), true)
                    : new PresenceList(java.util.List.copyOf(all), false);
        }
    }

    /**
     * Runs an operator's control request (the server API, docs/SERVER-API.md) on every instance:
     * this one through {@code local}, on the caller's thread, the others over the bus through
     * their {@link #controlSource}; answers are gathered within the presence timeout. An instance
     * that does not answer in time is missing from the list (it may still act). Buses of one
     * instance answer at once with the local answer.
     *
     * @return this instance's answer first, then the others' as they came
     */
    default java.util.concurrent.CompletableFuture<java.util.List<String>> control(
            String request, java.util.function.Function<String, String> local) {
        return java.util.concurrent.CompletableFuture.completedFuture(java.util.List.of(local.apply(request)));
    }

    /** Where the bus runs the other instances' control requests on this instance. Buses of one instance need not keep it. */
    default void controlSource(java.util.function.Function<String, String> source) {}

    /**
     * A channel's kept messages for the server API: with {@code since} null the newest {@code max},
     * else the oldest {@code max} after {@code since}; oldest first either way. Reads only: creates
     * no history and joins nothing. Buses without history answer empty, without a top.
     *
     * @throws ProtocolException 503 when the history store cannot be read now
     */
    default HistoryRead history(String channel, Position since, int max) throws ProtocolException {
        return new HistoryRead(java.util.List.of(), null, false);
    }

    /**
     * What {@link #history} read.
     *
     * @param top      the channel's newest position (null when it keeps no history)
     * @param complete with {@code since}: nothing after it is missing before the last entry (same
     *                 epoch, nothing dropped); without: every kept message is in {@code entries}
     */
    record HistoryRead(java.util.List<HistoryEntry> entries, Position top, boolean complete) {}

    /** One kept message and its position. */
    record HistoryEntry(String frame, Position position) {}

    /** The newest {@code max} of {@code all} (with {@code since} null) or its oldest {@code max}, and whether none was cut. */
    static HistoryRead cut(java.util.List<HistoryEntry> all, Position top, Position since, boolean complete, int max) {
        if (all.size() <= max) {
            return new HistoryRead(java.util.List.copyOf(all), top, complete);
        }
        return since == null
                ? new HistoryRead(java.util.List.copyOf(all.subList(all.size() - max, all.size())), top, false)
                : new HistoryRead(java.util.List.copyOf(all.subList(0, max)), top, complete);
    }

    /** Whether the bus can take messages now. */
    default boolean isConnected() {
        return true;
    }

    /** A short description for logs and health: {@code in-process} or the NATS servers. */
    String describe();

    @Override
    default void close() {}

    /**
     * Publishes for one connection (see {@link #publisher()}). Frames are stored in the order they
     * are published; at most a bounded number wait for their acknowledgement, one more waits for one
     * of them (bounded by the store's timeout). Thread-safe.
     */
    interface Publisher {
        /**
         * As {@link Bus#publish}, but a frame the store is to acknowledge is only sent here: if it is
         * then refused, not acknowledged in time or lost, {@code failed} is called once, later, on
         * another thread, with the 503 the synchronous publish would have thrown. Never called after
         * {@link #close()}.
         *
         * @throws ProtocolException 503 when the bus cannot take the message now, or no acknowledgement
         *                           made room within the timeout; 413 over the bus's payload limit
         */
        void publish(String channel, String frame, java.util.function.Consumer<ProtocolException> failed)
                throws ProtocolException;

        /**
         * As {@link #publish(String, String, java.util.function.Consumer)} with a message id
         * ({@link Bus#publish(String, String, String)}); a duplicate is acknowledged like a new one.
         */
        default void publish(
                String channel, String frame, String messageId, java.util.function.Consumer<ProtocolException> failed)
                throws ProtocolException {
            publish(channel, frame, failed);
        }

        /** Frames sent and not yet acknowledged. */
        int pending();

        /** The connection closed: forget the outstanding acknowledgements, report nothing more. */
        void close();
    }

    /** Receives a channel's frames with their positions. */
    @FunctionalInterface
    interface Delivery {
        void deliver(String frame, Position position);

        /**
         * Frames of a history channel were lost on their way to this instance and could not be read
         * back from the store: its subscribers that track positions must recover ({@code since}).
         */
        default void missed() {}
    }

    /** One subscriber's replay and join of a channel with history. */
    interface Joiner {
        /** A missed frame, oldest first. */
        void replay(String frame, Position position);

        /**
         * Called once, after the replay: the subscriber must start receiving live frames inside this call.
         *
         * @param top       the position of the channel's newest message, or null without history
         * @param recovered whether everything after {@code since} was replayed; null when no {@code since} was given
         */
        void joined(Position top, Boolean recovered);
    }

    /** One channel's subscription on the bus. */
    interface Subscription {
        /** Stops receiving the channel on this instance. */
        void cancel();
    }
}
