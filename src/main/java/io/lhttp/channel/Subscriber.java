package io.lhttp.channel;

import java.util.Set;

/** What the channel registry needs of a subscriber: its channel set and a non-blocking send. */
public interface Subscriber {

    /** The channels this subscriber has: a live set, guarded by itself, written only by the registry. */
    Set<String> channels();

    /** Queues an encoded frame for this subscriber without blocking; false if it was not queued. */
    boolean sendFrame(String frame);
}
