package io.lhttp.channel;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The idempotency keys this instance has published with recently (PROTOCOL.md §2.5), for the
 * channels whose bus does not deduplicate itself: every channel on the in-process bus, plain
 * (history-less) channels on NATS. A key is remembered for {@code lhttp.idempotency.window-ms}
 * after its publish, and at most {@code lhttp.idempotency.max-keys} at once: a new key beyond that
 * forgets the oldest first, so the memory is bounded (at most max-keys × (channel 128 + key 64
 * characters + the entry), about 0.6 KiB each) whatever clients send, and under a flood of keys a
 * retry that comes late may land twice. Thread-safe; one lock, held for a map operation.
 */
public final class IdempotencyWindow {

    private final long windowMillis;
    private final int maxKeys;
    private final LongSupplier clock;
    /** Scoped key to the time it expires; in insertion order, which is expiry order (one window for all). */
    private final LinkedHashMap<String, Long> keys = new LinkedHashMap<>();

    private long forgottenEarly;

    public IdempotencyWindow(long windowMillis, int maxKeys) {
        this(windowMillis, maxKeys, System::currentTimeMillis);
    }

    IdempotencyWindow(long windowMillis, int maxKeys, LongSupplier clock) {
        if (windowMillis < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("window and max keys must be positive");
        }
        this.windowMillis = windowMillis;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /**
     * Claims a scoped key ({@link io.lhttp.protocol.IdempotencyKey#scoped}) for a publish.
     *
     * @return true when it is new within the window (publish it, and {@link #release} it if that
     *         fails); false for a duplicate (publish nothing)
     */
    public synchronized boolean claim(String scopedKey) {
        long now = clock.getAsLong();
        expire(now);
        Long until = keys.get(scopedKey);
        if (until != null) {
            return false; // expire() removed it if it were past its window
        }
        keys.put(scopedKey, now + windowMillis);
        if (keys.size() > maxKeys) {
            Iterator<String> eldest = keys.keySet().iterator();
            eldest.next();
            eldest.remove();
            forgottenEarly++;
        }
        return true;
    }

    /** The publish of a claimed key failed: forget it, so that a retry lands. */
    public synchronized void release(String scopedKey) {
        keys.remove(scopedKey);
    }

    private void expire(long now) {
        Iterator<Map.Entry<String, Long>> it = keys.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue() > now) {
                return;
            }
            it.remove();
        }
    }

    /** Keys remembered now. */
    public synchronized int size() {
        return keys.size();
    }

    /** Keys forgotten before their window ended because {@code max-keys} were remembered. */
    public synchronized long forgottenEarly() {
        return forgottenEarly;
    }

    public long windowMillis() {
        return windowMillis;
    }

    public int maxKeys() {
        return maxKeys;
    }

    @Override
    public String toString() {
        return "window " + windowMillis + " ms, at most " + maxKeys + " keys";
    }
}
