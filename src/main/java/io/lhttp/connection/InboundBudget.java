package io.lhttp.connection;

import io.lhttp.memory.MemoryBudget;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all connections together may hold in unfinished frames ({@code lhttp.inbound-buffer-total-bytes}),
 * counted in the memory budget ({@code lhttp.memory.budget-bytes}) too: a part is refused (1013) when
 * either is near full.
 * A connection reserves before it keeps a part of a frame across callbacks and releases when the
 * frame is complete or the connection closes. Only what our code holds is counted: a frame the
 * container hands over whole in one call is never reserved.
 */
final class InboundBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final MemoryBudget memory;

    InboundBudget(long limit) {
        this(limit, null);
    }

    /** @param memory the server's memory budget these bytes count in too (issue 18), or null */
    InboundBudget(long limit, MemoryBudget memory) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, not " + limit);
        }
        this.limit = limit;
        this.memory = memory;
    }

    /** Takes {@code bytes} from the budget; false (and nothing taken) when that would pass the limit. */
    boolean reserve(long bytes) {
        return reserve(bytes, Long.MAX_VALUE / 2);
    }

    /**
     * As {@link #reserve(long)}, for a connection that already holds {@code heldSoFar} of its frame:
     * within its fair share of the memory budget a part is always taken there (a client sending an
     * ordinary fragmented message is not refused because others filled the budget); beyond it, only
     * below the budget's new-work mark.
     */
    boolean reserve(long bytes, long heldSoFar) {
        long now;
        do {
            now = used.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        if (memory != null) {
            if (heldSoFar + bytes <= memory.fairShare()) {
                memory.take(MemoryBudget.Use.INBOUND, bytes);
            } else if (!memory.tryTake(MemoryBudget.Use.INBOUND, bytes)) {
                used.addAndGet(-bytes);
                return false;
            }
        }
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
        if (memory != null && bytes != 0) {
            memory.give(MemoryBudget.Use.INBOUND, bytes);
        }
    }

    /** Bytes held in unfinished frames now. */
    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
