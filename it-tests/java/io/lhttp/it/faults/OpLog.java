package io.lhttp.it.faults;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The history of one fault run: every operation a client did or saw, with the time it was done or
 * seen (ns since the run started). Written by many threads; read by the {@link Checker} afterwards.
 */
final class OpLog {

    /** One operation. */
    sealed interface Op permits Sent, Outcome, Joined, Delivered, SessionEnded, Unsubscribed, Fault {
        long at();
    }

    /** A publish left the client: message {@code n} of {@code publisher} to {@code channel}. */
    record Sent(long at, String publisher, int n, String channel, boolean http) implements Op {}

    /** What the publisher knows about message {@code n}: the server's answer, decided after the run. */
    record Outcome(long at, String publisher, int n, Result result) implements Op {}

    /** ACK: stored (no error frame / 202); ERR: error frame or non-202; UNKNOWN: the connection went before it could tell. */
    enum Result {
        ACK,
        ERR,
        UNKNOWN
    }

    /**
     * A subscriber's session got its {@code subscribed} answer: {@code recovered} null for a first
     * subscribe (no {@code since}), else the server's answer.
     */
    record Joined(
            long at,
            String subscriber,
            int session,
            String channel,
            String instance,
            String since,
            Boolean recovered,
            String position)
            implements Op {}

    /** A message of {@code publisher} ({@code n}) reached a subscriber's session. */
    record Delivered(long at, String subscriber, int session, String publisher, int n, String position, String channel)
            implements Op {}

    /** A subscriber's connection closed (cut, instance killed) or was closed by the harness. */
    record SessionEnded(long at, String subscriber, int session) implements Op {}

    /** The server has handled the subscriber's unsubscribe (a later frame was answered). */
    record Unsubscribed(long at, String subscriber, int session) implements Op {}

    /** A fault was injected at {@code at} and over at {@code until} (for the explanations). */
    record Fault(long at, long until, String description) implements Op {}

    private final long start = System.nanoTime();
    private final List<Op> ops = new ArrayList<>();

    long now() {
        return System.nanoTime() - start;
    }

    void add(Op op) {
        synchronized (ops) {
            ops.add(op);
        }
    }

    /** A copy, in time order (ties keep the order they were added in). */
    List<Op> ops() {
        List<Op> copy;
        synchronized (ops) {
            copy = new ArrayList<>(ops);
        }
        copy.sort(Comparator.comparingLong(Op::at));
        return copy;
    }
}
