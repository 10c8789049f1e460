package io.lhttp.load;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Subscribers whose connection ended during a run, by close code. A subscriber that reads is
 * healthy: the server must never close it (the slow-consumer policy is for readers that stall),
 * so every entry here is a defect the result line has to show, not just a lower count.
 */
public final class Closes {

    /** Recorded when the socket failed without a close frame or an orderly end (e.g. a reset). */
    public static final int RESET = -1;

    private final Map<Integer, Integer> byCode = new TreeMap<>();

    /** One subscriber ended: {@code code} from its close frame, 1006 for an end without one, or {@link #RESET}. */
    public synchronized void record(int code) {
        byCode.merge(code, 1, Integer::sum);
    }

    public synchronized int count() {
        return byCode.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** E.g. {@code "1008x21 1006x1"}, codes in ascending order, {@code reset} for {@link #RESET}; empty when none. */
    public synchronized String summary() {
        return byCode.entrySet().stream()
                .map(e -> (e.getKey() == RESET ? "reset" : e.getKey().toString()) + "x" + e.getValue())
                .collect(Collectors.joining(" "));
    }
}
