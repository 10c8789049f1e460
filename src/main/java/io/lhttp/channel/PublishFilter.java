package io.lhttp.channel;

import io.lhttp.metrics.Meters;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.List;

/**
 * {@code publish:ch1 …}: after subscribe, the response (the request itself unless the processor
 * changed it) is encoded once and that text is published to each channel.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.PUBLISH)
public class PublishFilter extends ChannelHeaderFilter {

    @Inject
    Bus bus;

    public PublishFilter() {
        super("publish");
    }

    @Override
    void apply(Exchange ex, List<String> channels) throws ProtocolException {
        String frame = ex.response().frame();
        for (String channel : channels) {
            bus.publish(channel, frame);
            Meters.published();
        }
    }
}
