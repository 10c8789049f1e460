package io.lhttp.metrics;

import io.lhttp.admission.AdmissionConfig;
import io.lhttp.config.LhttpConfig;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Who may read {@code /lhttp/metrics}, {@code /lhttp/status}, {@code /publish/status} and the
 * container's {@code /openapi} (where the container serves it inside this web application: Payara
 * Micro with the WAR at the context root, TomEE; WildFly serves it outside, see
 * {@code server-config/wildfly.sh}): with {@code lhttp.publish.token}
 * set, whoever sends it as {@code Authorization: Bearer} (401 otherwise); without it, clients on
 * this host only (403 otherwise) unless {@code lhttp.status.allow-remote-without-token}. The same
 * rule as {@code /publish}: the figures and the configuration are the operator's.
 */
@WebFilter(
        filterName = "lhttp-operator-guard",
        urlPatterns = {"/lhttp/*", "/publish/status", "/openapi", "/openapi/*"})
public class OperatorGuard implements jakarta.servlet.Filter {

    private static final String BEARER = "Bearer ";

    @Inject
    LhttpConfig config;

    @Inject
    AdmissionConfig admission;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest in = (HttpServletRequest) request;
        HttpServletResponse out = (HttpServletResponse) response;
        String token = config.publishToken();
        if (!token.isEmpty()) {
            if (bearerMatches(in.getHeader("Authorization"), token)) {
                chain.doFilter(request, response);
            } else {
                out.setHeader("WWW-Authenticate", "Bearer realm=\"lhttp\"");
                deny(
                        out,
                        HttpServletResponse.SC_UNAUTHORIZED,
                        "the lhttp.publish.token is required as a bearer token\n");
            }
            return;
        }
        // Behind a reverse proxy on this host every request comes from loopback: with the proxy in
        // lhttp.trusted-proxies, the client it names is the one judged.
        String client = admission.trustedProxies().clientAddress(in.getRemoteAddr(), in.getHeaders("X-Forwarded-For"));
        if (config.statusAllowRemote() || isLoopback(client)) {
            chain.doFilter(request, response);
            return;
        }
        deny(
                out,
                HttpServletResponse.SC_FORBIDDEN,
                "only this host may read this without lhttp.publish.token (see lhttp.status.allow-remote-without-token)\n");
    }

    private static void deny(HttpServletResponse out, int status, String text) throws IOException {
        out.setStatus(status);
        out.setContentType("text/plain;charset=UTF-8");
        out.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    }

    static boolean bearerMatches(String authorization, String token) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8)); // constant time
    }

    /** Whether an IP literal is a loopback address (no DNS lookup): the same rule as for {@code POST /publish}. */
    static boolean isLoopback(String address) {
        return io.lhttp.publish.PublishGuard.isLoopback(address);
    }
}
