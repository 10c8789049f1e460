package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hand-over from the servlet filter to the handshake, as every container runs it: the
 * upgrade happens inside the filter chain, on the filter's thread. (That the containers do so is
 * proven on Payara Micro by AdmissionIT.)
 */
class ClientAddressTest {

    private final ClientAddress.Filter filter = new ClientAddress.Filter();

    ClientAddressTest() {
        filter.admission = new AdmissionConfig(TrustedProxies.parse("10.0.0.0/8"));
        filter.open = new OpenConnectionsPerAddress();
        filter.memory = new io.lhttp.memory.MemoryConfig(new io.lhttp.memory.MemoryBudget(1 << 20));
    }

    @Test
    void theUpgradeRequestsAddressReachesTheSessionsProperties() throws Exception {
        assertEquals("203.0.113.5", handshake(request("203.0.113.5", "websocket", "6.6.6.6")));
        assertEquals("198.51.100.7", handshake(request("10.1.2.3", "websocket", "6.6.6.6, 198.51.100.7")));
    }

    @Test
    void nothingIsLeftOnTheThreadForTheNextRequest() throws Exception {
        handshake(request("203.0.113.5", "websocket", null));
        // A handshake that did not pass the filter (e.g. another container filter ran first) gets UNKNOWN.
        ServerEndpointConfig sec = config();
        new ClientAddress.Configurator().modifyHandshake(sec, null, null);
        assertEquals(ClientAddress.UNKNOWN, sec.getUserProperties().get(ClientAddress.PROPERTY));
    }

    @Test
    void plainHttpRequestsPassUntouched() throws Exception {
        String[] seen = {"not called"};
        filter.doFilter(request("203.0.113.5", null, null), null, (req, res) -> {
            ServerEndpointConfig sec = config();
            new ClientAddress.Configurator().modifyHandshake(sec, null, null);
            seen[0] = (String) sec.getUserProperties().get(ClientAddress.PROPERTY);
        });
        assertEquals(ClientAddress.UNKNOWN, seen[0]);
    }

    /** Runs the filter; inside its chain, the configurator's handshake; returns the session's address. */
    private String handshake(HttpServletRequest request) throws Exception {
        ServerEndpointConfig sec = config();
        FilterChain upgrade = (req, res) -> new ClientAddress.Configurator().modifyHandshake(sec, null, null);
        filter.doFilter(request, null, upgrade);
        return (String) sec.getUserProperties().get(ClientAddress.PROPERTY);
    }

    private static ServerEndpointConfig config() {
        return ServerEndpointConfig.Builder.create(Object.class, "/")
                .configurator(new ServerEndpointConfig.Configurator() {})
                .build();
    }

    /** The few request methods the filter reads; a stand-in, since no servlet container runs here. */
    private static HttpServletRequest request(String peer, String upgrade, String forwardedFor) {
        Map<String, Object> answers = Map.of("getRemoteAddr", peer);
        return (HttpServletRequest) Proxy.newProxyInstance(
                ClientAddressTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> answers.get("getRemoteAddr");
                    case "getHeader" -> "Upgrade".equalsIgnoreCase((String) args[0]) ? upgrade : null;
                    case "getHeaders" ->
                        "X-Forwarded-For".equalsIgnoreCase((String) args[0]) && forwardedFor != null
                                ? Collections.enumeration(List.of(forwardedFor))
                                : "Upgrade".equalsIgnoreCase((String) args[0]) && upgrade != null
                                        ? Collections.enumeration(List.of(upgrade))
                                        : Collections.emptyEnumeration();
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
