package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;

/**
 * {@code subscribe:ch1 ch2 …}: the connection joins each channel; subscribing twice is a no-op.
 * With {@code positions:true} or {@code since:<epoch>:<offset>} (one channel), history positions
 * and recovery (PROTOCOL.md §2.2).
 * Every channel must be permitted ({@link Permissions}), else 403 and none is joined; {@code since}
 * on a channel already subscribed is refused with 409.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.SUBSCRIBE)
public class SubscribeFilter extends ChannelHeaderFilter {

    @Inject
    ChannelRegistry registry;

    @Inject
    LhttpConfig config;

    @Inject
    Permissions permissions;

    public SubscribeFilter() {
        super("subscribe");
    }

    @Override
    void apply(Exchange ex, List<String> channels) throws ProtocolException {
        permissions.checkSubscribe(ex.connection(), channels); // all or nothing: checked before any is joined
        String since = ex.header("since");
        if (since == null && !"true".equalsIgnoreCase(ex.header("positions"))) {
            registry.subscribe(ChannelRegistry.subscriber(ex.connection()), channels, config.maxChannels());
            return;
        }
        Position position = null;
        if (since != null) {
            if (channels.size() != 1) {
                throw new ProtocolException(400, "since needs exactly one channel in subscribe");
            }
            refuseSinceWhenSubscribed(ChannelRegistry.subscriber(ex.connection()), channels.get(0));
            try {
                position = Position.parse(since);
            } catch (IllegalArgumentException e) {
                throw new ProtocolException(
                        400, "bad since: <epoch>:<offset>, epoch 1-" + Position.MAX_EPOCH_LENGTH + " of A-Z a-z 0-9");
            }
        }
        registry.subscribeWithPositions(
                ChannelRegistry.subscriber(ex.connection()), channels, position, ex.requestId(), config.maxChannels());
    }

    /**
     * {@code since} on a channel the connection already has is refused with 409 (PROTOCOL.md §2.2):
     * frames of it are already on their way live, and the server does not know which of them the
     * client has seen, so a replay could repeat some and silently ignoring the frame would leave a
     * client waiting for a {@code subscribed} answer that never comes. (Centrifugo answers a repeated
     * subscribe with "already subscribed" for the same reason.) A plain repeated subscribe stays a no-op.
     */
    static void refuseSinceWhenSubscribed(Subscriber subscriber, String channel) throws ProtocolException {
        java.util.Set<String> mine = subscriber.channels();
        boolean subscribed;
        synchronized (mine) {
            subscribed = mine.contains(channel);
        }
        if (subscribed) {
            throw new ProtocolException(
                    409,
                    "already subscribed to '" + channel
                            + "': since recovers on a new subscription only (unsubscribe first)");
        }
    }
}
