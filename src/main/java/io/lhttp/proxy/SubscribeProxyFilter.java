package io.lhttp.proxy;

import io.lhttp.channel.Permissions;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * The subscribe proxy ({@code lhttp.proxy.subscribe-url}, docs/PROXY.md): a {@code subscribe}
 * naming channels of {@code lhttp.proxy.subscribe-channels} is sent to the backend once the
 * server's own permissions (token, {@code ChannelPermissions} beans) allowed it, and goes on only if
 * the backend answers {@code {"allow":true}}. A deny is error 403 with the backend's reason, a
 * backend that is down, slow, busy or answers anything else is error 503: never allowed. All or
 * nothing, as a refused permission: no channel of the frame is joined.
 *
 * <p>Inside the built-in subscribe filter ({@link HeaderFilter#SUBSCRIBE} + 1), so it decides after
 * the processor and before the subscription is made.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.SUBSCRIBE + 1)
public class SubscribeProxyFilter {

    @Inject
    ProxyConfig proxy;

    @Inject
    ProxyClient client;

    @Inject
    Permissions permissions;

    @AroundInvoke
    Object afterProcessor(InvocationContext ctx) throws Exception {
        Object result = ctx.proceed();
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String value = ex.header("subscribe");
        if (value == null || proxy.subscribeUrl() == null || ex.failed() || ex.isHttp()) {
            return result;
        }
        List<String> asked = new ArrayList<>();
        try {
            List<String> channels = ChannelNames.parseList(value);
            for (String c : channels) {
                if (proxy.subscribeChannels().matches(c)) {
                    asked.add(c);
                }
            }
            if (asked.isEmpty()) {
                return result;
            }
            permissions.checkSubscribe(ex.connection(), channels); // the backend is asked only about what we permit
        } catch (ProtocolException e) {
            ex.fail(e.code(), e.reason());
            return result;
        }
        try {
            JsonObject answer = client.ask(proxy.subscribeUrl(), request(ex.connection(), asked));
            JsonValue allow = answer.get("allow");
            if (allow == JsonValue.FALSE) {
                String reason = answer.get("reason") instanceof JsonString s
                        ? ConnectAnswer.reason(s.getString())
                        : "subscribe refused by the backend";
                ex.fail(403, reason.isEmpty() ? "subscribe refused by the backend" : reason);
            } else if (allow != JsonValue.TRUE) {
                ex.fail(503, "subscribe proxy: the answer needs \"allow\": true or false");
            }
        } catch (ProxyClient.Failure e) {
            ex.fail(503, "subscribe proxy: " + e.getMessage());
        }
        return result;
    }

    private static JsonObject request(ClientConnection connection, List<String> channels) {
        JsonArrayBuilder list = Json.createArrayBuilder();
        channels.forEach(list::add);
        JsonObjectBuilder b =
                Json.createObjectBuilder().add("connection", connection.id()).add("channels", list);
        String user = connection.user();
        if (user != null) {
            b.add("user", user);
        }
        String address = connection.remoteAddress();
        if (address != null && !address.isEmpty()) {
            b.add("address", address);
        }
        return b.build();
    }
}
