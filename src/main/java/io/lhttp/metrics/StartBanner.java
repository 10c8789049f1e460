package io.lhttp.metrics;

import io.lhttp.channel.Bus;
import io.lhttp.config.LhttpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.util.logging.Logger;

/**
 * Says in a few lines what runs, once the application is up: where the pages and endpoints are
 * (relative to the container's URL, which Payara Micro logs itself), the bus, the main limits.
 */
@ApplicationScoped
public class StartBanner {

    private static final Logger LOG = Logger.getLogger(StartBanner.class.getName());

    @Inject
    LhttpConfig config;

    @Inject
    Bus bus;

    void started(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        String root = context.getContextPath();
        LOG.info(() -> "lhttp " + config.instanceName() + " runs: LHTTP over WebSocket at " + root + "/, chat demo "
                + root + "/, status page " + root + "/status.html, metrics " + root + "/lhttp/metrics, OpenAPI /openapi"
                + (config.metricsEnabled() ? "" : " (off: lhttp.metrics.enabled=false)") + ", POST " + root
                + "/publish (token " + (config.publishToken().isEmpty() ? "not set" : "set") + ")");
        LOG.info(() -> "lhttp bus: " + bus.describe() + "; limits: max-connections=" + config.maxConnections()
                + " (per address " + config.maxConnectionsPerAddress() + "), max-frame-bytes="
                + config.limits().maxFrameBytes() + ", max-messages-per-second=" + config.maxMessagesPerSecond()
                + ", send-queue=" + config.sendQueue() + " frames, slow-consumer=" + config.slowConsumer());
    }
}
