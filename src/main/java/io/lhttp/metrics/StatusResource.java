package io.lhttp.metrics;

import io.lhttp.channel.Bus;
import io.lhttp.config.LhttpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /lhttp/metrics} (Prometheus text) and {@code GET /lhttp/status} (JSON for
 * {@code /status.html}). Both behind {@link OperatorGuard}; 404 with {@code lhttp.metrics.enabled=false}.
 */
@Path("/")
@ApplicationScoped
@Tag(name = "operations", description = "this instance's figures")
@SecurityScheme(securitySchemeName = "publishToken", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "lhttp.publish.token; without it only clients on the server's host are answered")
public class StatusResource {

    /** Prometheus text exposition format 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    @Inject
    LhttpMetrics metrics;

    @Inject
    LhttpConfig config;

    @Inject
    Config mpConfig;

    @Inject
    Bus bus;

    @GET
    @Path("metrics")
    @Produces(PROMETHEUS_TEXT)
    @Operation(summary = "lhttp's metrics in Prometheus text format",
            description = "Counters, gauges and the upstream latency histogram, names prefixed lhttp_; JVM figures jvm_, process_.")
    @APIResponse(responseCode = "200", description = "the exposition", content = @Content(mediaType = PROMETHEUS_TEXT))
    @APIResponse(responseCode = "401", description = "lhttp.publish.token is set and was not sent")
    @APIResponse(responseCode = "403", description = "no token is set and the client is not on this host")
    @APIResponse(responseCode = "404", description = "lhttp.metrics.enabled=false")
    @SecurityRequirement(name = "publishToken")
    public Response metrics() {
        if (!metrics.enabled()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        return Response.ok(metrics.scrape(), PROMETHEUS_TEXT).build();
    }

    @GET
    @Path("status")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "this instance's figures now, for the status page",
            description = "Counters are totals since start (the page derives rates); the configuration is the effective one, secrets masked.")
    @APIResponse(responseCode = "200", description = "the figures", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = StatusDocument.class)))
    @APIResponse(responseCode = "401", description = "lhttp.publish.token is set and was not sent")
    @APIResponse(responseCode = "403", description = "no token is set and the client is not on this host")
    @APIResponse(responseCode = "404", description = "lhttp.metrics.enabled=false")
    @SecurityRequirement(name = "publishToken")
    public Response status() {
        if (!metrics.enabled()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        LhttpMetrics.Snapshot s = metrics.snapshot();
        JsonObjectBuilder errors = Json.createObjectBuilder();
        metrics.errorsByCode().forEach((code, n) -> errors.add(Integer.toString(code), n));
        JsonObjectBuilder cfg = Json.createObjectBuilder();
        EffectiveConfig.of(mpConfig, config).forEach(cfg::add);
        String json = Json.createObjectBuilder()
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
        return Response.ok(json, MediaType.APPLICATION_JSON).header("Cache-Control", "no-store").build();
    }

    /** The shape of {@code GET /lhttp/status}, for the OpenAPI document only. */
    @Schema(name = "Status")
    public static final class StatusDocument {
        @Schema(description = "lhttp.instance-name") public String instance;
        @Schema(description = "server time, ms since the epoch") public long time;
        public long uptimeSeconds;
        @Schema(description = "WebSocket connections open now") public int connections;
        @Schema(description = "channels with a local subscriber") public int channels;
        @Schema(description = "totals since start: opened, refused, received, published, delivered, dropped, closedSlow, errors, natsReconnects")
        public Map<String, Long> counters;
        @Schema(description = "error frames sent, by code") public Map<String, Long> errorsByCode;
        @Schema(description = "send-queue depth over connections: max, p99, frames (total)") public Map<String, Integer> sendQueue;
        @Schema(description = "describe (text) and connected (boolean)") public Map<String, Object> bus;
        @Schema(description = "effective lhttp.* configuration, secrets shown as ***") public Map<String, String> config;
    }
}
