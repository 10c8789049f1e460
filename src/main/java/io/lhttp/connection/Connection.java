package io.lhttp.connection;

import io.lhttp.channel.Subscriber;
import io.lhttp.config.LhttpConfig;
import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Handshake;
import io.lhttp.protocol.Batch;
import io.lhttp.protocol.Message;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Session;
import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client's WebSocket connection: its id, per-connection attributes for processors and
 * filters, its channels, and its bounded send queue. Sending never blocks the caller.
 *
 * <p>Internal: processors and filters see it as its API, {@link ClientConnection}. {@link #send(Message)}, {@link #sendError},
 * {@link #attributes()} and {@link #close} are thread-safe: a processor may keep the connection
 * and answer later from another thread, e.g. a {@code ManagedExecutorService} task (docs/YOUR-APP.md,
 * "Answering asynchronously"). Sending after the connection closed is harmless: nothing is delivered.
 */
public final class Connection implements Subscriber, ClientConnection {

    private static final Logger LOG = Logger.getLogger(Connection.class.getName());

    /** Longest close reason WebSocket allows, in bytes (125 minus the 2-byte code). */
    private static final int MAX_CLOSE_REASON = 123;

    private final Session session;
    private final SendQueue queue;
    private final boolean errorsReply;
    private final boolean batching;
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Handshake handshake;
    private final Set<String> channels = new HashSet<>(); // guarded by itself
    private final int ratePerSecond;
    private double tokens; // guarded by this
    private long lastRefill; // guarded by this
    private volatile String remoteAddress = ""; // set by Connections.open
    private volatile FrameAssembler frames;
    private volatile long lastReceived = System.nanoTime();
    private volatile long lastPing = System.nanoTime();
    private final long openedNanos = System.nanoTime();
    /**
     * Issue 18: what the memory budget holds for a frame the container may be buffering unseen
     * before this connection's first frame arrives (Tyrus: up to its incoming buffer), given back
     * when anything arrives or the connection goes; see {@link Connections#open}.
     */
    private final java.util.concurrent.atomic.AtomicLong unseenReserve = new java.util.concurrent.atomic.AtomicLong();

    private final io.lhttp.memory.MemoryBudget budget;

    Connection(Session session, LhttpConfig config, io.lhttp.memory.MemoryBudget budget) {
        this.session = session;
        this.budget = budget;
        this.errorsReply = config.errorsReply();
        this.ratePerSecond = config.maxMessagesPerSecond();
        this.tokens = ratePerSecond;
        this.lastRefill = System.nanoTime();
        Object h = session.getUserProperties().get(Handshake.PROPERTY);
        this.handshake = h instanceof Handshake hs ? hs : Handshake.NONE;
        attributes.putAll(handshake.attributes());
        session.getAsyncRemote().setSendTimeout(config.sendTimeout().toMillis());
        Containers.noIdleTimer(session);
        SendQueue[] self = new SendQueue[1]; // the writer reports failures to the queue it serves
        this.batching = Batch.SUBPROTOCOL.equals(session.getNegotiatedSubprotocol());
        boolean packing = batching && config.batchBytes() > 0;
        // A connection that takes batch frames has every (batch) frame acknowledged: what arrives
        // while a send is under way piles up in its queue and goes out packed. The containers'
        // unacknowledged paths would take each frame at once, alone, and write and flush it alone
        // (Tyrus), which is the per-frame cost batching is there to save.
        SendQueue.StreamWriter writer =
                packing ? null : Containers.unacknowledgedWriter(session, e -> self[0].failed(e));
        // Room for bursts only where every frame waits for its acknowledgement (Tomcat): there a
        // healthy subscriber drains a burst slower than it fills. Where frames go out in batches
        // (Tyrus, Undertow) the bounds hold as they are, and a stalled reader is cut while the
        // kernel still takes its close frame.
        boolean frameByFrame = writer == null;
        this.queue = new SendQueue(
                session.getAsyncRemote(),
                writer,
                writer != null ? config.sendBatch() : 1,
                config.sendQueue(),
                config.sendQueueBytes(),
                frameByFrame ? config.sendQueueBurstBytes() : config.sendQueueBytes(),
                frameByFrame ? config.sendStall().toMillis() : 0,
                config.slowConsumer(),
                reason -> close(CloseReason.CloseCodes.VIOLATED_POLICY, reason));
        self[0] = queue;
        queue.countIn(budget, SendQueue.CONTAINER_COPIES);
        if (packing) {
            queue.packing(config.batchBytes());
        }
    }

    /** Whether the client negotiated the {@link Batch#SUBPROTOCOL} subprotocol: it may send and receive batch frames. */
    boolean batching() {
        return batching;
    }

    /** A server-unique id of this connection. */
    public String id() {
        return session.getId();
    }

    /**
     * The client's IP address (after the {@code lhttp.trusted-proxies} rule), or "" when the
     * container did not let us see it (see {@code io.lhttp.admission.ClientAddress}).
     */
    public String remoteAddress() {
        return remoteAddress;
    }

    void remoteAddress(String address) {
        this.remoteAddress = address;
    }

    /** What the client's WebSocket handshake carried: headers, query parameters, cookies, address. */
    public Handshake handshake() {
        return handshake;
    }

    /** Per-connection values, for processors and filters; thread-safe, gone when the connection closes. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * Sends a message to this client (queued, as its frame text from the shared
     * {@link MessageEncoder}, not a per-connection container encoder: see there).
     */
    public boolean send(Message message) {
        return queue.offer(MessageEncoder.INSTANCE.encode(message));
    }

    /** Sends an already-encoded frame to this client (queued). Used by the fan-out: encode once, send many. */
    @Override
    public boolean sendFrame(String frame) {
        return queue.offer(frame);
    }

    /** Sends the error frame of PROTOCOL.md §5, unless {@code lhttp.errors.reply=false}. */
    public void sendError(int code, String reason) {
        sendError(code, reason, null);
    }

    /** The error frame, carrying {@code request-id:<requestId>} when the id is not null (PROTOCOL.md §2.1). */
    public void sendError(int code, String reason, String requestId) {
        if (errorsReply) {
            Meters.errorFrame(code);
            send(io.lhttp.protocol.RequestId.tag(Message.error(code, reason), requestId));
        }
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return session.isOpen();
    }

    /** Frames dropped so far because the client read too slowly (drop policy). */
    public long droppedFrames() {
        return queue.dropped();
    }

    /** Frames waiting in the send queue. */
    public int queuedFrames() {
        return queue.size();
    }

    /** Bytes (frame lengths in chars) waiting in the send queue. */
    public long queuedBytes() {
        return queue.bytes();
    }

    /** Where this connection's frames are put together; set once at open. */
    void frames(FrameAssembler frames) {
        this.frames = frames;
    }

    /** When the frame now arriving started, or 0 (see {@link FrameAssembler#startedNanos()}). */
    long frameStartedNanos() {
        FrameAssembler f = frames;
        return f == null ? 0 : f.startedNanos();
    }

    /** Something (a frame, a part of one, a pong) arrived from the client. */
    void received() {
        lastReceived = System.nanoTime();
        if (unseenReserve.get() != 0) {
            releaseUnseen();
        }
    }

    /** Holds {@code bytes} of the memory budget for a first frame the container may be buffering unseen (see {@link #unseenReserve}). */
    void reserveUnseen(long bytes) {
        unseenReserve.set(bytes);
    }

    /** Whether nothing has arrived yet and the budget still holds this connection's reserve for an unseen frame. */
    boolean awaitingFirstFrame() {
        return unseenReserve.get() != 0;
    }

    /** Gives the reserve for an unseen first frame back to the budget (once). */
    void releaseUnseen() {
        long was = unseenReserve.getAndSet(0);
        if (was != 0) {
            budget.give(io.lhttp.memory.MemoryBudget.Use.INBOUND, was);
        }
    }

    long openedNanos() {
        return openedNanos;
    }

    long lastReceivedNanos() {
        return lastReceived;
    }

    long lastPingNanos() {
        return lastPing;
    }

    void pinged(long now) {
        lastPing = now;
    }

    /** How long the send now outstanding has waited for its acknowledgement (0: none outstanding). */
    long sendAwaitingFor(long now) {
        return queue.awaitingFor(now);
    }

    /** Whether nothing is queued or being sent: the moment a ping cannot overlap a send of ours. */
    boolean sendIdle() {
        return queue.idle();
    }

    /** Pings the client; a failure closes the connection like a failed send. */
    void ping(java.nio.ByteBuffer data) {
        try {
            session.getAsyncRemote().sendPing(data);
            Containers.flushControl(session);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "ping failed, closing the connection", e);
            close(CloseReason.CloseCodes.GOING_AWAY, "ping failed");
        }
    }

    /**
     * The channels this connection subscribes to: a live set, guarded by itself; the channel
     * registry is its only writer.
     */
    @Override
    public Set<String> channels() {
        return channels;
    }

    /**
     * Frames of a history channel this connection tracks positions of were lost on their way to this
     * instance (PROTOCOL.md §2.2): closes with 1012 so the client reconnects and recovers with {@code since}.
     */
    @Override
    public void missed(String channel) {
        LOG.log(Level.INFO, "connection {0}: closing with 1012 to make it recover ''{1}''", new Object[] {id(), channel
        });
        close(CloseReason.CloseCodes.SERVICE_RESTART, "missed messages of '" + channel + "': recover with since");
    }

    /** Closes the connection with a WebSocket close code; the reason is cut to what fits a close frame. */
    public void close(CloseReason.CloseCode code, String reason) {
        queue.discard();
        Containers.endBatching(session);
        try {
            session.close(new CloseReason(code, fitCloseReason(reason)));
        } catch (IOException | IllegalStateException e) {
            LOG.log(Level.FINE, "closing connection " + id(), e);
        }
    }

    /** Forgets queued frames and any unfinished frame once the connection has closed. */
    void released() {
        releaseUnseen();
        queue.released();
        FrameAssembler f = frames;
        if (f != null) {
            f.release();
        }
    }

    /** Takes one token from this connection's message rate bucket; false when the client is over its rate. */
    synchronized boolean tryAcquireMessage() {
        if (ratePerSecond == 0) {
            return true;
        }
        long now = System.nanoTime();
        tokens = Math.min(ratePerSecond, tokens + (now - lastRefill) * (ratePerSecond / 1e9));
        lastRefill = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    private static String fitCloseReason(String reason) {
        String r = reason;
        while (io.lhttp.protocol.Utf8.length(r) > MAX_CLOSE_REASON) {
            r = r.substring(0, r.length() - 1);
        }
        return r;
    }

    /** The user a token proved, for presence lists and {@link ClientConnection#user()}. */
    @Override
    public String user() {
        return ClientConnection.super.user();
    }

    @Override
    public String toString() {
        return "Connection[" + id() + "]";
    }
}
