package io.lhttp.connection;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all connections together may hold in unfinished frames ({@code lhttp.inbound-buffer-total-bytes}).
 * A connection reserves before it keeps a part of a frame across callbacks and releases when the
 * frame is complete or the connection closes. Only what our code holds is counted: a frame the
 * container hands over whole in one call is never reserved.
 */
final class InboundBudget {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    InboundBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, not " + limit);
        }
        this.limit = limit;
    }

    /** Takes {@code bytes} from the budget; false (and nothing taken) when that would pass the limit. */
    boolean reserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (now + bytes > limit) {
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Bytes held in unfinished frames now. */
    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
