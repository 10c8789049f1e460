package io.lhttp.processor;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.util.Collection;
import java.util.List;

/**
 * The server-side publish API: sends a message to every subscriber of a channel, on this
 * instance and, with {@code lhttp.nats.url} set, on every instance of the cluster. Inject it
 * anywhere ({@code @Inject Publisher publisher;}): in a processor, a filter, a JAX-RS resource, a
 * timer. Thread-safe; never blocks on the network.
 *
 * <pre>{@code
 * @Inject Publisher publisher;
 * publisher.publish("room-1", Message.of("joined", "bob"));
 * publisher.publish(List.of("room-1", "room-2"), "notice", List.of(new Header("from", "server")), "maintenance at 22:00");
 * }</pre>
 *
 * <p>The message is encoded once and the same frame goes to every subscriber; subscribers receive
 * it exactly as given (add a header yourself if the page needs to know the channel — a client's
 * own publish carries {@code publish: <channel>}). The header filters do not run for it: it does
 * not come from a client.
 *
 * <p><b>Failure.</b> A channel name that is not valid (PROTOCOL.md §1) is a programming error:
 * {@link IllegalArgumentException}, nothing published. When the bus cannot take the message now
 * (the NATS connection is down or its outgoing buffer is full: what {@code POST /publish} answers
 * with 503), {@code publish} returns {@code false}; retry later or drop it. The in-process bus
 * always takes it.
 */
public interface Publisher {

    /**
     * Publishes {@code message}, as given, to every subscriber of {@code channel}.
     *
     * @return true when the bus took it; false when it cannot now (see the class description)
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     */
    default boolean publish(String channel, Message message) {
        return publish(List.of(channel), message);
    }

    /**
     * Publishes {@code message}, encoded once, to every subscriber of each of {@code channels}.
     *
     * @return true when the bus took it for every channel; false when it refused it for at least
     *         one (the others still got it)
     * @throws IllegalArgumentException when a channel name is not valid (then nothing is published)
     */
    boolean publish(Collection<String> channels, Message message);

    /**
     * As {@link #publish(Collection, Message)}, made idempotent by {@code idempotencyKey}
     * (PROTOCOL.md §2.5): a retry with the same key to the same channel within
     * {@code lhttp.idempotency.window-ms} is not delivered again (and counts as taken). Use a fresh
     * random key (a UUID) per message, the same one for each of its retries. On history channels
     * with NATS the stream deduplicates across the cluster; elsewhere each instance remembers its
     * keys (at most {@code lhttp.idempotency.max-keys}).
     *
     * @param idempotencyKey 1-64 characters of {@code A-Z a-z 0-9 _ - . :}, or null for none
     * @return true when the bus took it (or had it already) for every channel, false otherwise
     * @throws IllegalArgumentException when a channel name or the key is not valid (nothing published)
     */
    boolean publish(Collection<String> channels, Message message, String idempotencyKey);

    /**
     * Publishes a message built from {@code command}, {@code headers} and {@code body} to every
     * subscriber of each of {@code channels}.
     *
     * @return true when the bus took it for every channel, false otherwise
     * @throws IllegalArgumentException when a channel name, the command or a header is not valid
     */
    default boolean publish(Collection<String> channels, String command, List<Header> headers, String body) {
        return publish(channels, Message.of(command, headers, body));
    }
}
