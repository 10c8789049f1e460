package io.lhttp.metrics;

import io.lhttp.channel.Bus;
import io.lhttp.config.LhttpConfig;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.Config;

/**
 * {@code GET /lhttp/metrics} (Prometheus text) and {@code GET /lhttp/status} (JSON for
 * {@code /status.html}), behind {@link OperatorGuard}; 404 with {@code lhttp.metrics.enabled=false}.
 * Described in OpenAPI by {@code META-INF/openapi.yaml}.
 *
 * <p>A servlet rather than JAX-RS: a second JAX-RS application would need the first to list its
 * classes, and then TomEE no longer serves MicroProfile Health under {@code /publish/health}.
 */
@WebServlet(name = "lhttp-status", urlPatterns = {"/lhttp/metrics", "/lhttp/status"})
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** Prometheus text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    transient LhttpMetrics metrics;

    @Inject
    transient LhttpConfig config;

    @Inject
    transient Config mpConfig;

    @Inject
    transient Bus bus;

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
            write(response, "application/json", status());
        }
    }

    private static void write(HttpServletResponse response, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType(type);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private String status() {
        LhttpMetrics.Snapshot s = metrics.snapshot();
        JsonObjectBuilder errors = Json.createObjectBuilder();
        metrics.errorsByCode().forEach((code, n) -> errors.add(Integer.toString(code), n));
        JsonObjectBuilder cfg = Json.createObjectBuilder();
        EffectiveConfig.of(mpConfig, config).forEach(cfg::add);
        return Json.createObjectBuilder()
                .add("instance", config.instanceName())
                .add("time", System.currentTimeMillis())
                .add("uptimeSeconds", metrics.uptimeSeconds())
                .add("connections", s.connections())
                .add("channels", s.channels())
                .add("counters", Json.createObjectBuilder()
                        .add("opened", s.opened())
                        .add("refused", s.refused())
                        .add("received", s.received())
                        .add("published", s.published())
                        .add("delivered", s.delivered())
                        .add("dropped", s.dropped())
                        .add("closedSlow", s.closedSlow())
                        .add("errors", s.errors())
                        .add("natsReconnects", s.natsReconnects()))
                .add("errorsByCode", errors)
                .add("sendQueue", Json.createObjectBuilder()
                        .add("max", s.queueMax()).add("p99", s.queueP99()).add("frames", s.queued()))
                .add("bus", Json.createObjectBuilder()
                        .add("describe", bus.describe()).add("connected", bus.isConnected()))
                .add("config", cfg)
                .build().toString();
    }
}
