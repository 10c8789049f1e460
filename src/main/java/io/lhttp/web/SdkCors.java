package io.lhttp.web;

import io.lhttp.config.LhttpConfig;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * CORS headers on the JS SDK's static files, so that a page on another origin can load
 * {@code /lhttp.js} (e.g. {@code <script type="module" src="https://chat.example.com/lhttp.js">}):
 * {@code lhttp.sdk.cors-origins} says which origins, {@code *} by default (the files are public
 * code; no credentials are ever allowed). Nothing else of the server is affected.
 */
@WebFilter(
        filterName = "lhttp-sdk-cors",
        urlPatterns = {"/lhttp.js", "/lhttp-compat.js", "/lhttp.d.ts"})
public class SdkCors extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = Logger.getLogger(SdkCors.class.getName());

    @Inject
    transient LhttpConfig config;

    private transient Rule rule;

    @Override
    public void init() {
        rule = Rule.parse(config.sdkCorsOrigins());
        LOG.info(() -> LhttpConfig.SDK_CORS_ORIGINS + "=" + rule + " for /lhttp.js, /lhttp-compat.js, /lhttp.d.ts");
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String allow = rule.allow(request.getHeader("Origin"));
        if (allow != null) {
            response.setHeader("Access-Control-Allow-Origin", allow);
        }
        if (!rule.any()) {
            response.addHeader("Vary", "Origin"); // the answer depends on the Origin: caches must keep them apart
        }
        chain.doFilter(request, response);
    }

    /** Which origins get the header: any ("*"), these, or none (""). */
    record Rule(boolean any, Set<String> origins) {

        static Rule parse(String value) {
            String v = value == null ? "" : value.trim();
            if (v.equals("*")) {
                return new Rule(true, Set.of());
            }
            return new Rule(
                    false,
                    Arrays.stream(v.split("\\s+"))
                            .filter(s -> !s.isEmpty())
                            .map(Rule::normalise)
                            .collect(Collectors.toUnmodifiableSet()));
        }

        /** The Access-Control-Allow-Origin value for a request from {@code origin}, or null for none. */
        String allow(String origin) {
            if (any) {
                return "*";
            }
            return origin != null && origins.contains(normalise(origin)) ? origin : null;
        }

        private static String normalise(String origin) {
            String o = origin.trim().toLowerCase(java.util.Locale.ROOT);
            return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
        }

        @Override
        public String toString() {
            return any ? "*" : origins.isEmpty() ? "(none)" : String.join(" ", origins);
        }
    }
}
