package io.lhttp.security;

import io.lhttp.admission.UpgradeAttempt;
import io.lhttp.config.LhttpConfig;
import io.lhttp.connection.HandshakeConfigurator;
import io.lhttp.meters.Meters;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Checks WebSocket upgrade requests before the container upgrades them (docs/SECURITY.md):
 * a page from an origin {@code lhttp.allowed-origins} does not allow gets 403; with
 * {@code lhttp.auth=true} a token in the query parameter {@code token} or the
 * {@code lhttp.auth.cookie} cookie must be valid, else 401 (a handshake without a token goes on:
 * the client may authenticate with its first frame). The verified grant is handed to the
 * endpoint's configurator on this thread ({@link #takeGrant()}). A handshake without a token is
 * then decided by the enabled {@link ConnectDecider}, if any (the connect proxy, docs/PROXY.md):
 * allowed with a grant, denied (upgraded, then closed at open with the decider's close code), or
 * refused with the decider's HTTP status before the upgrade.
 *
 * <p>A servlet filter rather than {@code ServerEndpointConfig.Configurator.checkOrigin}: that
 * sees only the {@code Origin}, not the {@code Host} it is compared with, and cannot answer 401.
 * Every container runs the upgrade inside its own filter, after the application's.
 */
@WebFilter(filterName = "lhttp-handshake-guard", urlPatterns = "/*", asyncSupported = true)
public class HandshakeGuard implements jakarta.servlet.Filter {

    private static final Logger LOG = Logger.getLogger(HandshakeGuard.class.getName());

    /** The query parameter a token may come in. */
    public static final String TOKEN_PARAMETER = "token";

    private static final ThreadLocal<Grant> VERIFIED = new ThreadLocal<>();

    @Inject
    LhttpConfig config;

    @Inject
    SecurityConfig security;

    @Inject
    Authenticator authenticator;

    @Inject
    @jakarta.enterprise.inject.Any
    jakarta.enterprise.inject.Instance<ConnectDecider> deciders;

    @Inject
    io.lhttp.admission.AdmissionConfig admission;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!(request instanceof HttpServletRequest http)
                || !(response instanceof HttpServletResponse out)
                || !UpgradeAttempt.of(http)) {
            chain.doFilter(request, response);
            return;
        }
        String origin = http.getHeader("Origin");
        if (!security.allowedOrigins().allows(origin, http.getHeader("Host"))) {
            LOG.fine(() -> "handshake refused: origin " + origin + " not allowed");
            Meters.refused(Meters.Refusal.ORIGIN);
            refuse(out, HttpServletResponse.SC_FORBIDDEN, "origin not allowed");
            return;
        }
        Grant grant = null;
        if (authenticator.required()) {
            String token = token(http);
            if (token != null) {
                try {
                    grant = authenticator.verify(token);
                } catch (TokenException e) {
                    Meters.refused(e.expired() ? Meters.Refusal.TOKEN_EXPIRED : Meters.Refusal.TOKEN_INVALID);
                    out.setHeader("WWW-Authenticate", "Bearer realm=\"lhttp\", error=\"invalid_token\"");
                    refuse(out, HttpServletResponse.SC_UNAUTHORIZED, e.getMessage());
                    return;
                }
            }
        }
        Map<String, Object> handed = grant == null ? null : Map.of(Authentication.ATTRIBUTE, grant);
        ConnectDecider decider = grant == null ? decider() : null;
        if (decider != null) { // no token: the backend decides (docs/PROXY.md "Precedence")
            ConnectDecision d = decider.decide(
                    http,
                    admission.trustedProxies().clientAddress(http.getRemoteAddr(), http.getHeaders("X-Forwarded-For")));
            switch (d.kind()) {
                case REFUSE -> {
                    Meters.refused(Meters.Refusal.CONNECT_PROXY);
                    out.setHeader("Retry-After", "1");
                    refuse(out, d.httpStatus(), d.reason());
                    return;
                }
                case DENY -> {
                    Meters.refused(Meters.Refusal.CONNECT_PROXY);
                    handed = Map.of(
                            io.lhttp.connection.Connections.DENIED,
                            new jakarta.websocket.CloseReason(
                                    jakarta.websocket.CloseReason.CloseCodes.getCloseCode(d.closeCode()), d.reason()));
                }
                case ALLOW -> {
                    grant = d.grant();
                    java.util.HashMap<String, Object> attributes = new java.util.HashMap<>(d.attributes());
                    attributes.put(Authentication.ATTRIBUTE, grant);
                    handed = attributes;
                }
                default -> throw new IllegalStateException(d.kind().name());
            }
        }
        VERIFIED.set(grant);
        HandshakeConfigurator.handOver(handed);
        try {
            chain.doFilter(request, response);
        } finally {
            VERIFIED.remove();
            HandshakeConfigurator.handOver(null);
        }
    }

    /** The enabled connect decider (the connect proxy), or null. */
    private ConnectDecider decider() {
        for (ConnectDecider d : deciders) {
            if (d.enabled()) {
                return d;
            }
        }
        return null;
    }

    private String token(HttpServletRequest http) {
        String token = http.getParameter(TOKEN_PARAMETER);
        if (token != null && !token.isBlank()) {
            return token;
        }
        Cookie[] cookies = http.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(config.authCookie()) && !c.getValue().isBlank()) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static void refuse(HttpServletResponse out, int status, String reason) throws IOException {
        out.setStatus(status);
        // The client meant to speak WebSocket on this connection: what it sends next is not HTTP.
        // Closing after the answer keeps those bytes from being parsed as further requests (issue 18).
        out.setHeader("Connection", "close");
        out.setContentType("text/plain;charset=UTF-8");
        byte[] body = (reason + "\n").getBytes(StandardCharsets.UTF_8);
        out.setContentLength(body.length);
        out.getOutputStream().write(body);
    }

    /** The grant verified for the handshake running on this thread (null when none), for the endpoint's configurator. */
    public static Grant takeGrant() {
        return VERIFIED.get();
    }
}
