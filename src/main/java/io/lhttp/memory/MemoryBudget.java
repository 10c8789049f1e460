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
    public enum Use { INBOUND, SEND_QUEUES, HISTORY, UPSTREAM, PUBLISHES }

    /** The default budget, in percent of the heap ({@code -Xmx}). The rest is the server's own. */
    public static final int DEFAULT_HEAP_PERCENT = 30;
    /** New work is refused once the budget is this full, in percent. */
    public static final int NEW_WORK_PERCENT = 90;

    private final long limit;
    private final long newWorkLimit;
    private final AtomicLong used = new AtomicLong();
    private final java.util.concurrent.atomic.AtomicInteger holders = new java.util.concurrent.atomic.AtomicInteger();
    private final LongAdder[] byUse = new LongAdder[Use.values().length];

    public MemoryBudget(long limit) {
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

    /** Whether new work would be accepted now (a new connection, an HTTP publish). */
    public boolean acceptsNewWork() {
        return used.get() < newWorkLimit;
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
        private final java.util.concurrent.atomic.AtomicBoolean open = new java.util.concurrent.atomic.AtomicBoolean(true);

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
         * Whether this holder is among the largest while the budget is over its limit: it holds more
         * than its fair share. One volatile read while the budget is within its limit.
         */
        public boolean overShare() {
            return budget.over() && held.get() > budget.fairShare();
        }

        /** The holder is gone: frees what it held and leaves the fair-share count. Idempotent. */
        public void close() {
            set(0);
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
        return used.get() + " of " + limit + " bytes";
    }
}
