package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.lhttp.memory.MemoryBudget;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.api.PublishAck;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket connection's publishes (a part of {@link NatsBus}, {@link Bus#publisher()}): to a
 * history channel whose stream is ready they are sent with {@code publishAsync} and not waited for,
 * at most {@code lhttp.jetstream.max-pending-per-connection} unacknowledged (a permit each, given
 * back when the acknowledgement, a refusal, a cancellation or the timeout comes); everything else
 * goes through {@link NatsBus#publish}. The one NATS connection keeps them in order, so the stream
 * stores one client's frames in the order it published them.
 *
 * <p>Every frame sent here ends in exactly one of: the stream's acknowledgement (silence to the
 * client, PROTOCOL.md §2.2), or the 503 error frame through {@code failed} — also when jnats drops
 * the wait because its connection to NATS went (issue 22). Only this pipeline's own close (the
 * client has gone) reports nothing.
 */
final class HistoryPipeline implements Bus.Publisher {

    private static final Logger LOG = Logger.getLogger(HistoryPipeline.class.getName());

    private final NatsBus bus;
    private final BusConnection connection;
    private final JetStreamHistory h;
    private final int max;
    private final Semaphore permits;
    /** Sent and not acknowledged; cancelled when the client's connection closes. */
    private final Set<CompletableFuture<?>> outstanding = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    HistoryPipeline(NatsBus bus, BusConnection connection, JetStreamHistory h) {
        this.bus = bus;
        this.connection = connection;
        this.h = h;
        this.max = h.maxPending();
        this.permits = new Semaphore(max);
    }

    @Override
    public void publish(String channel, String frame, Consumer<ProtocolException> failed) throws ProtocolException {
        publish(channel, frame, null, failed);
    }

    @Override
    public void publish(String channel, String frame, String messageId, Consumer<ProtocolException> failed)
            throws ProtocolException {
        if (!h.covers(channel)) {
            bus.publishTransient(channel, frame); // a plain channel: the core publish, as NatsBus.publish does
            return;
        }
        if (closed || !h.isReady() || connection.connected() == null) {
            bus.publish(channel, frame); // no stream (yet), not connected: refused or carried as before
            return;
        }
        if (!permits.tryAcquire()) {
            boolean room = false;
            try {
                // The oldest is acknowledged or times out within the timeout: then there is room.
                room = permits.tryAcquire(h.timeout().toMillis() + 100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!room) {
                throw new ProtocolException(503, "history store did not acknowledge in time; message not published");
            }
        }
        // Issue 18: what waits for the stream's acknowledgement counts in the memory budget.
        MemoryBudget budget = h.memoryBudget();
        long cost = frame.length();
        if (budget != null && !budget.tryTake(MemoryBudget.Use.PUBLISHES, cost)) {
            permits.release();
            throw new ProtocolException(503, "server memory budget full: message not published");
        }
        CompletableFuture<PublishAck> sent;
        try {
            sent = h.send(channel, frame, messageId);
        } catch (ProtocolException | RuntimeException e) {
            permits.release();
            if (budget != null) {
                budget.give(MemoryBudget.Use.PUBLISHES, cost);
            }
            throw e;
        }
        outstanding.add(sent);
        sent.whenComplete((ack, failure) -> {
            outstanding.remove(sent);
            try {
                ProtocolException refused = h.outcome(channel, ack, failure);
                if (refused != null && !closed) {
                    failed.accept(refused);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "late publish failure not reported: {0}", e.toString());
            } finally {
                if (budget != null) {
                    budget.give(MemoryBudget.Use.PUBLISHES, cost);
                }
                permits.release(); // after the report: a frame that waited for room comes after its error frame
            }
        });
    }

    @Override
    public int pending() {
        return max - permits.availablePermits();
    }

    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<?> f : outstanding) {
            f.cancel(false); // completes it: its permit and its entry go; no report (closed)
        }
    }
}
