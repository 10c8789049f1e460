package io.lhttp.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One channel's recent messages, bounded by count, age and bytes (issue 18: per channel, and all
 * rings of one {@link History} together through its {@link Pool}, which the memory budget counts
 * too). The oldest go first; a message that cannot be kept empties the ring, so that nobody is
 * told a replay across it was complete. Bytes are frame lengths in chars plus
 * {@value #ENTRY_OVERHEAD} per message. Not thread-safe: the in-process bus
 * uses the ring itself as the channel's lock, held while a message is appended and delivered
 * and while a subscriber is replayed and joined, which is what makes the seam exact.
 */
public final class HistoryRing {

    /** One kept message. */
    public record Entry(long offset, String frame, long time) {}

    /** What a subscriber missed: the frames after its position, and whether that is all of them. */
    public record Replay(List<Entry> entries, boolean complete) {}

    /** What one kept message costs besides its chars: the entry, the string object, the deque slot. */
    static final int ENTRY_OVERHEAD = 64;

    /**
     * The bytes all rings of one history may hold together, counted in a memory budget too (null:
     * none). Thread-safe: rings of different channels take and give concurrently.
     */
    public static final class Pool {
        private final long max;
        private final java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
        private final io.lhttp.memory.MemoryBudget budget;

        public Pool(long max, io.lhttp.memory.MemoryBudget budget) {
            this.max = max;
            this.budget = budget;
        }

        boolean tryTake(long bytes) {
            long now;
            do {
                now = used.get();
                if (now + bytes > max) {
                    return false;
                }
            } while (!used.compareAndSet(now, now + bytes));
            if (budget != null && !budget.tryTake(io.lhttp.memory.MemoryBudget.Use.HISTORY, bytes)) {
                used.addAndGet(-bytes);
                return false;
            }
            return true;
        }

        void give(long bytes) {
            used.addAndGet(-bytes);
            if (budget != null) {
                budget.give(io.lhttp.memory.MemoryBudget.Use.HISTORY, bytes);
            }
        }

        /** Bytes all rings hold now. */
        public long used() {
            return used.get();
        }

        public long max() {
            return max;
        }

        /** The memory budget these bytes count in, or null. */
        io.lhttp.memory.MemoryBudget budget() {
            return budget;
        }
    }

    private final String epoch;
    private final int size;
    private final long ttlMillis;
    private final long maxBytes;
    private final Pool pool;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long last; // offset of the newest message ever appended in this epoch
    private long bytes; // what the kept entries cost, all of it taken from the pool
    private boolean retired; // forgotten by its History: keeps nothing more

    /**
     * @param size      most messages kept
     * @param ttlMillis how long a message is kept; 0 = until pushed out by newer ones
     */
    public HistoryRing(String epoch, int size, long ttlMillis) {
        this(epoch, size, ttlMillis, Long.MAX_VALUE, new Pool(Long.MAX_VALUE, null));
    }

    /**
     * @param maxBytes most bytes kept by this ring
     * @param pool     the bytes shared by all rings of one history
     */
    public HistoryRing(String epoch, int size, long ttlMillis, long maxBytes, Pool pool) {
        this.epoch = epoch;
        this.size = size;
        this.ttlMillis = ttlMillis;
        this.maxBytes = maxBytes;
        this.pool = pool;
    }

    public String epoch() {
        return epoch;
    }

    /** Appends a frame and returns its position. */
    public Position append(String frame, long now) {
        expire(now);
        if (entries.size() == size) {
            dropOldest();
        }
        long cost = cost(frame);
        while (!entries.isEmpty() && bytes + cost > maxBytes) {
            dropOldest();
        }
        boolean kept = !retired && cost <= maxBytes && takeDroppingOldest(cost);
        ++last;
        if (kept) {
            entries.addLast(new Entry(last, frame, now));
            bytes += cost;
        } else {
            // Not kept: a replay that reached back across it must not be complete, so keep nothing before it either.
            clear();
        }
        return new Position(epoch, last);
    }

    /** Takes {@code cost} from the pool, dropping this ring's oldest while the pool has no room. */
    private boolean takeDroppingOldest(long cost) {
        while (!pool.tryTake(cost)) {
            if (entries.isEmpty()) {
                return false;
            }
            dropOldest();
        }
        return true;
    }

    private static long cost(String frame) {
        return (long) frame.length() + ENTRY_OVERHEAD;
    }

    private void dropOldest() {
        Entry e = entries.removeFirst();
        long cost = cost(e.frame());
        bytes -= cost;
        pool.give(cost);
    }

    /** Forgets every kept message and gives its bytes back. */
    void clear() {
        while (!entries.isEmpty()) {
            dropOldest();
        }
    }

    /** The history forgot this ring (more channels than it keeps): give everything back, keep nothing more. */
    void retire() {
        retired = true;
        clear();
    }

    /** Bytes the kept messages cost now. */
    public long bytes() {
        return bytes;
    }

    /** The position of the newest message ({@code offset 0} before the first). */
    public Position top() {
        return new Position(epoch, last);
    }

    /**
     * The kept messages after {@code since}. Complete when {@code since} is of this epoch, not
     * ahead of the newest message, and nothing after it has been dropped. Otherwise everything
     * still kept is returned, marked incomplete: the subscriber may have missed something.
     */
    public Replay since(Position since, long now) {
        expire(now);
        boolean sameEpoch = since != null && since.epoch().equals(epoch) && since.offset() <= last;
        long from = sameEpoch ? since.offset() : 0;
        long oldest = entries.isEmpty() ? last + 1 : entries.peekFirst().offset();
        boolean complete = sameEpoch && from + 1 >= oldest;
        List<Entry> missed = new ArrayList<>();
        for (Entry e : entries) {
            if (e.offset() > from) {
                missed.add(e);
            }
        }
        return new Replay(missed, complete);
    }

    /** Messages kept now. */
    public int kept() {
        return entries.size();
    }

    private void expire(long now) {
        if (ttlMillis > 0) {
            while (!entries.isEmpty() && now - entries.peekFirst().time() > ttlMillis) {
                dropOldest();
            }
        }
    }
}
