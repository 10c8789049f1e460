package io.lhttp.presence;

import io.lhttp.channel.Bus;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.protocol.RequestId;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code presence:<channel>} (PROTOCOL.md §2.3): after the pub/sub actions of the message, the
 * sender gets {@code LHTTP/1.0 presence} listing the channel's members on every instance. Costs
 * nothing per published message: members are read from the registries only when asked.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.PRESENCE)
public class PresenceFilter {

    @Inject
    ChannelRegistry registry;

    @Inject
    Bus bus;

    @Inject
    LhttpConfig config;

    @Inject
    io.lhttp.channel.Permissions permissions;

    @AroundInvoke
    Object afterProcessor(InvocationContext ctx) throws Exception {
        Object result = ctx.proceed();
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String channel = ex.header("presence");
        if (channel != null && !ex.failed() && !ex.isHttp()) { // POST /publish: nobody to answer
            try {
                List<String> names = ChannelNames.parseList(channel);
                if (names.size() != 1) {
                    throw new ProtocolException(400, "presence takes one channel");
                }
                permissions.checkSubscribe(ex.connection(), names); // who is in a channel is for those who may join it
                ask(ex.connection(), names.get(0), ex.requestId(), "true".equalsIgnoreCase(ex.header("presence-info")));
            } catch (ProtocolException e) {
                ex.fail(e.code(), e.reason());
            }
        }
        return result;
    }

    private void ask(ClientConnection connection, String channel, String requestId, boolean withInfo) {
        int max = config.presenceMaxEntries();
        bus.presence(channel, max, registry::members).whenComplete((list, error) -> {
            if (error != null) {
                connection.sendError(503, "presence not available now", requestId);
            } else {
                connection.send(answer(channel, list, requestId, withInfo ? connection.id() : null));
            }
        });
    }

    /** {@code LHTTP/1.0 presence}, headers channel, count, truncated (when cut), request-id; one member per body line. */
    static Message answer(String channel, Bus.PresenceList list, String requestId) {
        return answer(channel, list, requestId, null);
    }

    /**
     * As {@link #answer(String, Bus.PresenceList, String)}; with {@code you} (the asker's connection
     * id, for {@code presence-info:true}) each line keeps its info after a tab and the header
     * {@code you} names the asker. Without it lines are as before: {@code <id>} or {@code <id> <user>}.
     */
    static Message answer(String channel, Bus.PresenceList list, String requestId, String you) {
        List<Header> headers = new ArrayList<>(4);
        headers.add(new Header("channel", channel));
        headers.add(new Header("count", Integer.toString(list.members().size())));
        if (list.truncated()) {
            headers.add(new Header("truncated", "true"));
        }
        if (requestId != null) {
            headers.add(new Header(RequestId.HEADER, requestId));
        }
        if (you != null) {
            headers.add(new Header("you", you));
            return Message.of("presence", headers, String.join("\n", list.members()));
        }
        List<String> lines = new ArrayList<>(list.members().size());
        for (String m : list.members()) {
            int tab = m.indexOf('\t');
            lines.add(tab < 0 ? m : m.substring(0, tab));
        }
        return Message.of("presence", headers, String.join("\n", lines));
    }
}
