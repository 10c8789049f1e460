package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.lhttp.channel.Position;
import io.nats.client.Connection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Joins a subscriber to a history channel (PROTOCOL.md §2.2), a part of {@link NatsBus}: with no
 * gap and no duplicate at the seam. Live messages of the channel are buffered for this subscriber
 * from before the stream is read, the stream is read (bound, replay), then under the channel's
 * seam lock the buffered messages after the replay are sent and the subscriber joins the live
 * fan-out. At most {@code lhttp.history.max-replays} replays run at once.
 */
final class HistoryJoin {

    private static final Logger LOG = Logger.getLogger(HistoryJoin.class.getName());

    private final JetStreamHistory h;
    /** Bounds the recoveries replaying from JetStream at once on this instance. */
    private final Semaphore replays;

    HistoryJoin(JetStreamHistory h) {
        this.h = h;
        this.replays = new Semaphore(h.maxReplays());
    }

    /** Whether a subscriber of {@code cs} can be joined here (else the bus joins it without history). */
    boolean applies(ChannelSubscription cs, Connection conn) {
        return h.isReady() && conn != null && cs != null && cs.history;
    }

    void join(Connection conn, ChannelSubscription cs, String channel, Position since, Bus.Joiner joiner) {
        boolean permit = false;
        if (since != null) {
            try {
                permit = replays.tryAcquire(h.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!permit) {
                LOG.log(
                        Level.WARNING,
                        "recovery of {0} not replayed: {1} recoveries already running (lhttp.history.max-replays)",
                        new Object[] {channel, h.maxReplays()});
                joiner.joined(null, Boolean.FALSE);
                return;
            }
        }
        ChannelSubscription.Pending pending = cs.buffer();
        long served = Long.MAX_VALUE; // nothing known: send every buffered message
        Position top = null;
        Boolean recovered = since == null ? null : Boolean.FALSE;
        try {
            conn.flush(h.timeout()); // our subscription is on the server before the stream is read
            JetStreamHistory.Recovery r = h.recover(channel, since);
            for (JetStreamHistory.Entry e : r.entries()) {
                joiner.replay(e.frame(), e.position());
            }
            served = r.bound();
            top = r.top();
            recovered = since == null ? null : r.complete();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "recovery of {0} failed ({1}): answering recovered:false", new Object[] {
                channel, e.toString()
            });
            recovered = since == null ? null : Boolean.FALSE;
        } finally {
            if (permit) {
                replays.release();
            }
            seam(cs, pending, channel, served, top, recovered, joiner);
        }
    }

    private void seam(
            ChannelSubscription cs,
            ChannelSubscription.Pending pending,
            String channel,
            long served,
            Position top,
            Boolean recovered,
            Bus.Joiner joiner) {
        // Bounded wait: the caller holds the registry's lock of this channel's map bin, and a delivery
        // holding the seam lock could (closing a slow consumer synchronously) wait for that bin. Rather
        // than deadlock, give up the seam after the timeout and say so with recovered:false.
        boolean locked = false;
        try {
            locked = cs.seam.tryLock(h.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!locked) {
            cs.pending.remove(pending);
            LOG.log(
                    Level.WARNING,
                    "recovery of {0}: live delivery held the channel too long; joined without the"
                            + " buffered messages, answering recovered:false",
                    channel);
            joiner.joined(top, Boolean.FALSE);
            return;
        }
        try {
            cs.pending.remove(pending);
            boolean first = true;
            for (ChannelSubscription.Buffered b : pending.frames) {
                if (b.sequence() < 0) {
                    joiner.replay(b.frame(), null); // transient (presence), never in the stream: live news
                    continue;
                }
                if (served == Long.MAX_VALUE || b.sequence() > served) {
                    if (first && served != Long.MAX_VALUE && b.previous() > served) {
                        // The channel had a message between the replay and the first live one that reached
                        // neither: with several NATS nodes our interest can reach the stream's node late.
                        LOG.log(
                                Level.WARNING,
                                "recovery of {0}: message {1} reached neither the replay nor this"
                                        + " instance; answering recovered:false",
                                new Object[] {channel, b.previous()});
                        recovered = Boolean.FALSE;
                    }
                    first = false;
                    Position p = h.position(b.sequence());
                    joiner.replay(b.frame(), p);
                    if (p != null) {
                        top = p; // the subscribed frame tells the newest position the subscriber has
                    }
                }
            }
            if (pending.overflow) {
                recovered = Boolean.FALSE;
            }
            joiner.joined(top, recovered);
        } finally {
            cs.seam.unlock();
        }
    }
}
