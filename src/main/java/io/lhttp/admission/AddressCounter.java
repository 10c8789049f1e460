package io.lhttp.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts something held per client address (connections, upstream calls) against a limit. An
 * address's entry disappears when its count returns to zero, so the map holds only addresses
 * that hold something now: an attacker cycling through addresses cannot grow it.
 */
public final class AddressCounter {

    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    /** Takes one for {@code address} if it holds fewer than {@code limit}; false (nothing taken) otherwise. */
    public boolean tryAcquire(String address, int limit) {
        boolean[] taken = {false};
        counts.compute(address, (a, n) -> {
            int held = n == null ? 0 : n;
            if (held >= limit) {
                return n;
            }
            taken[0] = true;
            return held + 1;
        });
        return taken[0];
    }

    /** Gives one back; never below zero. */
    public void release(String address) {
        counts.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** What {@code address} holds now. */
    public int held(String address) {
        return counts.getOrDefault(address, 0);
    }

    /** Addresses holding anything now. */
    public int addresses() {
        return counts.size();
    }
}
