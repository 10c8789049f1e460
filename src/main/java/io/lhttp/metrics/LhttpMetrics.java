package io.lhttp.metrics;

import io.lhttp.channel.Bus;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.config.LhttpConfig;
import io.lhttp.connection.Connections;
import io.lhttp.memory.MemoryConfig;
import io.lhttp.meters.Meters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * lhttp's metrics in a Micrometer Prometheus registry, served at {@code GET /lhttp/metrics}
 * (docs/OPERATING.md). The counters are {@link Meters}' adders read at scrape time; the
 * gauges ask the connection and channel registries; only the upstream latency is a Micrometer
 * timer (recorded once per upstream call, never per message).
 */
@ApplicationScoped
public class LhttpMetrics {

    /** How long the send-queue depth figures are reused: scrapes and the status page share one pass. */
    private static final long DEPTH_CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    @Inject
    LhttpConfig config;

    @Inject
    MemoryConfig memory;

    @Inject
    Connections connections;

    @Inject
    ChannelRegistry channels;

    @Inject
    Bus bus;

    private PrometheusMeterRegistry registry;
    private JvmGcMetrics gc;
    private final long startedNanos = System.nanoTime();
    private volatile long depthAt;
    private volatile int[] depth = {0, 0, 0, 0}; // max, p50, p99, total

    void start(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Meters.enabled = config.metricsEnabled();
        if (!config.metricsEnabled()) {
            return;
        }
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().commonTags("instance_name", config.instanceName());
        Gauge.builder("lhttp.connections.open", connections, Connections::count)
                .description("WebSocket connections open now")
                .register(r);
        counter(r, "lhttp.connections.opened", Meters.OPENED, "connections accepted");
        Gauge.builder("lhttp.sse.streams.open", Meters.SSE_OPEN, java.util.concurrent.atomic.AtomicInteger::get)
                .description("SSE streams (GET /events) open now")
                .register(r);
        counter(r, "lhttp.sse.streams.opened", Meters.SSE_OPENED, "SSE streams accepted");
        for (Meters.Refusal reason : Meters.Refusal.values()) {
            FunctionCounter.builder("lhttp.connections.refused", Meters.REFUSED[reason.ordinal()], LongAdder::sum)
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description(
                            "connections refused at the handshake or at open, or cut by an admission rule, by reason")
                    .register(r);
        }
        Gauge.builder("lhttp.channels.subscribed", channels, ChannelRegistry::channelCount)
                .description("channels with at least one subscriber on this instance")
                .register(r);
        counter(r, "lhttp.messages.received", Meters.RECEIVED, "frames received from clients");
        counter(
                r,
                "lhttp.messages.published",
                Meters.PUBLISHED,
                "frames published to a channel (per channel) by clients and POST /publish");
        counter(r, "lhttp.messages.fanned.out", Meters.FANOUTS, "frames the bus handed to a local channel");
        counter(r, "lhttp.messages.delivered", Meters.DELIVERED, "frames queued to subscribers (one per subscriber)");
        counter(r, "lhttp.frames.dropped", Meters.DROPPED, "frames dropped by the slow-consumer drop policy");
        counter(
                r,
                "lhttp.connections.closed.slow",
                Meters.CLOSED_SLOW,
                "connections closed by the slow-consumer close policy");
        counter(r, "lhttp.nats.reconnects", Meters.NATS_RECONNECTS, "NATS reconnections after a loss");
        Gauge.builder("lhttp.bus.connected", bus, b -> b.isConnected() ? 1 : 0)
                .description("1 when the bus can publish (always for the in-process bus)")
                .register(r);
        Gauge.builder("lhttp.send.queue.depth.max", this, m -> m.depth()[0])
                .description("deepest send queue of all connections, frames")
                .register(r);
        Gauge.builder("lhttp.send.queue.depth.p50", this, m -> m.depth()[1])
                .description("median send queue depth over connections, frames")
                .register(r);
        Gauge.builder("lhttp.send.queue.depth.p99", this, m -> m.depth()[2])
                .description("99th percentile send queue depth over connections, frames")
                .register(r);
        Gauge.builder("lhttp.send.queue.frames", this, m -> m.depth()[3])
                .description("frames queued for all connections")
                .register(r);
        io.lhttp.memory.MemoryBudget budget = memory.memoryBudget();
        Gauge.builder("lhttp.memory.budget.limit", budget, io.lhttp.memory.MemoryBudget::limit)
                .baseUnit("bytes")
                .description("the memory budget (lhttp.memory.budget-bytes)")
                .register(r);
        for (io.lhttp.memory.MemoryBudget.Use use : io.lhttp.memory.MemoryBudget.Use.values()) {
            Gauge.builder("lhttp.memory.budget.used", budget, b -> b.used(use))
                    .baseUnit("bytes")
                    .tag("use", use.name().toLowerCase(Locale.ROOT))
                    .description("bytes counted in the memory budget now, by what holds them")
                    .register(r);
        }
        Timer[] timers = new Timer[Meters.Upstream.values().length];
        for (Meters.Upstream outcome : Meters.Upstream.values()) {
            timers[outcome.ordinal()] = Timer.builder("lhttp.upstream.calls")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .description("upstream HTTP calls by outcome, with their latency")
                    .serviceLevelObjectives(
                            Duration.ofMillis(5),
                            Duration.ofMillis(10),
                            Duration.ofMillis(25),
                            Duration.ofMillis(50),
                            Duration.ofMillis(100),
                            Duration.ofMillis(250),
                            Duration.ofMillis(500),
                            Duration.ofSeconds(1),
                            Duration.ofMillis(2500),
                            Duration.ofSeconds(5),
                            Duration.ofSeconds(10))
                    .register(r);
        }
        Meters.upstream = (outcome, nanos) -> timers[outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        Meters.ERRORS.forEach((code, adder) -> codeCounter(r, "error", code));
        Meters.HTTP_PUBLISH.forEach((code, adder) -> codeCounter(r, "http", code));
        Meters.newCode = (kind, code) -> codeCounter(r, kind, code);
        new JvmMemoryMetrics().bindTo(r);
        new JvmThreadMetrics().bindTo(r);
        gc = new JvmGcMetrics();
        gc.bindTo(r);
        new ProcessorMetrics().bindTo(r);
        new UptimeMetrics().bindTo(r);
        registry = r;
    }

    @PreDestroy
    void stop() {
        Meters.newCode = (kind, code) -> {};
        Meters.upstream = (outcome, nanos) -> {};
        if (gc != null) {
            gc.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    /** Whether metrics are collected ({@code lhttp.metrics.enabled}). */
    public boolean enabled() {
        return registry != null;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry == null ? "" : registry.scrape();
    }

    /** Seconds since this bean started (about the application's start). */
    public long uptimeSeconds() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedNanos);
    }

    /** A snapshot of the figures the status page shows. */
    public Snapshot snapshot() {
        int[] d = depth();
        return new Snapshot(
                connections.count(),
                channels.channelCount(),
                Meters.OPENED.sum(),
                Arrays.stream(Meters.REFUSED).mapToLong(LongAdder::sum).sum(),
                Meters.RECEIVED.sum(),
                Meters.PUBLISHED.sum(),
                Meters.DELIVERED.sum(),
                Meters.DROPPED.sum(),
                Meters.CLOSED_SLOW.sum(),
                Meters.ERRORS.values().stream().mapToLong(LongAdder::sum).sum(),
                Meters.NATS_RECONNECTS.sum(),
                d[0],
                d[2],
                d[3]);
    }

    /** Figures of this instance; counters are totals since start. */
    public record Snapshot(
            int connections,
            int channels,
            long opened,
            long refused,
            long received,
            long published,
            long delivered,
            long dropped,
            long closedSlow,
            long errors,
            long natsReconnects,
            int queueMax,
            int queueP99,
            int queued) {}

    /** Error frames sent, by code, since start. */
    public java.util.Map<Integer, Long> errorsByCode() {
        java.util.Map<Integer, Long> out = new java.util.TreeMap<>();
        Meters.ERRORS.forEach((code, adder) -> out.put(code, adder.sum()));
        return out;
    }

    private int[] depth() {
        long now = System.nanoTime();
        if (now - depthAt > DEPTH_CACHE_NANOS) {
            int[] all = connections.queueDepths();
            Arrays.sort(all);
            long total = 0;
            for (int n : all) {
                total += n;
            }
            depth = all.length == 0
                    ? new int[] {0, 0, 0, 0}
                    : new int[] {
                        all[all.length - 1],
                        all[(all.length - 1) / 2],
                        all[(int) Math.ceil(all.length * 0.99) - 1],
                        (int) Math.min(Integer.MAX_VALUE, total)
                    };
            depthAt = now;
        }
        return depth;
    }

    private static void counter(MeterRegistry r, String name, LongAdder adder, String description) {
        FunctionCounter.builder(name, adder, LongAdder::sum)
                .description(description)
                .register(r);
    }

    private static void codeCounter(MeterRegistry r, String kind, int code) {
        LongAdder adder = ("error".equals(kind) ? Meters.ERRORS : Meters.HTTP_PUBLISH).get(code);
        if (adder == null) {
            return;
        }
        if ("error".equals(kind)) {
            FunctionCounter.builder("lhttp.error.frames", adder, LongAdder::sum)
                    .tag("code", Integer.toString(code))
                    .description("error frames sent to clients, by code (0: other)")
                    .register(r);
        } else {
            FunctionCounter.builder("lhttp.http.publish", adder, LongAdder::sum)
                    .tag("status", Integer.toString(code))
                    .description("POST /publish requests, by response status")
                    .register(r);
        }
    }
}
