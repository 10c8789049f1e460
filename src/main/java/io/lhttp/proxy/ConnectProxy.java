package io.lhttp.proxy;

import io.lhttp.security.ConnectDecider;
import io.lhttp.security.ConnectDecision;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Enumeration;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * The connect proxy ({@code lhttp.proxy.connect-url}, docs/PROXY.md): each WebSocket handshake
 * without a token is sent to the backend, which allows it (user, channels, public info) or denies
 * it (close code). Only the headers {@code lhttp.proxy.connect-headers} names go along. A backend
 * that is down, slow, busy or answers anything else refuses the handshake with HTTP 503: never allowed.
 */
@ApplicationScoped
public class ConnectProxy implements ConnectDecider {

    private static final Logger LOG = Logger.getLogger(ConnectProxy.class.getName());

    @Inject
    ProxyConfig proxy;

    @Inject
    ProxyClient client;

    @Inject
    io.lhttp.presence.ConnInfo info;

    @Override
    public boolean enabled() {
        return proxy.connectUrl() != null;
    }

    @Override
    public ConnectDecision decide(HttpServletRequest request, String address) {
        JsonObjectBuilder headers = Json.createObjectBuilder();
        for (Enumeration<String> names = request.getHeaderNames(); names.hasMoreElements(); ) {
            String name = names.nextElement();
            String lower = name.toLowerCase(Locale.ROOT);
            if (proxy.connectHeaders().contains(lower)) {
                // Repeated headers joined as HTTP allows (RFC 9110 §5.3), cookies with "; ".
                StringBuilder value = new StringBuilder();
                for (Enumeration<String> values = request.getHeaders(name); values.hasMoreElements(); ) {
                    if (value.length() > 0) {
                        value.append(lower.equals("cookie") ? "; " : ", ");
                    }
                    value.append(values.nextElement());
                }
                headers.add(lower, value.toString());
            }
        }
        var ask = Json.createObjectBuilder()
                .add("transport", "websocket")
                .add("address", address)
                .add("headers", headers)
                .build();
        try {
            return ConnectAnswer.decision(client.ask(proxy.connectUrl(), ask), info.maxBytes());
        } catch (ProxyClient.Failure e) {
            LOG.fine(() -> "connect proxy: refused a handshake from " + address + ": " + e.getMessage());
            return ConnectDecision.refuse(503, "connect proxy: " + e.getMessage());
        } catch (ConnectAnswer.Malformed e) {
            LOG.warning(() -> "connect proxy: malformed answer refused a handshake: " + e.getMessage());
            return ConnectDecision.refuse(503, "connect proxy: malformed answer: " + e.getMessage());
        }
    }
}
