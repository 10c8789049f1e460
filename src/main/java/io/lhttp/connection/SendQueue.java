package io.lhttp.connection;

import io.lhttp.config.LhttpConfig.SlowConsumerPolicy;
import io.lhttp.memory.MemoryBudget;
import io.lhttp.meters.Meters;
import io.lhttp.protocol.Batch;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.io.Writer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The bounded send queue of one connection, with a single writer.
 *
 * <p>Any thread may {@link #offer} a frame; at most one asynchronous send is outstanding at any
 * time, because concurrent async sends to one session silently lose messages on some servers
 * (Tomcat/TomEE). Whoever finds the queue idle becomes the writer and sends until it is empty.
 * A send the container completes on the calling thread is continued by the loop, not by
 * recursion from the completion callback, so a long queue cannot overflow the stack.
 *
 * <p>A client that reads slower than it is sent to fills its queue; then the slow-consumer
 * policy applies: drop the oldest frame and count it, or close the connection with 1008. The
 * queue is full at {@code capacity} frames or {@code maxBytes} bytes, whichever comes first (a
 * frame bound alone let 1,024 frames of 64 KiB each sit behind a stalled reader: 64 MB). Bytes
 * are frame lengths in chars: the memory of Latin-1 text, half of it for other text. A single
 * frame larger than {@code maxBytes} still goes out when nothing else is queued. Memory per
 * connection is bounded either way, and no other connection waits.
 *
 * <p><b>Unconfirmed sends.</b> With a {@link StreamWriter} and a batch above 1, up to
 * {@code batch - 1} text frames in a row go out through the container's stream writer, which
 * reports no completion, and the next frame goes out as an acknowledged asynchronous send. The
 * container writes one session's frames in order, so that acknowledgement confirms the frames
 * before it too, and until it comes nothing else is sent: at most {@code batch} frames are in the
 * container's hands (and at most {@code maxBytes} of them), the queue fills behind them, and the
 * slow-consumer policy works as before.
 * Why: Tyrus restarts the session's idle timer for every acknowledged send, which on Payara runs a
 * task with full context set-up on the managed scheduled executor, several times the cost of the
 * write itself (docs/BENCHMARKS.md); its stream writer does not. On containers whose stream
 * writer blocks (Tomcat, Undertow) the batch is 1 and every send is acknowledged.
 *
 * <p><b>Batch frames.</b> When the client negotiated {@link Batch#SUBPROTOCOL} ({@link #packing}),
 * the writer packs what is queued when it takes a frame into one batch frame (PROTOCOL.md §7): the
 * frame it took and those behind it, in order, up to the batch bound in chars; a frame that would
 * pass the bound starts the next batch, a frame over it alone goes out alone, and a frame found
 * alone is sent as it is, at once. Nothing waits for company: batches form only from what piled up
 * while the previous send was under way, so a batch costs no latency. Each frame text is shared
 * by every subscriber (encoded once); packing only concatenates.
 */
final class SendQueue implements SendHandler {

    private static final Logger LOG = Logger.getLogger(SendQueue.class.getName());

    /**
     * The context class loader the container sees while we send. Every asynchronous send makes
     * Tyrus restart the session's idle timer on the container's managed scheduled executor, and
     * Payara's context capture for that task runs a {@code ServiceLoader} lookup over the context
     * class loader: with the application's loader that scans every jar of the server, and was
     * ~70 % of the fan-out's CPU (docs/BENCHMARKS.md). The platform loader has nothing to scan.
     * Nothing on the send path loads application classes, and the idle-timer task only closes an
     * idle session.
     */
    private static final ClassLoader SEND_CONTEXT = ClassLoader.getPlatformClassLoader();

    private static final String CLOSED_ALREADY = new String("closed"); // identity marker
    /** The budget of a queue that was given none (unit tests): counts, never full. */
    private static final MemoryBudget UNBUDGETED = new MemoryBudget(Long.MAX_VALUE);

    private static final int IN_CALL = 0;
    private static final int RETURNED = 1;
    private static final int COMPLETED = 2;

    /**
     * Sends one whole text frame without waiting for it to be written, e.g. through
     * {@code Session.getBasicRemote().getSendWriter()}; what it sent goes out at the latest on
     * {@link #flush()}.
     */
    @FunctionalInterface
    interface StreamWriter {
        void sendWhole(String frame) throws IOException;

        /**
         * Pushes what was sent to the socket without waiting for it (a batching container holds
         * frames until asked); called after each acknowledged send and when the queue runs empty.
         */
        default void flush() throws IOException {}

        /**
         * A stream writer on the session's basic remote: one write and close is one whole text
         * frame. The frame goes in as one exact-length char array: {@code Writer.write(String)}
         * would copy it through a 1,024-char buffer that Tyrus's writer then turns into a String
         * of that whole buffer before cutting it, about 3 KB of garbage per 100-byte frame and
         * subscriber.
         */
        static StreamWriter of(RemoteEndpoint.Basic basic) {
            return frame -> {
                Writer w = basic.getSendWriter();
                w.write(frame.toCharArray());
                w.close();
            };
        }

        /**
         * The Jakarta batching API over asynchronous sends, for containers whose
         * {@code flushBatch()} does not block (Undertow: it schedules the write on the I/O
         * thread): frames are handed over without waiting, each with a handler that only reports
         * a failure, and one flush writes them all.
         *
         * <p>Batching is allowed only from the first frame handed over to the next flush, never
         * while the queue is idle. Why: on Undertow batching holds every frame of the connection,
         * the container's own too, until a flush: left on, the pong owed to a client's ping and
         * the close frame answering a client's close waited for our next message, or for ever
         * (the client saw 1006 after its own timeout). Batching is ended before the flush, so a
         * control frame the container queues meanwhile is written either by that flush or at once.
         */
        static StreamWriter batching(RemoteEndpoint.Async remote, Consumer<Throwable> failed) {
            SendHandler onFailure = result -> {
                if (!result.isOK()) {
                    failed.accept(result.getException());
                }
            };
            return new StreamWriter() {
                private boolean batching; // writer role only

                @Override
                public void sendWhole(String frame) throws IOException {
                    if (!batching) {
                        remote.setBatchingAllowed(true);
                        batching = true;
                    }
                    remote.sendText(frame, onFailure);
                }

                @Override
                public void flush() throws IOException {
                    if (batching) {
                        batching = false;
                        remote.setBatchingAllowed(false);
                    }
                    remote.flushBatch();
                }
            };
        }
    }

    /**
     * Most chars sent through the stream writer without acknowledgement (with the acknowledged send
     * behind them: at most this plus one frame in the container's hands). Issue 18, attack 3: with
     * {@code maxBytes} (1 MiB) here, 250 stalled readers each had up to 1 MiB encoded and copied in
     * the container, more than a 256 MiB heap; now a frame of 32 KiB or more is always the
     * acknowledged send, so one such frame is in flight per session. Small frames still go 32 to a
     * batch (32 KiB is 320 frames of 100 chars).
     */
    static final long UNCONFIRMED_CHARS = 32 * 1024;

    /**
     * How many times a frame handed to the container counts in the memory budget, per char, until
     * acknowledged (issue 18, attack 3): queued, a frame is one {@code String} shared by every
     * subscriber; handed on, each session's copy is encoded (UTF-8, up to 3 bytes per char) and kept
     * by the container until written, beside the chars it was encoded from (the stream writer's
     * {@code char[]}, 2 bytes per char) while that happens.
     */
    static final int CONTAINER_COPIES = 3;

    private int handedOnCopies = 1; // see countIn

    private final RemoteEndpoint.Async remote;
    private final StreamWriter streamWriter;
    private final int batch;
    private int unconfirmed; // frames sent through the stream writer since the last acknowledged send; writer role only
    private long unconfirmedBytes; // their length; writer role only
    private boolean unflushed; // sent something since the last flush; writer role only
    private final int capacity;
    private final long maxBytes;
    /** Bytes (chars) queued, counted in the server's memory budget too (issue 18); see {@link #countIn}. */
    private MemoryBudget.Account bytes = UNBUDGETED.account(MemoryBudget.Use.SEND_QUEUES);

    private final SlowConsumerPolicy policy;
    private final Consumer<String> closer;
    private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicInteger handshake = new AtomicInteger(COMPLETED);
    private final AtomicLong dropped = new AtomicLong();
    private volatile boolean closed;
    private final AtomicReference<String> pendingClose = new AtomicReference<>();
    private final int burstFrames;
    private final long burstBytes;
    private final long stallNanos;
    private volatile long lastProgress = System.nanoTime(); // when a send was last acknowledged
    private volatile int packChars; // most chars in one batch frame; 0 = one frame per message (no batching negotiated)
    private String
            carried; // taken from the queue but over the batch bound: the next batch starts with it; writer role only
    private final AtomicBoolean corked = new AtomicBoolean(); // on some thread's cork list: that thread drains it

    /**
     * Packing queues offered to on this thread while it handles an inbound batch frame ({@link #cork}).
     * Why: a container that completes a send on the calling thread (Tyrus, often) leaves nothing
     * queued behind it, so messages dispatched one after another would each go out alone; held
     * until the batch frame is handled, they go out together. They wait no longer than the
     * publisher's own batch took to handle: its messages arrived together too.
     */
    private static final ThreadLocal<java.util.List<SendQueue>> CORKS = new ThreadLocal<>();

    /** From now until {@link #uncork()}, frames offered on this thread to packing queues wait; not nested. */
    static void cork() {
        CORKS.set(new java.util.ArrayList<>());
    }

    /** Sends what waited since {@link #cork()} (packed), and ends it. */
    static void uncork() {
        java.util.List<SendQueue> corked = CORKS.get();
        CORKS.remove();
        if (corked != null) {
            for (SendQueue q : corked) {
                q.corked.set(false); // before the drain: an offer on another thread that saw it set has queued already
                q.drain();
            }
        }
    }

    /**
     * @param streamWriter the unacknowledged path, or null for none
     * @param batch        frames per acknowledged send (1 = every send acknowledged)
     * @param capacity     most frames queued
     * @param maxBytes     most bytes (chars) queued, and most sent unacknowledged
     * @param closer       closes the connection with 1008 and the given reason (overflow under the
     *                     close policy) or after a failed send
     */
    SendQueue(
            RemoteEndpoint.Async remote,
            StreamWriter streamWriter,
            int batch,
            int capacity,
            long maxBytes,
            SlowConsumerPolicy policy,
            Consumer<String> closer) {
        this(remote, streamWriter, batch, capacity, maxBytes, maxBytes, 0, policy, closer);
    }

    /**
     * With room for bursts: a queue over {@code capacity} or {@code maxBytes} is left alone while
     * its client keeps reading (a send was acknowledged within {@code stallMillis}) and it stays
     * within {@code burstBytes} (and as many times {@code capacity} frames as {@code burstBytes}
     * is times {@code maxBytes}). Why: a publisher's burst fills the queue of a healthy subscriber
     * faster than a container that acknowledges frame by frame (Tomcat) drains it; a client that
     * stops reading stops the acknowledgements, and is cut as before.
     */
    SendQueue(
            RemoteEndpoint.Async remote,
            StreamWriter streamWriter,
            int batch,
            int capacity,
            long maxBytes,
            long burstBytes,
            long stallMillis,
            SlowConsumerPolicy policy,
            Consumer<String> closer) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, not " + batch);
        }
        this.remote = remote;
        this.streamWriter = streamWriter;
        this.batch = streamWriter == null ? 1 : batch;
        this.capacity = capacity;
        this.maxBytes = maxBytes;
        this.policy = policy;
        this.closer = closer;
        this.burstBytes = Math.max(burstBytes, maxBytes);
        this.burstFrames = (int) Math.min(
                Integer.MAX_VALUE, (long) capacity * Math.max(1, this.burstBytes / Math.max(1, maxBytes)));
        this.stallNanos = stallMillis * 1_000_000L;
    }

    /**
     * Queues a frame's text (already encoded: {@link Connection#send} encodes a message once,
     * the fan-out once for every subscriber), sent as is.
     *
     * @return false when the frame was not queued (the connection is closed or closing)
     */
    boolean offer(String frame) {
        if (closed) {
            return false;
        }
        int length = frame.length();
        int frames = size.incrementAndGet();
        long held = bytes.addAndGet(length);
        if (bytes.overShare()) {
            // The memory budget is over its limit and this queue is among the largest: cut it, not the others.
            size.decrementAndGet();
            bytes.addAndGet(-length);
            Meters.refused(Meters.Refusal.MEMORY_BUDGET);
            close("server memory budget full: this connection's send queue is among the largest");
            return false;
        }
        if ((frames > capacity || (held > maxBytes && frames > 1)) && !burstKeptUpWith(frames, held)) {
            if (policy == SlowConsumerPolicy.CLOSE) {
                size.decrementAndGet();
                Meters.closedSlow();
                bytes.addAndGet(-length);
                close("send queue full: the client does not read fast enough");
                return false;
            }
            // Drop the oldest until both bounds hold again, or only the new frame is left.
            while (size.get() > capacity || (bytes.get() > maxBytes && size.get() > 1)) {
                String oldest = queue.poll();
                if (oldest == null) {
                    break;
                }
                size.decrementAndGet();
                bytes.addAndGet(-oldest.length());
                dropped.incrementAndGet();
                Meters.dropped();
            }
        }
        queue.offer(frame);
        if (packChars > 0) {
            java.util.List<SendQueue> cork = CORKS.get();
            if (cork != null) {
                if (corked.compareAndSet(false, true)) {
                    cork.add(this);
                }
                return true; // sent when the cork's thread uncorks
            }
        }
        drain();
        return true;
    }

    /** Over the bounds, but within the burst bounds and with a send acknowledged lately: the client keeps reading. */
    private boolean burstKeptUpWith(int frames, long held) {
        return frames <= burstFrames && held <= burstBytes && System.nanoTime() - lastProgress < stallNanos;
    }

    /**
     * Packs queued frames into batch frames of at most {@code maxChars} chars (PROTOCOL.md §7);
     * called once, before the first {@link #offer}, for a connection that negotiated
     * {@link Batch#SUBPROTOCOL}. 0 leaves every frame on its own.
     */
    void packing(int maxChars) {
        this.packChars = Math.max(0, maxChars);
    }

    /** When the acknowledged send now outstanding was made, or 0 when none is (see {@link #awaitingFor}). */
    private volatile long awaitingSince;

    /**
     * How long the acknowledged send now outstanding has waited for the container's
     * acknowledgement, 0 when none is outstanding: a client that stopped reading shows here
     * (issue 18, attack 3; see {@link Deadlines}).
     */
    long awaitingFor(long now) {
        long since = awaitingSince;
        return since == 0 ? 0 : Math.max(0, now - since);
    }

    /** Frames dropped by the drop policy since the connection opened. */
    long dropped() {
        return dropped.get();
    }

    /** Frames waiting to be sent. */
    int size() {
        return size.get();
    }

    /** Whether nothing is queued and no send is outstanding. */
    boolean idle() {
        return !writing.get() && size.get() == 0;
    }

    /** Bytes (chars) waiting to be sent. */
    long bytes() {
        return bytes.get();
    }

    /**
     * Counts this queue's bytes in {@code budget} (the server's memory budget); called once, before
     * the queue is used.
     */
    void countIn(MemoryBudget budget) {
        countIn(budget, 1);
    }

    /** As {@link #countIn(MemoryBudget)}, a frame handed to the container counting {@code copies} times its length until acknowledged. */
    void countIn(MemoryBudget budget, int copies) {
        bytes = budget.account(MemoryBudget.Use.SEND_QUEUES);
        handedOnCopies = Math.max(1, copies);
    }

    /** Stops sending and forgets what is queued. */
    void discard() {
        closed = true;
        queue.clear();
        size.set(0);
        bytes.set(0);
    }

    /** The connection is gone: gives back what the budget still counts for this queue, and leaves its fair-share count. */
    void released() {
        discard();
        bytes.close();
    }

    private void drain() {
        Thread thread = Thread.currentThread();
        ClassLoader caller = thread.getContextClassLoader();
        thread.setContextClassLoader(SEND_CONTEXT);
        try {
            drainLoop();
        } finally {
            thread.setContextClassLoader(caller);
        }
    }

    private void drainLoop() {
        while (writing.compareAndSet(false, true)) {
            String next = carried != null ? carried : queue.poll();
            carried = null;
            if (next == null || closed) {
                flush(); // still the writer: nothing may wait in a batch when the queue runs empty
                writing.set(false);
                if (closed) {
                    queue.clear();
                    finishClose();
                    return;
                }
                if (queue.isEmpty()) {
                    return; // a producer that raced our poll either saw us writing or will drain itself
                }
                continue;
            }
            size.decrementAndGet();
            int length = next.length();
            bytes.handedOn(length, handedOnCopies); // out of the queue, still in the budget until acknowledged
            if (packChars > 0) {
                next = pack(next);
                length = next.length();
            }
            if (unconfirmed + 1 < batch && unconfirmedBytes + length <= Math.min(maxBytes, UNCONFIRMED_CHARS - 1)) {
                try {
                    streamWriter.sendWhole(next);
                    unflushed = true;
                    unconfirmed++;
                    unconfirmedBytes += length;
                } catch (IOException | RuntimeException e) {
                    failed(e);
                }
                writing.set(false);
                continue;
            }
            unconfirmed = 0; // the acknowledgement of this send confirms them
            unconfirmedBytes = 0;
            handshake.set(IN_CALL);
            awaitingSince = System.nanoTime();
            try {
                remote.sendText(next, this);
            } catch (RuntimeException e) {
                failed(e);
                handshake.set(COMPLETED);
            }
            if (streamWriter != null) {
                // A batching container completes this send only once it is written: flush now. The
                // completion may come on another thread meanwhile; the handshake below sorts that out.
                unflushed = true;
                flush();
            }
            if (handshake.compareAndSet(IN_CALL, RETURNED)) {
                return; // the completion callback continues the drain
            }
            writing.set(false); // completed on this thread: loop instead of recursing
        }
    }

    /**
     * {@code first} and the frames queued behind it as one batch frame, within {@link #packChars};
     * {@code first} itself when nothing is queued behind it or the first two do not fit together.
     * Writer role only. The frame that does not fit is {@link #carried} to the next batch: taking
     * it back out of the queue first, rather than peeking, stays right when the drop policy polls
     * the queue concurrently.
     */
    private String pack(String first) {
        int limit = packChars;
        String a = first;
        int total = Batch.recordLength(a);
        if (total >= limit) {
            return first;
        }
        String second = queue.poll();
        if (second == null) {
            return first;
        }
        String b = second;
        if (total + Batch.recordLength(b) > limit) {
            carried = second;
            return first;
        }
        taken(second);
        StringBuilder batch =
                new StringBuilder((int) Math.min(limit, total + Batch.recordLength(b) + bytes.get() + 8L * size.get()));
        Batch.append(batch, a);
        Batch.append(batch, b);
        total += Batch.recordLength(b);
        String next;
        while ((next = queue.poll()) != null) {
            String t = next;
            int record = Batch.recordLength(t);
            if (total + record > limit) {
                carried = next;
                break;
            }
            taken(next);
            Batch.append(batch, t);
            total += record;
        }
        return batch.toString();
    }

    /** Counts a frame packed into a batch as gone from the queue. */
    private void taken(String frame) {
        size.decrementAndGet();
        bytes.handedOn(frame.length(), handedOnCopies); // in the batch: still in the budget until acknowledged
    }

    /** Flushes what the writer sent unacknowledged or acknowledged since the last flush; writer role only. */
    private void flush() {
        if (unflushed) {
            unflushed = false;
            try {
                streamWriter.flush();
            } catch (IOException | RuntimeException e) {
                failed(e);
            }
        }
    }

    @Override
    public void onResult(SendResult result) {
        awaitingSince = 0;
        bytes.confirmed(); // this send and every one before it are written (or failed): out of the budget
        if (!result.isOK()) {
            failed(result.getException());
        } else if (stallNanos > 0) { // only queues with burst room look at it
            lastProgress = System.nanoTime();
        }
        if (handshake.compareAndSet(IN_CALL, COMPLETED)) {
            return; // still inside the send call: the loop in drain() goes on
        }
        writing.set(false);
        drain();
    }

    void failed(Throwable e) {
        if (!closed) {
            LOG.log(Level.FINE, "send failed, closing the connection", e);
            close("send failed: " + e);
        }
    }

    /**
     * Closes once no send is outstanding. Why wait: on Payara, closing a session while a frame
     * is still waiting for the client's TCP window drops the connection without the close frame,
     * so a slow client saw 1006 instead of 1008. The outstanding send ends either way, written or
     * failed by the send timeout; nothing new is sent meanwhile and the queue is already gone.
     */
    private void close(String reason) {
        discard();
        pendingClose.compareAndSet(null, reason);
        drain(); // closes now when idle; otherwise the writer does when its send completes
    }

    /** Runs the pending close, once; only by whoever holds the writer role or just gave it up. */
    private void finishClose() {
        String reason = pendingClose.get();
        if (reason != null && reason != CLOSED_ALREADY && pendingClose.compareAndSet(reason, CLOSED_ALREADY)) {
            closer.accept(reason);
        }
    }
}
