package io.lhttp.channel;

import io.lhttp.meters.Meters;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.inject.Inject;
import java.util.Collection;
import java.util.List;

/**
 * The server-side publish API: sends a message to every subscriber of a channel, on this
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

    @Inject
    Bus bus;

    /** For CDI. */
    protected Channels() {
    }

    /** A publisher over {@code bus}, for code that runs outside CDI (tests). */
    public Channels(Bus bus) {
        this.bus = bus;
    }

    /** The application's instance, for code that cannot inject it ({@link io.lhttp.processor.Exchange}). */
    public static Channels current() {
        return CDI.current().select(Channels.class).get();
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
        for (String channel : channels) {
            if (!ChannelNames.isValid(channel)) {
                throw new IllegalArgumentException("not a valid channel name: '" + channel + "'");
            }
        }
        String frame = message.frame(); // encode once
        boolean all = true;
        for (String channel : channels) {
            try {
                bus.publish(channel, frame);
                Meters.published();
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
