package io.lhttp.connection;

import io.lhttp.config.LhttpConfig;
import io.lhttp.memory.MemoryBudget;
import io.lhttp.memory.MemoryConfig;
import io.lhttp.meters.Meters;
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

    @Inject
    MemoryConfig memory;

    @Inject
    Connections connections;

    private final Set<Connection> watched = ConcurrentHashMap.newKeySet();
    private InboundBudget budget;
    private ScheduledThreadPoolExecutor sweeper;
    private long frameTimeoutNanos;
    private long pingIntervalNanos;
    private long idleTimeoutNanos;
    private long pressureSince; // sweeper thread only
    /**
     * Under heap pressure: how long a connection may be quiet before it is pinged, and then take to
     * answer. One second: unfinished frames from a few hundred connections fill a 256 MiB heap in
     * seconds (issue 18, attack 4 ended a -Xmx256m server with 5 s here); a live client's pong takes
     * milliseconds (a browser's, the JDK client's, the SDK's: the WebSocket layer answers by itself).
     */
    static final long PRESSURE_GRACE_NANOS = 1_000_000_000L;

    private final java.util.concurrent.atomic.AtomicLong heapAfterGc = new java.util.concurrent.atomic.AtomicLong();
    private javax.management.NotificationListener gcListener;
    private static final io.lhttp.admission.RateLimitedLog WARNINGS = new io.lhttp.admission.RateLimitedLog(LOG);

    @PostConstruct
    void start() {
        budget = new InboundBudget(config.inboundBufferTotalBytes(), memory.memoryBudget());
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
        listenToCollections();
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
        stopListening();
        sweeper.shutdownNow();
        watched.clear();
    }

    InboundBudget budget() {
        return budget;
    }

    /** How long after its open callback a refused connection is closed: the container's upgrade is complete by then. */
    static final long REFUSED_CLOSE_DELAY_MS = 100;

    /** Closes a connection refused at open {@value #REFUSED_CLOSE_DELAY_MS} ms from now, on the sweeper (see {@link Connections}). */
    void closeRefused(Connection c, CloseReason.CloseCode code, String reason) {
        try {
            sweeper.schedule(() -> c.close(code, reason), REFUSED_CLOSE_DELAY_MS, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            c.close(code, reason); // the application is stopping: at once
        }
    }

    void watch(Connection c) {
        watched.add(c);
    }

    void unwatch(Connection c) {
        watched.remove(c);
    }

    /** A shed of connections awaiting their first frame is scheduled or running ({@link #shedSoon}). */
    private final java.util.concurrent.atomic.AtomicBoolean shedding = new java.util.concurrent.atomic.AtomicBoolean();
    /** While the budget stays over its limit and young unseen reserves remain, the shed runs again this often. */
    static final long SHED_RETRY_MS = 100;

    /**
     * The memory budget went over its limit (a new connection's reserve for an unseen frame, see
     * {@link Connections#open}): sheds on the sweeper thread at once, not at its next tick.
     */
    void shedSoon() {
        if (shedding.compareAndSet(false, true)) {
            try {
                sweeper.execute(this::shedRun);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                shedding.set(false);
            }
        }
    }

    private void shedRun() {
        boolean again = false;
        try {
            again = shedUnseen(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "shedding failed", e);
        } finally {
            if (again) {
                try {
                    sweeper.schedule(this::shedRun, SHED_RETRY_MS, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException stopped) {
                    shedding.set(false);
                }
            } else {
                shedding.set(false);
            }
        }
    }

    /**
     * Issue 18, attack 4: while the memory budget is over its limit, closes with 1013
     * ({@code memory_budget}) connections from which nothing has arrived for
     * {@link #PRESSURE_GRACE_NANOS} since they opened, newest first, until it is within its limit
     * again. Each holds a reserve for the frame the container may be buffering unseen
     * ({@link Connection#reserveUnseen}); a live client's first frame comes within milliseconds
     * and gives its reserve back, an attacker's unfinished one never comes.
     *
     * @return whether the budget is still over its limit with younger reserves left to judge later
     */
    boolean shedUnseen(long now) {
        MemoryBudget budget = memory.memoryBudget();
        if (!budget.over()) {
            return false;
        }
        java.util.List<Connection> old = new java.util.ArrayList<>();
        boolean young = false;
        for (Connection c : watched) {
            if (c.awaitingFirstFrame()) {
                if (now - c.openedNanos() >= PRESSURE_GRACE_NANOS) {
                    old.add(c);
                } else {
                    young = true;
                }
            }
        }
        old.sort(java.util.Comparator.comparingLong(Connection::openedNanos).reversed());
        int shed = 0;
        for (Connection c : old) {
            if (!budget.over()) {
                break;
            }
            if (!c.awaitingFirstFrame()) {
                continue; // its first frame arrived meanwhile
            }
            c.releaseUnseen();
            watched.remove(c);
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            c.close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "server memory budget full: no frame arrived");
            shed++;
        }
        if (shed > 0) {
            WARNINGS.warning(
                    "memory budget over its limit ({0}): closed {1} connections from which no frame arrived",
                    budget, shed);
        }
        return budget.over() && young;
    }

    private void sweep() {
        long now = System.nanoTime();
        shedUnseen(now);
        boolean pressure = underHeapPressure(now);
        for (Connection c : watched) {
            try {
                check(c, now);
                if (pressure && watched.contains(c)) {
                    checkAlive(c, now);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "deadline check failed for " + c, e);
            }
        }
    }

    /**
     * Issue 18: whether the heap is above {@value MemoryBudget#HEAP_PRESSURE_PERCENT} % used (told to
     * the memory budget, which then refuses new work). What the budget cannot count shows here: on
     * Payara, Tyrus buffers a frame whole before any handler of ours runs, so a connection holding
     * an unfinished frame is invisible to us, but also cannot answer a ping until the frame is done.
     */
    private boolean underHeapPressure(long now) {
        long max = Runtime.getRuntime().maxMemory();
        long live = heapAfterGc.get();
        boolean pressure = MemoryBudget.isPressure(live, max);
        MemoryBudget budget = memory.memoryBudget();
        if (pressure && !budget.heapPressure()) {
            pressureSince = now;
            WARNINGS.warning(
                    "heap {0} % used after the last collection: new connections wait, connections that do not"
                            + " answer a ping within {1} ms are closed",
                    live * 100 / max, PRESSURE_GRACE_NANOS / 1_000_000);
        }
        budget.heapPressure(pressure);
        return pressure;
    }

    /**
     * The heap in use right after each collection (what garbage does not inflate), from the JVM's
     * collection notifications. None on a JVM without them: then there is no pressure rule.
     */
    private void listenToCollections() {
        java.util.Set<String> heapPools = new java.util.HashSet<>();
        for (java.lang.management.MemoryPoolMXBean p : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        gcListener = (notification, handback) -> {
            if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(
                    notification.getType())) {
                return;
            }
            com.sun.management.GarbageCollectionNotificationInfo info =
                    com.sun.management.GarbageCollectionNotificationInfo.from(
                            (javax.management.openmbean.CompositeData) notification.getUserData());
            long used = 0;
            for (java.util.Map.Entry<String, java.lang.management.MemoryUsage> e :
                    info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            heapAfterGc.set(used);
        };
        try {
            for (java.lang.management.GarbageCollectorMXBean gc :
                    java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter emitter) {
                    emitter.addNotificationListener(gcListener, null, null);
                }
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.INFO, "no garbage-collection notifications: no heap-pressure rule", e);
        }
    }

    private void stopListening() {
        if (gcListener == null) {
            return;
        }
        for (java.lang.management.GarbageCollectorMXBean gc :
                java.lang.management.ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof javax.management.NotificationEmitter emitter) {
                try {
                    emitter.removeNotificationListener(gcListener);
                } catch (javax.management.ListenerNotFoundException | RuntimeException e) {
                    LOG.log(Level.FINE, "collection listener already gone", e);
                }
            }
        }
    }

    /**
     * Under heap pressure: a connection quiet for {@link #PRESSURE_GRACE_NANOS}, from an address
     * that holds {@link Connections#NEAR_FULL_PER_ADDRESS} connections or more, is pinged; one that
     * has not answered that ping within as long again is closed with 1013. A live client answers at
     * once (browsers by themselves); a connection stuck in the middle of a frame cannot. One whose
     * outstanding send has waited {@link #PRESSURE_GRACE_NANOS} for the container's acknowledgement
     * (its client stopped reading) is closed with 1013 at once.
     */
    private void checkAlive(Connection c, long now) {
        long quiet = now - c.lastReceivedNanos();
        if (quiet < PRESSURE_GRACE_NANOS) {
            return;
        }
        String address = c.remoteAddress();
        if (!address.equals(io.lhttp.admission.ClientAddress.UNKNOWN)
                && connections.count(address) < Connections.NEAR_FULL_PER_ADDRESS) {
            return; // a client with few connections is not what fills the heap; a slow answer must not cost it its chat
        }
        if (c.sendAwaitingFor(now) > PRESSURE_GRACE_NANOS) {
            // Issue 18, attack 3: a client that stopped reading cannot be pinged (a ping would be a
            // second writer beside the outstanding send), and its send has waited for a second.
            watched.remove(c);
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            c.close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "server memory low: the client does not read");
            return;
        }
        long pinged = c.lastPingNanos();
        if (pinged - pressureSince < 0 || pinged - c.lastReceivedNanos() < 0) {
            if (c.sendIdle()) {
                c.pinged(now);
                c.ping(NO_DATA.duplicate());
            }
        } else if (now - pinged > PRESSURE_GRACE_NANOS) {
            watched.remove(c);
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            c.close(CloseReason.CloseCodes.TRY_AGAIN_LATER, "server memory low: no answer to a ping");
        }
    }

    private void check(Connection c, long now) {
        long started = c.frameStartedNanos();
        if (started != 0 && now - started > frameTimeoutNanos) {
            watched.remove(c);
            Meters.refused(Meters.Refusal.FRAME_TIMEOUT);
            c.close(
                    CloseReason.CloseCodes.VIOLATED_POLICY,
                    "frame not completed within " + config.frameTimeout().toMillis() + " ms");
            return;
        }
        long quiet = now - c.lastReceivedNanos();
        if (idleTimeoutNanos > 0 && quiet > idleTimeoutNanos) {
            watched.remove(c);
            c.close(
                    CloseReason.CloseCodes.GOING_AWAY,
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
