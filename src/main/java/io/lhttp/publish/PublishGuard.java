package io.lhttp.publish;

import io.lhttp.admission.AdmissionConfig;
import io.lhttp.config.LhttpConfig;
import io.lhttp.security.SecurityConfig;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

/**
 * Secure default of the publish API (docs/SECURITY.md): without {@code lhttp.publish.token},
 * only clients on this host may use {@code /publish} (others get 403), so that a server started
 * on all interfaces for its WebSocket does not let the network publish to every channel. With a
 * token, the resource itself asks for it; {@code lhttp.publish.allow-remote-without-token=true}
 * reopens it to all as the original did. Behind a reverse proxy on this host every request comes
 * from loopback: then {@code lhttp.trusted-proxies} must name the proxy, so that its
 * {@code X-Forwarded-For} decides.
 */
@WebFilter(filterName = "lhttp-publish-guard", urlPatterns = "/publish/*")
public class PublishGuard implements jakarta.servlet.Filter {

    private static final java.util.Set<String> SAFE_METHODS = java.util.Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    LhttpConfig config;

    @Inject
    SecurityConfig security;

    @Inject
    AdmissionConfig admission;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest in = (HttpServletRequest) request;
        // A page on another site may POST text/plain here without a CORS preflight (a "simple"
        // request), and a browser on this host is on loopback: refuse what its Origin or
        // Sec-Fetch-Site says comes from another site, whoever the client is (issue 18).
        if (!SAFE_METHODS.contains(in.getMethod())
                && security.allowedOrigins()
                        .refusesCrossSiteWrite(
                                in.getHeader("Origin"), in.getHeader("Sec-Fetch-Site"), in.getHeader("Host"))) {
            HttpServletResponse out = (HttpServletResponse) response;
            out.setStatus(HttpServletResponse.SC_FORBIDDEN);
            out.setContentType("text/plain;charset=UTF-8");
            out.getOutputStream()
                    .write("publishing from a page of another origin is not allowed (lhttp.allowed-origins)\n"
                            .getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!config.publishToken().isEmpty() || config.publishAllowRemote() || isLoopback(clientAddress(request))) {
            chain.doFilter(request, response);
            return;
        }
        HttpServletResponse out = (HttpServletResponse) response;
        out.setStatus(HttpServletResponse.SC_FORBIDDEN);
        out.setContentType("text/plain;charset=UTF-8");
        out.getOutputStream()
                .write("publishing from another host needs lhttp.publish.token\n".getBytes(StandardCharsets.UTF_8));
    }

    /** The client's address after the {@code lhttp.trusted-proxies} rule, as for WebSocket connections. */
    private String clientAddress(ServletRequest request) {
        HttpServletRequest http = (HttpServletRequest) request;
        return admission
                .trustedProxies()
                .clientAddress(request.getRemoteAddr(), Collections.list(http.getHeaders("X-Forwarded-For")));
    }

    /** Whether an IP literal is a loopback address; a name or garbage is not (no DNS lookup). */
    public static boolean isLoopback(String address) {
        if (address == null || address.isEmpty()) {
            return false;
        }
        String a =
                address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
        if (!(a.indexOf(':') >= 0 || a.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')))) {
            return false;
        }
        try {
            return InetAddress.getByName(a).isLoopbackAddress(); // a literal: parsed, not resolved
        } catch (IOException e) {
            return false;
        }
    }
}
