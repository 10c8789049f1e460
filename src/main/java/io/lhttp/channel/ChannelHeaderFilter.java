package io.lhttp.channel;

import io.lhttp.processor.Exchange;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.ProtocolException;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.InvocationContext;
import java.util.List;

/**
 * A built-in pub/sub header filter: after the processor (and only when nothing refused the
 * message) it reads its header's channel list and acts on it. A bad channel name or a limit
 * answers the client with the error frame; the connection stays open.
 */
abstract class ChannelHeaderFilter {

    private final String header;

    ChannelHeaderFilter(String header) {
        this.header = header;
    }

    @AroundInvoke
    Object afterProcessor(InvocationContext ctx) throws Exception {
        Object result = ctx.proceed();
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String value = ex.header(header);
        // POST /publish: none of these run (no connection); io.lhttp.publish.HttpPublish publishes itself.
        if (value != null && !ex.failed() && !ex.isHttp()) {
            try {
                apply(ex, ChannelNames.parseList(value));
            } catch (ProtocolException e) {
                ex.fail(e.code(), e.reason());
            }
        }
        return result;
    }

    abstract void apply(Exchange ex, List<String> channels) throws ProtocolException;
}
