package io.lhttp.metrics;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code GET /lhttp/metrics} (Prometheus text) and {@code GET /lhttp/status} (the same JSON as
 * {@link StatusResource}'s {@code GET /publish/status}, kept for scripts), behind
 * {@link OperatorGuard}; 404 with {@code lhttp.metrics.enabled=false}. Described in OpenAPI by
 * {@code META-INF/openapi.yaml}, as annotations describe only JAX-RS resources.
 *
 * <p>A servlet rather than JAX-RS: JAX-RS serves only under {@code /publish}, and a second JAX-RS
 * application would need the first to list its classes, and then TomEE no longer serves
 * MicroProfile Health under {@code /publish/health}.
 */
@WebServlet(
        name = "lhttp-status",
        urlPatterns = {"/lhttp/metrics", "/lhttp/status"})
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Prometheus text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    transient LhttpMetrics metrics;

    @Inject
    transient StatusDocument status;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!metrics.enabled()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setHeader("Cache-Control", "no-store");
        if (request.getServletPath().endsWith("/metrics")) {
            write(response, PROMETHEUS_TEXT, metrics.scrape());
        } else {
            write(response, "application/json", status.json());
        }
    }

    private static void write(HttpServletResponse response, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType(type);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
