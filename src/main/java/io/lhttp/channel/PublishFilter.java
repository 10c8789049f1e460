package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.IdempotencyKey;
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
 * <p>It takes the one publish path ({@link Channels#publish(ClientConnection, boolean, List, Message,
 * java.util.function.Supplier, String)}: reserved commands and channel permissions refused with
 * 403 there), with the header lines named by {@code lhttp.publish.strip-headers} removed, so that
 * credentials never reach subscribers.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.PUBLISH)
public class PublishFilter extends ChannelHeaderFilter {

    /** Commands only the server sends: see {@link Channels#RESERVED_COMMANDS}. */
    public static final Set<String> RESERVED_COMMANDS = Channels.RESERVED_COMMANDS;

    @Inject
    Channels channels;

    @Inject
    LhttpConfig config;

    public PublishFilter() {
        super("publish");
    }

    @Override
    void apply(Exchange ex, List<String> channels) throws ProtocolException {
        Message response = ex.response();
        this.channels.publish(
                ex.connection(),
                true,
                channels,
                response,
                () -> strip(response, config.publishStripHeaders()).frame(),
                ex.requestId(),
                IdempotencyKey.check(ex.header(IdempotencyKey.HEADER))); // 400 for a bad key, nothing published
    }

    /** Closes the connection's publisher, if it has one: its outstanding acknowledgements are forgotten. */
    static void closed(ClientConnection connection) {
        Channels.closed(connection);
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
