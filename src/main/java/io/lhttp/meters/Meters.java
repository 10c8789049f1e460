package io.lhttp.meters;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters the connection, channel, bus and upstream code bump, as plain {@link LongAdder}s:
 * on the hot path one striped increment and nothing else (no registry, no tag lookup, no
 * allocation). {@code io.lhttp.metrics.LhttpMetrics} exposes them to Micrometer as function counters read at
 * scrape time. With {@code lhttp.metrics.enabled=false} every hook is a no-op behind one field read.
 *
 * <p>Static because the connection classes are not CDI beans; the WAR's class loader scopes them
 * to one deployment.
 */
public final class Meters {

    /**
     * Why a connection was refused or cut by an admission rule (tag {@code reason}, the name in
     * lower case): at open {@code FULL} ({@code lhttp.max-connections}), {@code PER_ADDRESS},
     * {@code SHUTTING_DOWN}; at the handshake, before the upgrade, {@code ORIGIN} (403,
     * {@code lhttp.allowed-origins}), {@code TOKEN_EXPIRED} and {@code TOKEN_INVALID} (401, any
     * other refused token); on an open connection {@code INBOUND_BUDGET} (1013,
     * {@code lhttp.inbound-buffer-total-bytes}) and {@code FRAME_TIMEOUT} (1008,
     * {@code lhttp.frame-timeout-ms}), and {@code MEMORY_BUDGET} (issue 18,
     * {@code lhttp.memory.budget-bytes}: a new connection refused with 1013 near full, a connection
     * cut over its fair share, an HTTP publish answered 503). Other reasons may be added by other features.
     */
    public enum Refusal {
        FULL,
        PER_ADDRESS,
        SHUTTING_DOWN,
        ORIGIN,
        TOKEN_EXPIRED,
        TOKEN_INVALID,
        INBOUND_BUDGET,
        FRAME_TIMEOUT,
        MEMORY_BUDGET,
        CONNECT_PROXY
    }

    /** How an upstream call ended. */
    public enum Upstream {
        OK,
        CLIENT_ERROR,
        SERVER_ERROR,
        TIMEOUT,
        TOO_LARGE,
        FAILED
    }

    /** Most distinct codes counted (error frames, HTTP statuses); others are counted as code 0. */
    public static final int MAX_CODES = 64;

    public static volatile boolean enabled = true;

    public static final LongAdder OPENED = new LongAdder();
    public static final LongAdder[] REFUSED = adders(Refusal.values().length);
    public static final LongAdder RECEIVED = new LongAdder();
    public static final LongAdder PUBLISHED = new LongAdder();
    public static final LongAdder FANOUTS = new LongAdder();
    public static final LongAdder DELIVERED = new LongAdder();
    public static final LongAdder DROPPED = new LongAdder();
    public static final LongAdder CLOSED_SLOW = new LongAdder();
    public static final LongAdder NATS_RECONNECTS = new LongAdder();
    public static final ConcurrentHashMap<Integer, LongAdder> ERRORS = new ConcurrentHashMap<>();
    public static final ConcurrentHashMap<Integer, LongAdder> HTTP_PUBLISH = new ConcurrentHashMap<>();
    /** Told when a code is seen for the first time, so that its counter gets registered. */
    public static volatile java.util.function.BiConsumer<String, Integer> newCode = (kind, code) -> {};

    public static volatile UpstreamRecorder upstream = (outcome, nanos) -> {};

    private Meters() {}

    /** Records an upstream call's outcome and duration (set by {@code io.lhttp.metrics.LhttpMetrics}). */
    @FunctionalInterface
    public interface UpstreamRecorder {
        void record(Upstream outcome, long nanos);
    }

    /** SSE streams (io.lhttp.sse) open now, and accepted since start. */
    public static final java.util.concurrent.atomic.AtomicInteger SSE_OPEN =
            new java.util.concurrent.atomic.AtomicInteger();

    public static final LongAdder SSE_OPENED = new LongAdder();

    /** An SSE stream was accepted (kept even with metrics off: the open count is also a gauge of work). */
    public static void sseOpened() {
        SSE_OPEN.incrementAndGet();
        SSE_OPENED.increment();
    }

    /** An accepted SSE stream ended. */
    public static void sseClosed() {
        SSE_OPEN.decrementAndGet();
    }

    /** A connection was accepted. */
    public static void opened() {
        if (enabled) {
            OPENED.increment();
        }
    }

    /** A connection was refused at the handshake or at open, or cut by an admission rule. */
    public static void refused(Refusal reason) {
        if (enabled) {
            REFUSED[reason.ordinal()].increment();
        }
    }

    /** A client frame was read and handed to dispatch. */
    public static void received() {
        if (enabled) {
            RECEIVED.increment();
        }
    }

    /** A frame was published to one channel (by a client or POST /publish) through the bus. */
    public static void published() {
        if (enabled) {
            PUBLISHED.increment();
        }
    }

    /** The bus handed a frame to a local channel, which sends it to {@code subscribers} connections. */
    public static void fannedOut(int subscribers) {
        if (enabled) {
            FANOUTS.increment();
            DELIVERED.add(subscribers);
        }
    }

    /** The drop policy dropped a queued frame. */
    public static void dropped() {
        if (enabled) {
            DROPPED.increment();
        }
    }

    /** The close policy closed a connection whose send queue was full. */
    public static void closedSlow() {
        if (enabled) {
            CLOSED_SLOW.increment();
        }
    }

    /** The NATS connection came back after a loss. */
    public static void natsReconnected() {
        if (enabled) {
            NATS_RECONNECTS.increment();
        }
    }

    /** An error frame with this code was sent to a client. */
    public static void errorFrame(int code) {
        if (enabled) {
            count(ERRORS, "error", code);
        }
    }

    /** POST /publish answered with this status. */
    public static void httpPublish(int status) {
        if (enabled) {
            count(HTTP_PUBLISH, "http", status);
        }
    }

    /** An upstream call ended; {@code nanos} from start to outcome. */
    public static void upstream(Upstream outcome, long nanos) {
        if (enabled) {
            upstream.record(outcome, nanos);
        }
    }

    private static void count(ConcurrentHashMap<Integer, LongAdder> byCode, String kind, int code) {
        LongAdder adder = byCode.get(code);
        if (adder == null) {
            // Codes come from our own code, but stay bounded whatever happens.
            int key = code >= 100 && code <= 999 && byCode.size() < MAX_CODES ? code : 0;
            adder = byCode.computeIfAbsent(key, k -> new LongAdder());
            if (adder.sum() == 0) {
                newCode.accept(kind, key);
            }
        }
        adder.increment();
    }

    private static LongAdder[] adders(int n) {
        LongAdder[] a = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }
}
