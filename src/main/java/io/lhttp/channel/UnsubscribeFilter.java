package io.lhttp.channel;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;

/** {@code unsubscribe:ch1 …}: the last pub/sub action; channels never subscribed are ignored. */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.UNSUBSCRIBE)
public class UnsubscribeFilter extends ChannelHeaderFilter {

    @Inject
    ChannelRegistry registry;

    public UnsubscribeFilter() {
        super("unsubscribe");
    }

    @Override
    void apply(Exchange ex, List<String> channels) {
        registry.unsubscribe(ChannelRegistry.subscriber(ex.connection()), channels);
    }
}
