package io.lhttp.testkit;

import java.util.BitSet;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one subscriber received, checked against the run's {@link Payloads}: each message must
 * arrive once, intact, and in its publisher's order. Fed by one reader thread; read by the
 * reporting thread (hence synchronized, which costs nothing uncontended).
 *
 * <ul>
 *   <li>corrupt: not byte for byte a message of this run (not counted as received);
 *   <li>duplicated: a message received again;
 *   <li>out of order: a message older than one already received from the same publisher;
 *   <li>lost: expected but never received (known at the end).
 * </ul>
 */
public final class Tally implements RawWebSocket.Handler {

    private final Payloads payloads;
    private final BitSet[] seen;
    private final int[] highest;
    private final LongAdder progress;
    private final AtomicLongArray sentAt; // latency mode: publish time by seq, 0 = not sent yet
    private final long[] latencies;
    private long distinct;
    private long duplicated;
    private long outOfOrder;
    private long corrupt;
    private long lastReceipt;
    private volatile boolean markerSeen;

    /**
     * @param progress incremented per intact first receipt, for progress lines (may be shared)
     * @param sentAt   publish times (System.nanoTime) of publisher 0's messages for latency, or null
     */
    public Tally(Payloads payloads, LongAdder progress, AtomicLongArray sentAt) {
        this.payloads = payloads;
        this.seen = new BitSet[payloads.publishers()];
        this.highest = new int[payloads.publishers()];
        for (int p = 0; p < seen.length; p++) {
            seen[p] = new BitSet(payloads.perPublisher());
            highest[p] = -1;
        }
        this.progress = progress;
        this.sentAt = sentAt;
        this.latencies = sentAt == null ? null : new long[payloads.perPublisher()];
    }

    @Override
    public void onText(byte[] buffer, int offset, int length) {
        long now = System.nanoTime();
        if (payloads.isMarker(buffer, offset, length)) {
            markerSeen = true;
            return;
        }
        long id = payloads.identify(buffer, offset, length);
        synchronized (this) {
            if (id < 0) {
                corrupt++;
                return;
            }
            int p = (int) (id >>> 32);
            int seq = (int) id;
            if (seen[p].get(seq)) {
                duplicated++;
                return;
            }
            seen[p].set(seq);
            if (seq < highest[p]) {
                outOfOrder++;
            } else {
                highest[p] = seq;
            }
            if (latencies != null && p == 0) {
                latencies[seq] = now - sentAt.get(seq);
            }
            distinct++;
            lastReceipt = now;
        }
        if (progress != null) {
            progress.increment();
        }
    }

    /** Whether a readiness marker arrived: the subscription is in place. */
    public boolean ready() {
        return markerSeen;
    }

    /** Distinct intact messages received. */
    public synchronized long received() {
        return distinct;
    }

    public synchronized long lost() {
        return payloads.total() - distinct;
    }

    public synchronized long duplicated() {
        return duplicated;
    }

    public synchronized long outOfOrder() {
        return outOfOrder;
    }

    public synchronized long corrupt() {
        return corrupt;
    }

    /** System.nanoTime of the last intact first receipt, 0 before any. */
    public synchronized long lastReceipt() {
        return lastReceipt;
    }

    /** Latencies in ns of publisher 0's received messages (latency mode), unsorted. */
    public synchronized long[] latencies() {
        if (latencies == null) {
            return new long[0];
        }
        long[] out = new long[(int) Math.min(distinct, latencies.length)];
        int n = 0;
        for (int s = seen[0].nextSetBit(0); s >= 0 && n < out.length; s = seen[0].nextSetBit(s + 1)) {
            out[n++] = latencies[s];
        }
        return out;
    }
}
