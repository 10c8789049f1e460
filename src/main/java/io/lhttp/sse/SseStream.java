package io.lhttp.sse;

import io.lhttp.channel.Subscriber;
import io.lhttp.config.LhttpConfig;
import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Handshake;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.RequestId;
import jakarta.websocket.CloseReason;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One SSE stream (PROTOCOL.md §8): a {@link Subscriber} of the channel registry and, for the
 * {@code ChannelPermissions} beans and the token's expiry, a {@link ClientConnection} that cannot
 * send frames to the server. Frames are queued here, bounded as a WebSocket connection's send
 * queue ({@code lhttp.send-queue}, {@code lhttp.send-queue-bytes}, {@code lhttp.slow-consumer}),
 * and written as events by one writer thread at a time: the fan-out never waits for a socket.
 */
final class SseStream implements Subscriber, ClientConnection {

    private static final Logger LOG = Logger.getLogger(SseStream.class.getName());
    private static final AtomicLong IDS = new AtomicLong();

    /** Event name of the server's answer to the subscription of one channel. */
    static final String SUBSCRIBED_EVENT = "#subscribed";
    /** Event name of an error frame (e.g. 401 token expired, before the stream ends). */
    static final String ERROR_EVENT = "#error";
    /** Event name of a frame that is of no channel (a processor's {@link #send(Message)}). */
    static final String MESSAGE_EVENT = "#message";

    private static final String SUBSCRIBED_START = "LHTTP/1.0 subscribed\r\n";
    private static final String ERROR_START = "LHTTP/1.0 error\r\n";

    /** What is queued: an event, a keep-alive comment, or the end of the stream. */
    private record Item(String event, String id, String data, String comment, boolean end) {
        long size() {
            return data == null ? 16 : data.length() + 64;
        }
    }

    private static final Item END = new Item(null, null, null, null, true);

    private final SseStreams owner;
    private final SseEventSink sink;
    private final Sse sse;
    private final Handshake handshake;
    private final boolean ids;
    private final String id = "sse-" + Long.toHexString(IDS.incrementAndGet());
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final Set<String> channels = new HashSet<>(); // guarded by itself
    private final int maxFrames;
    private final long maxBytes;
    private final LhttpConfig.SlowConsumerPolicy policy;

    // guarded by this
    private final ArrayDeque<Item> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean draining;
    private boolean ending; // END queued or the stream cut: nothing more is taken
    private boolean ended; // the stream has been released
    private List<Item> held; // while recovering: replayed frames, sent after the subscribed answer

    private volatile long lastWrite = System.nanoTime();
    private volatile boolean started; // subscribed: the keep-alive may end it from now on

    SseStream(SseStreams owner, SseEventSink sink, Sse sse, Handshake handshake, boolean ids) {
        this.owner = owner;
        this.sink = sink;
        this.sse = sse;
        this.handshake = handshake;
        this.ids = ids;
        this.attributes.putAll(handshake.attributes());
        LhttpConfig config = owner.config();
        this.maxFrames = config.sendQueue();
        this.maxBytes = config.sendQueueBytes();
        this.policy = config.slowConsumer();
    }

    /** The stream recovers after {@code Last-Event-ID}: its subscribed answer goes before the replay. */
    synchronized void recovering() {
        held = new ArrayList<>();
    }

    /** Its channels are subscribed: from now on a closed sink noticed by the keep-alive ends it. */
    void started() {
        started = true;
    }

    @Override
    public Set<String> channels() {
        return channels;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String user() {
        return ClientConnection.super.user();
    }

    @Override
    public boolean sendFrame(String frame) {
        return sendFrame(null, frame);
    }

    @Override
    public boolean sendFrame(String channel, String frame) {
        String event;
        if (frame.startsWith(SUBSCRIBED_START)) {
            event = SUBSCRIBED_EVENT;
        } else if (frame.startsWith(ERROR_START)) {
            event = ERROR_EVENT;
        } else {
            event = channel == null ? MESSAGE_EVENT : channel;
        }
        String position = ids && channel != null ? position(frame) : null;
        Item item = new Item(event, position, data(frame), null, false);
        synchronized (this) {
            if (held != null) {
                if (!SUBSCRIBED_EVENT.equals(event)) {
                    held.add(item); // a replayed frame: bounded by the channel's history
                    return true;
                }
                List<Item> replay = held;
                held = null;
                // No id on this answer: should the stream break before the replay, the client's
                // Last-Event-ID must still be where it was, not the top the replay leads to.
                boolean taken = offer(new Item(item.event(), null, item.data(), null, false));
                for (Item r : replay) {
                    taken &= offer(r);
                }
                return taken;
            }
            return offer(item);
        }
    }

    /**
     * The frame as SSE data: its line ends as LF, without trailing ones. SSE reads CR, LF and CR LF
     * alike as the end of a line, and joins the {@code data:} lines of an event with LF; and
     * RESTEasy (WildFly) writes no {@code data:} line for trailing empty lines while Jersey and CXF
     * do, so trailing line ends are left out everywhere: the same event on every container.
     */
    static String data(String frame) {
        String d = frame.replace("\r\n", "\n").replace('\r', '\n');
        int end = d.length();
        while (end > 0 && d.charAt(end - 1) == '\n') {
            end--;
        }
        return d.substring(0, end);
    }

    /** The frame's {@code position} header, which the registry puts right after the start line; null without. */
    static String position(String frame) {
        int eol = frame.indexOf("\r\n");
        if (eol < 0 || !frame.startsWith("position:", eol + 2)) {
            // the subscribed answer carries the position among its other headers
            int at = frame.startsWith(SUBSCRIBED_START) ? frame.indexOf("\r\nposition:") : -1;
            if (at < 0) {
                return null;
            }
            eol = at;
        }
        int start = eol + 2 + "position:".length();
        int end = frame.indexOf("\r\n", start);
        return end < 0 ? null : frame.substring(start, end);
    }

    /** Queues an item; over the bounds, the slow-consumer policy applies. Called holding this. */
    private boolean offer(Item item) {
        if (ending) {
            return false;
        }
        while (!queue.isEmpty() && (queue.size() >= maxFrames || queuedBytes + item.size() > maxBytes)) {
            if (policy == LhttpConfig.SlowConsumerPolicy.CLOSE) {
                Meters.closedSlow();
                LOG.fine(() -> "closing SSE stream " + id + ": its client reads too slowly");
                cut();
                return false;
            }
            queuedBytes -= queue.removeFirst().size();
            Meters.dropped();
        }
        queue.addLast(item);
        queuedBytes += item.size();
        if (!draining) {
            draining = true;
            owner.write(this::drain);
        }
        return true;
    }

    /** Writes queued items until none is left; on one writer thread at a time. Ends the stream when it is ending. */
    private void drain() {
        while (true) {
            Item item;
            boolean finish = false;
            synchronized (this) {
                item = queue.pollFirst();
                if (item != null) {
                    queuedBytes -= item.size();
                }
                if (item == null || item.end()) {
                    draining = false;
                    if (ending && !ended) {
                        ended = true;
                        finish = true;
                    }
                }
            }
            if (item == null || item.end()) {
                if (finish) {
                    finish();
                }
                return;
            }
            if (!write(item)) {
                synchronized (this) {
                    ending = true;
                    queue.clear();
                    queuedBytes = 0;
                    draining = false;
                    finish = !ended;
                    ended = true;
                }
                if (finish) {
                    finish();
                }
                return;
            }
        }
    }

    /** Writes one item, waiting for it at most {@code lhttp.send-timeout-ms}; false when it failed. */
    private boolean write(Item item) {
        if (sink.isClosed()) {
            return false;
        }
        OutboundSseEvent.Builder b = sse.newEventBuilder();
        if (item.comment() != null) {
            b.comment(item.comment());
        } else {
            b.name(item.event()).data(String.class, owner.lines().data(item.data()));
            if (item.id() != null) {
                b.id(item.id());
            }
        }
        try {
            Future<?> sent = sink.send(b.build()).toCompletableFuture();
            sent.get(owner.sendTimeoutMillis(), TimeUnit.MILLISECONDS);
            lastWrite = System.nanoTime();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            LOG.log(Level.FINE, "SSE stream " + id + " failed", e);
            return false;
        }
    }

    /**
     * Ends the stream now, dropping what is queued. Called holding this, maybe inside the registry's
     * own locks (a replay): the writer thread ends it, never the caller.
     */
    private void cut() {
        ending = true;
        queue.clear();
        queuedBytes = 0;
        if (!draining) {
            draining = true;
            owner.write(this::drain);
        }
    }

    /** Closes the sink and leaves the registry; once, on the writer thread, holding no lock. */
    private void finish() {
        try {
            sink.close();
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "closing SSE stream " + id, e);
        }
        for (Object a : attributes.values()) {
            if (a instanceof java.util.concurrent.ScheduledFuture<?> task) {
                task.cancel(false); // the token's expiry
            }
        }
        owner.closed(this);
    }

    /** Sends a keep-alive comment when nothing was written for {@code intervalNanos}; notices a closed sink. */
    void keepAlive(long now, long intervalNanos) {
        if (!started) {
            return;
        }
        if (sink.isClosed()) {
            synchronized (this) {
                cut();
            }
            return;
        }
        if (now - lastWrite >= intervalNanos) {
            synchronized (this) {
                if (queue.isEmpty() && !draining) {
                    lastWrite = now; // one comment per quiet interval
                    offer(new Item(null, null, null, "", false));
                }
            }
        }
    }

    // ClientConnection: what permissions beans and the token's expiry use

    @Override
    public String remoteAddress() {
        return handshake.remoteAddress();
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    @Override
    public Map<String, Object> attributes() {
        return attributes;
    }

    @Override
    public boolean send(Message message) {
        return sendFrame(message.frame());
    }

    @Override
    public void sendError(int code, String reason) {
        sendError(code, reason, null);
    }

    @Override
    public void sendError(int code, String reason, String requestId) {
        if (owner.config().errorsReply()) {
            Meters.errorFrame(code);
            sendFrame(RequestId.tag(Message.error(code, reason), requestId).frame());
        }
    }

    @Override
    public synchronized boolean isOpen() {
        return !ending;
    }

    /**
     * Messages of a history channel were lost before reaching this instance (PROTOCOL.md §2.2): the
     * stream ends after what is queued, and the EventSource reconnects with {@code Last-Event-ID}.
     */
    @Override
    public void missed(String channel) {
        close(CloseReason.CloseCodes.SERVICE_RESTART, "missed messages of '" + channel + "'");
    }

    /** Ends the stream after what is queued (a WebSocket close code has no SSE equivalent: the stream just ends). */
    @Override
    public void close(CloseReason.CloseCode code, String reason) {
        synchronized (this) {
            if (ending) {
                return;
            }
            if (held != null) {
                held = null;
            }
            queue.addLast(END);
            ending = true;
            if (!draining) {
                draining = true;
                owner.write(this::drain);
            }
        }
    }

    @Override
    public String toString() {
        return "SseStream[" + id + "]";
    }
}
