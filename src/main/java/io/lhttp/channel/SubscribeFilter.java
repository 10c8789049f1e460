package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.security.Permissions;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;

/**
 * {@code subscribe:ch1 ch2 …}: the connection joins each channel; subscribing twice is a no-op.
 * Every channel must be permitted ({@link Permissions}), else 403 and none is joined.
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
        registry.subscribe(ex.connection(), channels, config.maxChannels());
    }
}
