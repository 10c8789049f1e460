package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;
import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.IdempotencyKey;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The one publish path ({@link #publish(ClientConnection, boolean, List, Message, Supplier, String)}),
 * which the {@code publish} header ({@link PublishFilter}), {@code POST /publish} and this
 * server-side publish API all take; and that API ({@link io.lhttp.processor.Publisher}): sends a message to every subscriber of a channel, on this
 * instance and, with {@code lhttp.nats.url} set, on every instance of the cluster. Inject it
 * anywhere ({@code @Inject Channels channels;}): in a processor, a filter, a JAX-RS resource, a
 * timer. Thread-safe; never blocks on the network.
 *
 * <pre>{@code
 * @Inject Channels channels;
 * channels.publish("room-1", Message.of("joined", "bob"));
 * channels.publish(List.of("room-1", "room-2"), "notice", List.of(new Header("from", "server")), "maintenance at 22:00");
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
@ApplicationScoped
public class Channels implements io.lhttp.processor.Publisher {

    /**
     * Commands only the server sends: {@code error} (PROTOCOL.md §5), {@code subscribed} and
     * {@code presence} (§2.2, §2.3). A frame with one of these commands on a socket therefore
     * always comes from the server itself.
     */
    public static final Set<String> RESERVED_COMMANDS = Set.of("error", "subscribed", "presence");

    /** The connection attribute holding its {@link Bus.Publisher} (made on its first publish, when the bus has one). */
    static final String PUBLISHER = PublishFilter.class.getName() + ".publisher";

    @Inject
    Bus bus;

    @Inject
    Permissions permissions;

    /** Keys of publishes to channels the bus does not deduplicate itself (PROTOCOL.md §2.5). */
    private IdempotencyWindow window;

    /** For CDI. */
    protected Channels() {}

    /** A publisher over {@code bus}, for code that runs outside CDI (tests). */
    public Channels(Bus bus) {
        this(
                bus,
                new IdempotencyWindow(
                        LhttpConfig.DEFAULT_IDEMPOTENCY_WINDOW_MS, LhttpConfig.DEFAULT_IDEMPOTENCY_MAX_KEYS));
    }

    /** A publisher over {@code bus} with its idempotency window, for code that runs outside CDI (tests). */
    public Channels(Bus bus, IdempotencyWindow window) {
        this.bus = bus;
        this.window = window;
    }

    @Inject
    void idempotency(IdempotencyConfig config) {
        this.window = config.window();
    }

    /**
     * Publishes one message to {@code channels} (valid names): the only place a message reaches the
     * bus from a client, {@code POST /publish} or server code. In order (docs/SECURITY.md): a
     * message from outside the server whose command the server reserves ({@link #RESERVED_COMMANDS})
     * is refused with 403, so that no one can make others see what looks like the server's own
     * frame; a client ({@code from}) must be permitted every channel ({@link Permissions}), else
     * 403 and nothing is published; then the frame goes to each channel, counted once per channel.
     * A client's publish to history channels over NATS is not waited for: a failure reaches the
     * client later as an error frame with {@code requestId}, once per frame however many channels
     * it failed on.
     *
     * @param from         the client's connection, or null for {@code POST /publish} and server code
     * @param fromOutside  whether the message comes from outside the server (a client or {@code POST /publish})
     * @param frame        the frame to deliver (encoded once; asked for only when nothing refused it)
     * @throws ProtocolException 403 as above, 503 when the bus cannot take it now (the first
     *                           channel it refused; the ones before it got the frame)
     */
    public void publish(
            ClientConnection from,
            boolean fromOutside,
            List<String> channels,
            Message message,
            Supplier<String> frame,
            String requestId)
            throws ProtocolException {
        publish(from, fromOutside, channels, message, frame, requestId, null);
    }

    /**
     * As {@link #publish(ClientConnection, boolean, List, Message, Supplier, String)}, with an
     * idempotency key (PROTOCOL.md §2.5): on each channel, a publish whose key was published with
     * within {@code lhttp.idempotency.window-ms} is not delivered again. A channel whose bus
     * deduplicates itself ({@link Bus#deduplicates}: history channels in JetStream, across the
     * cluster) gets the key as the message id; any other is checked against this instance's
     * {@link IdempotencyWindow}, and a key whose publish failed is forgotten there, so a retry lands.
     *
     * @param idempotencyKey a valid key ({@link IdempotencyKey#check}), or null
     * @return false when the key made it a duplicate on every channel (nothing delivered), true otherwise
     */
    public boolean publish(
            ClientConnection from,
            boolean fromOutside,
            List<String> channels,
            Message message,
            Supplier<String> frame,
            String requestId,
            String idempotencyKey)
            throws ProtocolException {
        if (fromOutside && RESERVED_COMMANDS.contains(message.command())) {
            throw new ProtocolException(403, "command '" + message.command() + "' is reserved for the server");
        }
        if (from != null) {
            permissions.checkPublish(from, channels);
        }
        if (idempotencyKey != null && !IdempotencyKey.isValid(idempotencyKey)) {
            throw new ProtocolException(400, IdempotencyKey.INVALID);
        }
        String text = frame.get();
        Bus.Publisher publisher = from == null
                ? null
                : (Bus.Publisher) from.attributes().computeIfAbsent(PUBLISHER, k -> bus.publisher());
        Consumer<ProtocolException> late = null;
        if (publisher != null) {
            AtomicBoolean reported = new AtomicBoolean();
            late = e -> {
                if (reported.compareAndSet(false, true)) {
                    from.sendError(e.code(), e.reason(), requestId);
                }
            };
        }
        boolean delivered = false;
        for (String channel : channels) {
            if (idempotencyKey == null) {
                send(publisher, channel, text, late);
                delivered = true;
            } else if (bus.deduplicates(channel)) {
                String id = IdempotencyKey.scoped(channel, idempotencyKey);
                if (publisher != null) {
                    publisher.publish(channel, text, id, late); // a duplicate is acknowledged like a new one
                    delivered = true;
                } else if (bus.publish(channel, text, id)) {
                    delivered = true;
                } else {
                    continue; // a duplicate: the stream has it already
                }
                Meters.published();
            } else {
                String id = IdempotencyKey.scoped(channel, idempotencyKey);
                if (!window.claim(id)) {
                    continue; // a duplicate within the window
                }
                try {
                    send(publisher, channel, text, late);
                } catch (ProtocolException | RuntimeException e) {
                    window.release(id); // not published: a retry must land
                    throw e;
                }
                delivered = true;
            }
        }
        return delivered;
    }

    private void send(Bus.Publisher publisher, String channel, String text, Consumer<ProtocolException> late)
            throws ProtocolException {
        if (publisher == null) {
            bus.publish(channel, text);
        } else {
            publisher.publish(channel, text, late);
        }
        Meters.published();
    }

    /** Closes the connection's publisher, if it has one: its outstanding acknowledgements are forgotten. */
    static void closed(ClientConnection connection) {
        if (connection.attributes().remove(PUBLISHER) instanceof Bus.Publisher p) {
            p.close();
        }
    }

    /**
     * Publishes {@code message}, as given, to every subscriber of {@code channel}.
     *
     * @return true when the bus took it; false when it cannot now (see the class description)
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     */
    public boolean publish(String channel, Message message) {
        return publish(List.of(channel), message);
    }

    /**
     * Publishes {@code message}, encoded once, to every subscriber of each of {@code channels}.
     *
     * @return true when the bus took it for every channel; false when it refused it for at least
     *         one (the others still got it)
     * @throws IllegalArgumentException when a channel name is not valid (then nothing is published)
     */
    public boolean publish(Collection<String> channels, Message message) {
        return publish(channels, message, null);
    }

    @Override
    public boolean publish(Collection<String> channels, Message message, String idempotencyKey) {
        for (String channel : channels) {
            if (!ChannelNames.isValid(channel)) {
                throw new IllegalArgumentException("not a valid channel name: '" + channel + "'");
            }
        }
        if (idempotencyKey != null && !IdempotencyKey.isValid(idempotencyKey)) {
            throw new IllegalArgumentException(IdempotencyKey.INVALID);
        }
        String frame = message.frame(); // encode once
        boolean all = true;
        for (String channel : channels) {
            try {
                publish(null, false, List.of(channel), message, () -> frame, null, idempotencyKey);
            } catch (ProtocolException e) {
                all = false; // 503: the bus cannot take it now
            }
        }
        return all;
    }

    /**
     * Publishes a message built from {@code command}, {@code headers} and {@code body} to every
     * subscriber of each of {@code channels}.
     *
     * @return true when the bus took it for every channel, false otherwise
     * @throws IllegalArgumentException when a channel name, the command or a header is not valid
     */
    public boolean publish(Collection<String> channels, String command, List<Header> headers, String body) {
        return publish(channels, Message.of(command, headers, body));
    }
}
