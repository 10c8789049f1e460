package io.lhttp.memory;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes everything a client can make the server hold may take together
 * ({@code lhttp.memory.budget-bytes}; by default {@value #DEFAULT_HEAP_PERCENT} % of the heap,
 * {@code Runtime.maxMemory()}): unfinished inbound frames, send queues, history, upstream bodies and
 * publishes waiting for JetStream. Each holder counts what it keeps here as it keeps and frees it.
 *
 * <p>Two rules, both cheap enough for every frame (one {@link AtomicLong} update and one striped
 * {@link LongAdder} increment, no lock):
 * <ul>
 * <li><b>New work is refused near full.</b> {@link #tryTake} (a new unfinished frame, a new
 * connection, an HTTP publish, a history entry) fails once the budget would pass
 * {@value #NEW_WORK_PERCENT} % of its limit: the caller answers 1013 / 503 / 429.</li>
 * <li><b>The largest holders are cut first.</b> Work already accepted (a frame for an existing
 * subscriber) is always counted ({@link #take}); when that puts the budget over its limit, only a
 * holder above its {@linkplain #fairShare fair share} (limit / holders) is cut, so a connection
 * within its share keeps being served.</li>
 * </ul>
 * The per-connection and per-address limits stay: they keep one client from taking the whole budget.
 */
public final class MemoryBudget {

    /** What holds the bytes (for the metrics and the status page). */
    public enum Use {
        INBOUND,
        SEND_QUEUES,
        HISTORY,
        UPSTREAM,
        PUBLISHES
    }

    /** The default budget, in percent of the heap ({@code -Xmx}). The rest is the server's own. */
    public static final int DEFAULT_HEAP_PERCENT = 30;
    /** New work is refused once the budget is this full, in percent. */
    public static final int NEW_WORK_PERCENT = 90;
    /** A holder with nothing confirmed for this long counts as stalled (see {@link Account#overShare}). */
    public static final long STALLED_NANOS = 1_000_000_000L;
    /** The heap is under pressure when more than this much of it is used, in percent. */
    public static final int HEAP_PRESSURE_PERCENT = 80;

    private final long limit;
    private final long newWorkLimit;
    private final AtomicLong used = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();
    private final LongAdder[] byUse = new LongAdder[Use.values().length];
    private volatile boolean heapPressure;
    private final long stalledNanos;

    public MemoryBudget(long limit) {
        this(limit, STALLED_NANOS);
    }

    /** @param stalledNanos how long a holder must have had nothing confirmed to be cut (tests: 0) */
    public MemoryBudget(long limit, long stalledNanos) {
        this.stalledNanos = stalledNanos;
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, not " + limit);
        }
        this.limit = limit;
        this.newWorkLimit = limit / 100 * NEW_WORK_PERCENT + limit % 100 * NEW_WORK_PERCENT / 100;
        for (int i = 0; i < byUse.length; i++) {
            byUse[i] = new LongAdder();
        }
    }

    /** The budget for a configured value: {@code configured} when positive, else {@value #DEFAULT_HEAP_PERCENT} % of {@code maxHeap}. */
    public static long limitFor(long configured, long maxHeap) {
        return configured > 0 ? configured : Math.max(1, maxHeap / 100 * DEFAULT_HEAP_PERCENT);
    }

    /** A budget of {@value #DEFAULT_HEAP_PERCENT} % of this JVM's heap. */
    public static MemoryBudget ofHeap() {
        return new MemoryBudget(limitFor(0, Runtime.getRuntime().maxMemory()));
    }

    /**
     * Takes {@code bytes} for new work; false, and nothing taken, when that would pass
     * {@value #NEW_WORK_PERCENT} % of the limit.
     */
    public boolean tryTake(Use use, long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > newWorkLimit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        byUse[use.ordinal()].add(bytes);
        return true;
    }

    /**
     * Counts {@code bytes} of work already accepted, whatever the budget holds.
     *
     * @return whether the budget is now over its limit: the caller cuts itself if it holds more
     *         than its {@link #fairShare}
     */
    public boolean take(Use use, long bytes) {
        byUse[use.ordinal()].add(bytes);
        return used.addAndGet(bytes) > limit;
    }

    /** Gives back what {@link #take} or {@link #tryTake} counted. */
    public void give(Use use, long bytes) {
        byUse[use.ordinal()].add(-bytes);
        used.addAndGet(-bytes);
    }

    /** Whether new work would be accepted now (a new connection, an HTTP publish): below the mark, and the heap not under pressure. */
    public boolean acceptsNewWork() {
        return used.get() < newWorkLimit && !heapPressure;
    }

    /**
     * Told by the connection sweeper whether the heap was above {@value #HEAP_PRESSURE_PERCENT} %
     * used right after the last collection: then, whatever the budget counts, new work waits. What the budget cannot count (a
     * container's own buffers, such as Tyrus's for a frame not yet complete on Payara) shows there.
     */
    public void heapPressure(boolean underPressure) {
        this.heapPressure = underPressure;
    }

    public boolean heapPressure() {
        return heapPressure;
    }

    /** Whether a heap of which {@code used} of {@code max} bytes are taken is under pressure. */
    public static boolean isPressure(long used, long max) {
        return max > 0 && used > max / 100 * HEAP_PRESSURE_PERCENT;
    }

    /** Whether the budget is over its limit: holders above their fair share are cut. */
    public boolean over() {
        return used.get() > limit;
    }

    /** What one of {@code holders} may hold before it counts as one of the largest: the limit shared equally. */
    public long fairShare(int holders) {
        return limit / Math.max(1, holders);
    }

    /** The fair share among the {@link Account}s open now. */
    public long fairShare() {
        return fairShare(holders.get());
    }

    public long limit() {
        return limit;
    }

    /** Bytes counted now. */
    public long used() {
        return used.get();
    }

    /** Bytes counted now for one use. */
    public long used(Use use) {
        return byUse[use.ordinal()].sum();
    }

    /**
     * One holder's bytes, counted here as well: every change of the holder's count is a change of
     * the budget's by the same amount, so the budget is always the sum of its accounts. Has the
     * methods of the {@link AtomicLong} it replaces in a holder.
     */
    public Account account(Use use) {
        holders.incrementAndGet();
        return new Account(this, use);
    }

    /** See {@link #account}. */
    public static final class Account {
        private final MemoryBudget budget;
        private final Use use;
        private final AtomicLong held = new AtomicLong();
        private final AtomicLong inFlight = new AtomicLong();
        private volatile long lastConfirmed = System.nanoTime();
        private final java.util.concurrent.atomic.AtomicBoolean open =
                new java.util.concurrent.atomic.AtomicBoolean(true);

        private Account(MemoryBudget budget, Use use) {
            this.budget = budget;
            this.use = use;
        }

        /** Adds {@code delta} (negative: frees) here and to the budget; returns this account's new total. */
        public long addAndGet(long delta) {
            budget.take(use, delta);
            return held.addAndGet(delta);
        }

        public long get() {
            return held.get();
        }

        /** Frees everything held: this account to 0, the budget by what it held. */
        public void set(long zero) {
            if (zero != 0) {
                throw new IllegalArgumentException("an account is only ever reset to 0");
            }
            long was = held.getAndSet(0);
            if (was != 0) {
                budget.give(use, was);
            }
        }

        /**
         * Moves {@code bytes} from what is held to what is handed on and not yet confirmed gone (a
         * frame given to the container and not yet acknowledged): the budget still counts them.
         */
        public void handedOn(long bytes) {
            handedOn(bytes, 1);
        }

        /**
         * As {@link #handedOn(long)}, counting the bytes handed on {@code copies} times from now
         * until confirmed: what the receiver really keeps of them (issue 18: a container encodes
         * each session's copy of a frame, and keeps it until written), not what was queued.
         */
        public void handedOn(long bytes, int copies) {
            held.addAndGet(-bytes);
            long extra = bytes * (copies - 1);
            if (extra != 0) {
                budget.take(use, extra);
            }
            inFlight.addAndGet(bytes * copies);
        }

        /** Everything handed on is confirmed gone (an acknowledgement confirms every frame before it). */
        public void confirmed() {
            long was = inFlight.getAndSet(0);
            if (was != 0) {
                budget.give(use, was);
                lastConfirmed = System.nanoTime();
            }
        }

        /** Bytes handed on and not yet confirmed. */
        public long inFlight() {
            return inFlight.get();
        }

        /**
         * Whether this holder is to be cut: the budget is over its limit, this holder holds more than
         * its fair share (held and handed on), and nothing it handed on was confirmed for
         * {@link #STALLED_NANOS} (its client stopped reading). Why the last: a fan-out queues one
         * shared frame to every subscriber and each queue counts it, so a burst to many healthy
         * readers may count more than it takes; they keep confirming, a stalled reader does not.
         * One volatile read while the budget is within its limit.
         */
        public boolean overShare() {
            return budget.over()
                    && held.get() + inFlight.get() > budget.fairShare()
                    && System.nanoTime() - lastConfirmed >= budget.stalledNanos;
        }

        /** The holder is gone: frees what it held and handed on, and leaves the fair-share count. Idempotent. */
        public void close() {
            set(0);
            confirmed();
            if (open.compareAndSet(true, false)) {
                budget.holders.decrementAndGet();
            }
        }

        public MemoryBudget budget() {
            return budget;
        }
    }

    @Override
    public String toString() {
        return used.get() + " of " + limit + " bytes" + (heapPressure ? "; the heap is under pressure" : "");
    }
}
