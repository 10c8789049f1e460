package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;

import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code publish:ch1 …}: after subscribe, the response (the request itself unless the processor
 * changed it) is encoded once and that text is published to each channel.
 *
 * <p>Before anything is published (docs/SECURITY.md): a response whose command the server
 * reserves ({@link #RESERVED_COMMANDS}) is refused with 403, so that no client can make others
 * see what looks like the server's own error frame; every channel must be permitted
 * ({@link Permissions}), else 403 and nothing is published; and the header lines named by
 * {@code lhttp.publish.strip-headers} are removed, so that credentials never reach subscribers.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.PUBLISH)
public class PublishFilter extends ChannelHeaderFilter {

    /**
     * Commands only the server sends: {@code error} (PROTOCOL.md §5), {@code subscribed} and
     * {@code presence} (§2.2, §2.3). A frame with one of these
     * commands on a socket therefore always comes from the server itself.
     */
    public static final Set<String> RESERVED_COMMANDS = Set.of("error", "subscribed", "presence");

    /** The connection attribute holding its {@link Bus.Publisher} (made on its first publish, when the bus has one). */
    static final String PUBLISHER = PublishFilter.class.getName() + ".publisher";

    @Inject
    Bus bus;

    @Inject
    Permissions permissions;

    @Inject
    LhttpConfig config;

    public PublishFilter() {
        super("publish");
    }

    @Override
    void apply(Exchange ex, List<String> channels) throws ProtocolException {
        Message response = ex.response();
        if (RESERVED_COMMANDS.contains(response.command())) {
            throw new ProtocolException(403, "command '" + response.command() + "' is reserved for the server");
        }
        permissions.checkPublish(ex.connection(), channels);
        String frame = strip(response, config.publishStripHeaders()).frame();
        ClientConnection connection = ex.connection();
        Bus.Publisher publisher = connection == null ? null
                : (Bus.Publisher) connection.attributes().computeIfAbsent(PUBLISHER, k -> bus.publisher());
        if (publisher == null) {
            for (String channel : channels) {
                bus.publish(channel, frame);
                Meters.published();
            }
            return;
        }
        // History channels over NATS: not waited for; a failure reaches the client later as the same
        // error frame, with this frame's request-id, once per frame however many channels it failed on.
        String requestId = ex.requestId();
        java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Consumer<ProtocolException> late = e -> {
            if (reported.compareAndSet(false, true)) {
                connection.sendError(e.code(), e.reason(), requestId);
            }
        };
        for (String channel : channels) {
            publisher.publish(channel, frame, late);
            Meters.published();
        }
    }

    /** Closes the connection's publisher, if it has one: its outstanding acknowledgements are forgotten. */
    static void closed(ClientConnection connection) {
        if (connection.attributes().remove(PUBLISHER) instanceof Bus.Publisher p) {
            p.close();
        }
    }

    /** The message without the header lines whose keys are in {@code strip}; the message itself when it has none. */
    static Message strip(Message m, Set<String> strip) {
        if (strip.isEmpty()) {
            return m;
        }
        List<Header> kept = null;
        List<Header> headers = m.headers();
        for (int i = 0; i < headers.size(); i++) {
            Header h = headers.get(i);
            boolean drop = strip.contains(h.key().trim().toLowerCase(Locale.ROOT));
            if (drop && kept == null) {
                kept = new ArrayList<>(headers.subList(0, i));
            } else if (!drop && kept != null) {
                kept.add(h);
            }
        }
        return kept == null ? m : Message.of(m.command(), kept, m.body());
    }
}
