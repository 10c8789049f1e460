package io.lhttp.metrics;

import io.lhttp.channel.Bus;
import io.lhttp.config.LhttpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import org.eclipse.microprofile.config.Config;

/**
 * This instance's figures as the JSON the status page reads ({@code GET /publish/status}, also
 * {@code GET /lhttp/status}); its schema is {@code Status} in {@code META-INF/openapi.yaml}.
 */
@ApplicationScoped
public class StatusDocument {

    @Inject
    LhttpMetrics metrics;

    @Inject
    LhttpConfig config;

    @Inject
    Config mpConfig;

    @Inject
    Bus bus;

    /** Whether figures are kept at all ({@code lhttp.metrics.enabled}); the endpoints answer 404 otherwise. */
    public boolean enabled() {
        return metrics.enabled();
    }

    /** The document, built anew: counters are totals since start, the configuration with secrets as {@code ***}. */
    public String json() {
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
                .add(
                        "sse",
                        Json.createObjectBuilder()
                                .add("open", io.lhttp.meters.Meters.SSE_OPEN.get())
                                .add("opened", io.lhttp.meters.Meters.SSE_OPENED.sum()))
                .add(
                        "counters",
                        Json.createObjectBuilder()
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
                .add(
                        "sendQueue",
                        Json.createObjectBuilder()
                                .add("max", s.queueMax())
                                .add("p99", s.queueP99())
                                .add("frames", s.queued()))
                .add(
                        "bus",
                        Json.createObjectBuilder()
                                .add("describe", bus.describe())
                                .add("connected", bus.isConnected()))
                .add("config", cfg)
                .build()
                .toString();
    }
}
