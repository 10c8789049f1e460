package io.lhttp.channel;

import java.util.Set;

/** What the channel registry needs of a subscriber: its channel set and a non-blocking send. */
public interface Subscriber {

    /** The channels this subscriber has: a live set, guarded by itself, written only by the registry. */
    Set<String> channels();

    /** An id for presence lists (PROTOCOL.md §2.3): the connection id. */
    default String id() {
        return Integer.toHexString(System.identityHashCode(this));
    }

    /** The authenticated user, for presence lists; null when the subscriber has none. */
    default String user() {
        return null;
    }

    /**
     * Frames of {@code channel}, a history channel this subscriber tracks positions of, were lost
     * before reaching this instance and cannot be delivered in order: the subscriber must recover
     * from its last position ({@code since}). A connection closes with 1012 so its client
     * reconnects and recovers; the default does nothing.
     */
    default void missed(String channel) {}

    /** Queues an encoded frame for this subscriber without blocking; false if it was not queued. */
    boolean sendFrame(String frame);

    /**
     * As {@link #sendFrame(String)}, told which channel the frame is of (the registry's fan-out,
     * replay and {@code subscribed} answer call this one). A subscriber that labels frames by
     * channel (an SSE stream's event names) overrides it; others need not.
     */
    default boolean sendFrame(String channel, String frame) {
        return sendFrame(frame);
    }
}
