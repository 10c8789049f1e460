package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One channel's NATS subscription on the bus's shared dispatcher (a part of {@link NatsBus}); start
 * and stop run under the bus's lock. A history channel's deliveries run under its seam lock, with
 * its joining subscribers' buffers ({@link HistoryJoin}).
 *
 * <p>A history channel's live messages carry their stream sequence and the channel's previous one
 * ({@code Nats-Last-Sequence}). When a message says the channel had messages this instance never
 * received — the NATS connection dropped and came back, or NATS dropped messages for a slow
 * instance — the missing ones are read from the stream and delivered first, in order (issue 22:
 * before, a subscriber that stayed subscribed through its instance's NATS reconnect lost them
 * without being told).
 */
final class ChannelSubscription {

    private static final Logger LOG = Logger.getLogger(ChannelSubscription.class.getName());

    /** A live frame kept for a joining subscriber. */
    record Buffered(String frame, long sequence, long previous) {}

    /** Live frames of a channel kept for one subscriber while its recovery reads the stream. */
    static final class Pending {
        /** More than this arriving during one recovery: the subscriber is told recovered:false. */
        static final int MAX = 10_000;

        final List<Buffered> frames = new ArrayList<>();
        boolean overflow;

        void add(String frame, long sequence, long previous) {
            if (frames.size() < MAX) {
                frames.add(new Buffered(frame, sequence, previous));
            } else {
                overflow = true;
            }
        }
    }

    private final BusConnection bus;
    private final JetStreamHistory h; // null without history channels
    private final String channel;
    private final String subject;
    private final Bus.Delivery deliver;
    final boolean history;
    /** Held while a history frame is buffered for joining subscribers and delivered, and while one joins. */
    final ReentrantLock seam = new ReentrantLock();
    /** Subscribers joining now; changed and read under the seam lock (removed without it only when giving up). */
    final List<Pending> pending = new CopyOnWriteArrayList<>();

    private long lastSequence; // guarded by seam
    private io.nats.client.Subscription subscription;

    ChannelSubscription(BusConnection bus, JetStreamHistory h, String channel, String subject, Bus.Delivery deliver) {
        this.bus = bus;
        this.h = h;
        this.channel = channel;
        this.subject = subject;
        this.deliver = deliver;
        this.history = h != null && h.covers(channel);
    }

    /** Subscribes on the dispatcher; under the bus's lock. */
    void start(Dispatcher dispatcher) {
        subscription = dispatcher.subscribe(subject, this::onMessage);
    }

    Pending buffer() {
        Pending p = new Pending();
        seam.lock();
        try {
            pending.add(p);
        } finally {
            seam.unlock();
        }
        return p;
    }

    private void onMessage(Message msg) {
        // Decoded once here; the registry sends this one String to every local subscriber.
        String frame = new String(msg.getData(), StandardCharsets.UTF_8);
        if (!history) {
            deliver.deliver(frame, null);
            return;
        }
        long sequence = h.sequence(msg);
        long previous = JetStreamHistory.previous(msg);
        seam.lock();
        try {
            if (sequence > 0 && sequence <= lastSequence) {
                // Sequences went back: the stream was created again; learn its epoch.
                bus.ensureHistory(false);
            } else if (sequence > 0 && lastSequence > 0 && previous > lastSequence) {
                fill(previous);
            }
            if (sequence > 0) {
                lastSequence = sequence;
            }
            if (!pending.isEmpty()) {
                for (Pending p : pending) {
                    p.add(frame, sequence, previous);
                }
            }
            deliver.deliver(frame, h.position(sequence));
        } finally {
            seam.unlock();
        }
    }

    /**
     * Reads the channel's messages after {@link #lastSequence} up to {@code upTo} from the stream and
     * delivers them (and buffers them for joining subscribers) as if they had come live. Under the seam.
     * When the stream cannot give them all (it dropped them, or no replica answered in time), the
     * subscribers that track positions here are told ({@link Bus.Delivery#missed}: their connections
     * close so their clients recover with {@code since}) and joining ones answer {@code recovered:false}:
     * a hole is never passed over silently.
     */
    private void fill(long upTo) {
        long from = lastSequence;
        List<JetStreamHistory.Entry> missed;
        String failure = null;
        try {
            missed = h.between(channel, from, upTo);
        } catch (Exception e) {
            missed = List.of();
            failure = e.toString();
        }
        long last = from;
        for (JetStreamHistory.Entry e : missed) {
            long seq = e.position().offset();
            for (Pending p : pending) {
                p.add(e.frame(), seq, last);
            }
            deliver.deliver(e.frame(), e.position());
            last = seq;
        }
        if (last < upTo) {
            LOG.log(
                    Level.WARNING,
                    "channel {0}: messages {1}..{2} did not reach this instance live and the stream gave"
                            + " {3} of them ({4}); closing the position-tracking subscribers here so they recover"
                            + " with since",
                    new Object[] {
                        channel, from + 1, upTo, missed.size(), failure == null ? "the rest not found" : failure
                    });
            for (Pending p : pending) {
                p.overflow = true; // a joining subscriber's buffer has the hole too: recovered:false
            }
            deliver.missed();
        } else {
            LOG.log(
                    Level.INFO,
                    "channel {0}: {1} message(s) that did not reach this instance live were read from the stream",
                    new Object[] {channel, missed.size()});
        }
        lastSequence = Math.max(lastSequence, last);
    }

    /** Unsubscribes from the dispatcher; under the bus's lock. */
    void stop(Dispatcher dispatcher) {
        if (subscription != null && dispatcher != null && !bus.closed()) {
            try {
                dispatcher.unsubscribe(subscription);
            } catch (IllegalStateException e) {
                LOG.log(Level.FINE, "unsubscribe {0}: {1}", new Object[] {subject, e.toString()});
            }
        }
        subscription = null;
    }
}
