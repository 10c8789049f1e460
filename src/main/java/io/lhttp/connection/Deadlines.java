package io.lhttp.connection;

import io.lhttp.config.LhttpConfig;
import io.lhttp.metrics.Meters;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The deadlines of every open connection, checked by one sweeper thread rather than a timer per
 * connection: a frame must finish within {@code lhttp.frame-timeout-ms} of its first part; a
 * connection quiet for {@code lhttp.ping-interval-ms} is pinged; one from which nothing (no
 * frame, no pong) arrived for {@code lhttp.idle-timeout-ms} is closed with 1001. Also owns the
 * total budget for unfinished frames.
 *
 * <p>Container idle timeouts are not used (each session's is set to -1, see
 * {@link Containers#noIdleTimer}): Tyrus restarts its idle timer with a task on the
 * managed scheduled executor for every frame (docs/BENCHMARKS.md), and none of them pings.
 * Browsers answer pings by themselves, so the JS SDK needs nothing. A frame that Tyrus (Payara)
 * is still buffering is invisible to us, but nothing else can arrive behind it, pongs included,
 * so the idle deadline ends it there.
 */
@ApplicationScoped
public class Deadlines {

    private static final Logger LOG = Logger.getLogger(Deadlines.class.getName());
    private static final java.nio.ByteBuffer NO_DATA = java.nio.ByteBuffer.allocate(0);
    /** Sweep at least this often and at most this often, whatever the deadlines. */
    private static final long MIN_TICK_MS = 50;
    private static final long MAX_TICK_MS = 1000;

    @Inject
    LhttpConfig config;

    private final Set<Connection> watched = ConcurrentHashMap.newKeySet();
    private InboundBudget budget;
    private ScheduledThreadPoolExecutor sweeper;
    private long frameTimeoutNanos;
    private long pingIntervalNanos;
    private long idleTimeoutNanos;

    @PostConstruct
    void start() {
        budget = new InboundBudget(config.inboundBufferTotalBytes());
        frameTimeoutNanos = config.frameTimeout().toNanos();
        pingIntervalNanos = config.pingInterval().toNanos();
        idleTimeoutNanos = config.idleTimeout().toNanos();
        long tick = tick(config.frameTimeout(), config.pingInterval(), config.idleTimeout());
        sweeper = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "lhttp-deadlines");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, tick, tick, TimeUnit.MILLISECONDS);
    }

    /** A quarter of the shortest deadline, within [50 ms, 1 s]: a deadline is acted on at most that late. */
    static long tick(Duration... deadlines) {
        long shortest = Long.MAX_VALUE;
        for (Duration d : deadlines) {
            if (!d.isZero()) {
                shortest = Math.min(shortest, d.toMillis());
            }
        }
        return Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, shortest / 4));
    }

    @PreDestroy
    void stop() {
        sweeper.shutdownNow();
        watched.clear();
    }

    InboundBudget budget() {
        return budget;
    }

    void watch(Connection c) {
        watched.add(c);
    }

    void unwatch(Connection c) {
        watched.remove(c);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Connection c : watched) {
            try {
                check(c, now);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "deadline check failed for " + c, e);
            }
        }
    }

    private void check(Connection c, long now) {
        long started = c.frameStartedNanos();
        if (started != 0 && now - started > frameTimeoutNanos) {
            watched.remove(c);
            Meters.refused(Meters.Refusal.FRAME_TIMEOUT);
            c.close(CloseReason.CloseCodes.VIOLATED_POLICY,
                    "frame not completed within " + config.frameTimeout().toMillis() + " ms");
            return;
        }
        long quiet = now - c.lastReceivedNanos();
        if (idleTimeoutNanos > 0 && quiet > idleTimeoutNanos) {
            watched.remove(c);
            c.close(CloseReason.CloseCodes.GOING_AWAY,
                    "idle: nothing received for " + config.idleTimeout().toMillis() + " ms");
            return;
        }
        if (pingIntervalNanos > 0 && quiet >= pingIntervalNanos && now - c.lastPingNanos() >= pingIntervalNanos) {
            // Only when our writer is idle: a ping beside an outstanding send would be a second
            // writer on Tomcat, and a client with a backlog is the slow-consumer policy's business.
            if (c.sendIdle()) {
                c.pinged(now);
                c.ping(NO_DATA.duplicate());
            }
        }
    }
}
