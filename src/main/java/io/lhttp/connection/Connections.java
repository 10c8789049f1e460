package io.lhttp.connection;

import io.lhttp.admission.AddressCounter;
import io.lhttp.admission.ClientAddress;
import io.lhttp.admission.RateLimitedLog;
import io.lhttp.config.LhttpConfig;
import io.lhttp.memory.MemoryConfig;
import io.lhttp.meters.Meters;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/** The open connections of this instance; closes them with 1001 (going away) when the application stops. */
@ApplicationScoped
public class Connections {

    private static final Logger LOG = Logger.getLogger(Connections.class.getName());
    /** Refusals come in floods: at most a few lines of them per interval. */
    private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG);

    private static final long DRAIN_POLL_MS = 20;

    @Inject
    LhttpConfig config;

    @Inject
    MemoryConfig memory;

    @Inject
    Deadlines deadlines;

    private final Map<String, Connection> open = new ConcurrentHashMap<>();

    @Inject
    io.lhttp.admission.OpenConnectionsPerAddress openPerAddress;

    private AddressCounter perAddress;

    @jakarta.annotation.PostConstruct
    void counters() {
        perAddress = openPerAddress.counter();
    }

    private volatile boolean accepting = true;

    /**
     * Registers a new connection, or refuses it with 1013 (try again later) when the instance
     * already holds {@code lhttp.max-connections} or its address holds
     * {@code lhttp.max-connections-per-address}; with 1001 (going away) once shutting down.
     *
     * @return the connection, or null when refused
     */
    /**
     * While the memory budget is near full (or the heap under pressure), connections an address may
     * still open beyond this many are refused with 1013: an attacker holds many, a new client few.
     */
    static final int NEAR_FULL_PER_ADDRESS = io.lhttp.admission.OpenConnectionsPerAddress.NEAR_FULL_PER_ADDRESS;

    /**
     * Handshake attribute holding the {@link CloseReason} a connection is closed with as soon as it
     * opens: what a connect proxy's deny answer becomes (docs/PROXY.md). Its frames are never dispatched.
     */
    public static final String DENIED = Connections.class.getName() + ".denied";

    Connection open(Session session) {
        Connection c = new Connection(session, config, memory.memoryBudget());
        String address = ClientAddress.of(session);
        c.remoteAddress(address);
        if (!accepting) {
            Meters.refused(Meters.Refusal.SHUTTING_DOWN);
            refuse(c, CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
            return null;
        }
        if (c.attributes().get(DENIED) instanceof CloseReason denied) {
            refuse(c, denied.getCloseCode(), denied.getReasonPhrase());
            return null;
        }
        if (open.size() + streams.get() >= config.maxConnections()) {
            LOG.fine(() -> "refusing connection " + c.id() + ": " + open.size() + " open");
            Meters.refused(Meters.Refusal.FULL);
            refuse(
                    c,
                    CloseReason.CloseCodes.TRY_AGAIN_LATER,
                    "server full: at most " + config.maxConnections() + " connections");
            return null;
        }
        if (!memory.memoryBudget().acceptsNewWork()
                && (address.equals(ClientAddress.UNKNOWN) || perAddress.held(address) >= NEAR_FULL_PER_ADDRESS)) {
            // Issue 18: near the memory budget, connections already open keep their share; addresses
            // that already hold several connections wait, a client that holds few still gets in.
            WARNINGS.warning("refusing new connections: the memory budget is near full ({0})", memory.memoryBudget());
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            refuse(c, CloseReason.CloseCodes.TRY_AGAIN_LATER, "server memory budget full: try again later");
            return null;
        }
        if (!address.equals(ClientAddress.UNKNOWN)
                && !perAddress.tryAcquire(address, config.maxConnectionsPerAddress())) {
            WARNINGS.warning(
                    "refusing connections from {0}: it holds {1} (lhttp.max-connections-per-address)",
                    address, config.maxConnectionsPerAddress());
            Meters.refused(Meters.Refusal.PER_ADDRESS);
            refuse(
                    c,
                    CloseReason.CloseCodes.TRY_AGAIN_LATER,
                    "too many connections from your address: at most " + config.maxConnectionsPerAddress());
            return null;
        }
        if (!reserveUnseenFrame(c, session, address)) {
            if (!address.equals(ClientAddress.UNKNOWN)) {
                perAddress.release(address);
            }
            WARNINGS.warning("refusing new connections: the memory budget is near full ({0})", memory.memoryBudget());
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            refuse(c, CloseReason.CloseCodes.TRY_AGAIN_LATER, "server memory budget full: try again later");
            return null;
        }
        open.put(c.id(), c);
        Meters.opened();
        return c;
    }

    /**
     * Issue 18, attack 4: where the container reads a frame whole before we see any of it (Tyrus,
     * up to its incoming buffer of ~1.06 MiB), a new connection can make the server hold that much
     * unseen. The memory budget holds it for the connection until its first frame arrives (a
     * client's first frame comes within milliseconds; an attacker's unfinished one never): new
     * work, refused near full, for an address that already holds {@value #NEAR_FULL_PER_ADDRESS} or
     * more; taken always for an address with fewer (a new client gets in), and when that puts the
     * budget over its limit the sweeper sheds connections still waiting for a first frame
     * ({@link Deadlines#shedUnseen}).
     *
     * @return false when the connection is to be refused
     */
    private boolean reserveUnseenFrame(Connection c, Session session, String address) {
        long unseen = Containers.unseenFrameBytes(session, config.maxFrameHardBytes());
        if (unseen == 0) {
            return true;
        }
        io.lhttp.memory.MemoryBudget budget = memory.memoryBudget();
        boolean few = !address.equals(ClientAddress.UNKNOWN) && perAddress.held(address) <= NEAR_FULL_PER_ADDRESS;
        if (few) {
            if (io.lhttp.admission.OpenConnectionsPerAddress.unseenReservesFull(budget)) {
                return false; // many addresses with a few connections each: see OpenConnectionsPerAddress
            }
            if (budget.take(io.lhttp.memory.MemoryBudget.Use.INBOUND, unseen)) {
                deadlines.shedSoon();
            }
        } else if (!budget.tryTake(io.lhttp.memory.MemoryBudget.Use.INBOUND, unseen)) {
            return false;
        }
        c.reserveUnseen(unseen);
        return true;
    }

    /**
     * Closes a connection refused at open, not inside the open callback: on Payara that callback
     * runs within the container's upgrade, and a close there ends the request Tyrus is still
     * completing, so each refused connection that kept sending made Payara log a
     * NullPointerException (issue 18). The close goes out a moment later, on the sweeper; frames
     * arriving meanwhile are ignored (the endpoint has no connection).
     */
    private void refuse(Connection c, CloseReason.CloseCode code, String reason) {
        c.released();
        deadlines.closeRefused(c, code, reason);
    }

    /** Streams other than WebSocket connections (SSE subscribers, io.lhttp.sse) open now. */
    private final java.util.concurrent.atomic.AtomicInteger streams = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Admits a subscriber that is not a WebSocket connection (an SSE stream) under the same limits,
     * counted together with the WebSocket connections: {@code lhttp.max-connections} for the instance,
     * {@code lhttp.max-connections-per-address} for its address. Release it with {@link #streamClosed}.
     *
     * @return null when admitted, else why not (also counted in the metrics)
     */
    public Meters.Refusal admitStream(String address) {
        Meters.Refusal refusal = null;
        if (!accepting) {
            refusal = Meters.Refusal.SHUTTING_DOWN;
        } else if (streams.incrementAndGet() + open.size() > config.maxConnections()) {
            streams.decrementAndGet();
            refusal = Meters.Refusal.FULL;
        } else if (!address.equals(ClientAddress.UNKNOWN)
                && !perAddress.tryAcquire(address, config.maxConnectionsPerAddress())) {
            streams.decrementAndGet();
            refusal = Meters.Refusal.PER_ADDRESS;
        }
        if (refusal != null) {
            Meters.refused(refusal);
        }
        return refusal;
    }

    /** An admitted stream ({@link #admitStream}) closed. */
    public void streamClosed(String address) {
        streams.decrementAndGet();
        if (!address.equals(ClientAddress.UNKNOWN)) {
            perAddress.release(address);
        }
    }

    /** Whether new connections and streams are still taken (false once shutting down). */
    public boolean accepting() {
        return accepting;
    }

    void closed(Connection c) {
        if (open.remove(c.id()) != null && !c.remoteAddress().equals(ClientAddress.UNKNOWN)) {
            perAddress.release(c.remoteAddress());
        }
    }

    /** Connections open now from this client address. */
    public int count(String address) {
        return perAddress.held(address);
    }

    /** Connections open now. */
    public int count() {
        return open.size();
    }

    /**
     * On shutdown: refuses new connections, gives frames already queued up to
     * {@code lhttp.shutdown-drain-ms} to reach their clients, then closes every connection with
     * 1001 (going away), which the JS SDK answers by reconnecting (to another instance behind a
     * load balancer).
     */
    @PreDestroy
    void shutdown() {
        accepting = false;
        if (!open.isEmpty()) {
            LOG.info(() -> "closing " + open.size() + " connections: server going away");
        }
        long deadline = System.nanoTime() + config.shutdownDrain().toNanos();
        while (System.nanoTime() < deadline && queued() > 0) {
            try {
                Thread.sleep(
                        DRAIN_POLL_MS); // shutdown only: a poll is simpler than a completion signal from every queue
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = queued();
        if (left > 0) {
            LOG.warning(() -> left + " queued frames not delivered within " + LhttpConfig.SHUTDOWN_DRAIN_MS);
        }
        for (Connection c : open.values()) {
            c.close(CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        open.clear();
    }

    /** The send-queue depth of every open connection, in frames (for the metrics; a copy). */
    public int[] queueDepths() {
        return open.values().stream().mapToInt(Connection::queuedFrames).toArray();
    }

    private int queued() {
        int n = 0;
        for (Connection c : open.values()) {
            if (c.isOpen()) {
                n += c.queuedFrames();
            }
        }
        return n;
    }
}
