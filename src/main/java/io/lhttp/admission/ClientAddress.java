package io.lhttp.admission;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.Session;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.io.IOException;

/**
 * The client address of a WebSocket connection, found portably. Jakarta WebSocket gives an
 * endpoint no remote address; the Servlet API does. So a servlet filter notes the upgrade
 * request's address (after the {@code lhttp.trusted-proxies} rule) for the current thread, the
 * endpoint's configurator copies it into the new session's user properties during the handshake,
 * and {@link #of(Session)} reads it from there.
 *
 * <p>Why this works on every container: each runs the WebSocket upgrade inside a servlet filter
 * it registers programmatically for {@code /*} and matched after the application's own filters
 * (Tyrus on Payara and GlassFish, Tomcat's {@code WsFilter}, Undertow's
 * {@code JsrWebSocketFilter}), calling {@code modifyHandshake} on the thread that runs that
 * filter; and each gives {@code modifyHandshake} a per-connection copy of the endpoint's user
 * properties that becomes the session's. When an address is missing all the same
 * ({@link #UNKNOWN}), per-address limits do not apply to that connection.
 */
public final class ClientAddress {

    /** The session user property holding the address. */
    public static final String PROPERTY = ClientAddress.class.getName();
    /** The address of a session whose handshake did not pass the filter. */
    public static final String UNKNOWN = "";

    private static final ThreadLocal<String> HANDSHAKE = new ThreadLocal<>();

    private ClientAddress() {}

    /** The client address of this session (an IP literal), or {@link #UNKNOWN}. */
    public static String of(Session session) {
        Object address = session.getUserProperties().get(PROPERTY);
        return address instanceof String s ? s : UNKNOWN;
    }

    /** Notes the address of WebSocket upgrade requests for the handshake that follows on this thread. */
    @WebFilter(filterName = "lhttp-client-address", urlPatterns = "/*", asyncSupported = true)
    public static class Filter implements jakarta.servlet.Filter {

        private static final RateLimitedLog WARNINGS =
                new RateLimitedLog(java.util.logging.Logger.getLogger(ClientAddress.class.getName()));

        @Inject
        AdmissionConfig admission;

        @Inject
        OpenConnectionsPerAddress open;

        @Inject
        io.lhttp.memory.MemoryConfig memory;

        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            if (!(request instanceof HttpServletRequest http) || !UpgradeAttempt.of(http)) {
                chain.doFilter(request, response);
                return;
            }
            String address = admission
                    .trustedProxies()
                    .clientAddress(request.getRemoteAddr(), http.getHeaders("X-Forwarded-For"));
            if (open.refuseForMemory(address, memory.memoryBudget())) {
                // Issue 18: refused before the upgrade, so the container never buffers a frame for it
                // (refused after it, an attacker's unfinished frame filled Tyrus's buffer meanwhile).
                WARNINGS.warning(
                        "refusing WebSocket upgrades from {0}: the memory budget is near full ({1})",
                        address, memory.memoryBudget());
                io.lhttp.meters.Meters.refused(io.lhttp.meters.Meters.Refusal.MEMORY_BUDGET);
                HttpServletResponse answer = (HttpServletResponse) response;
                answer.setHeader("Retry-After", "1");
                answer.sendError(
                        HttpServletResponse.SC_SERVICE_UNAVAILABLE, "server memory budget full: try again later");
                return;
            }
            HANDSHAKE.set(address);
            try {
                chain.doFilter(request, response);
            } finally {
                HANDSHAKE.remove();
            }
        }
    }

    /** The endpoint's configurator: hands the filter's note to the session. Endpoint instances still come from the container (CDI). */
    public static class Configurator extends ServerEndpointConfig.Configurator {

        @Override
        public void modifyHandshake(ServerEndpointConfig sec, HandshakeRequest request, HandshakeResponse response) {
            super.modifyHandshake(sec, request, response);
            String address = HANDSHAKE.get();
            sec.getUserProperties().put(PROPERTY, address == null ? UNKNOWN : address);
        }
    }
}
