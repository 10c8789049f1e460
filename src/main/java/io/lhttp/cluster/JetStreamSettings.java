package io.lhttp.cluster;

import java.time.Duration;

/**
 * Where and how the NATS bus keeps channel history in JetStream (the {@code lhttp.jetstream.*}
 * keys of {@link io.lhttp.config.LhttpConfig}).
 *
 * @param stream        the stream's name
 * @param subjectPrefix prefix of the subjects history channels are published to (and stored under); ends with {@code .}
 * @param memory        memory storage instead of file
 * @param replicas      the stream's replicas (1 for a single nats-server)
 * @param required      when JetStream is not available: refuse history channels (503, readiness DOWN)
 *                      instead of carrying them without history
 * @param timeout       how long a publish waits for the stream's acknowledgement, and each history request for its answer
 * @param maxReplays    recoveries ({@code since}) running at once on this instance
 * @param maxPending    publishes of one WebSocket connection to history channels sent and not yet
 *                      acknowledged by the stream; one more waits for an acknowledgement (at most {@code timeout})
 * @param duplicateWindow the stream's duplicate window: a keyed publish ({@code Nats-Msg-Id}) repeated
 *                      within it is stored once ({@code lhttp.idempotency.window-ms})
 */
public record JetStreamSettings(
        String stream,
        String subjectPrefix,
        boolean memory,
        int replicas,
        boolean required,
        Duration timeout,
        int maxReplays,
        int maxPending,
        Duration duplicateWindow) {

    /** As the canonical constructor, with {@code duplicateWindow} at its default (2 min). */
    public JetStreamSettings(
            String stream,
            String subjectPrefix,
            boolean memory,
            int replicas,
            boolean required,
            Duration timeout,
            int maxReplays,
            int maxPending) {
        this(
                stream,
                subjectPrefix,
                memory,
                replicas,
                required,
                timeout,
                maxReplays,
                maxPending,
                DEFAULT_DUPLICATE_WINDOW);
    }

    /** {@code lhttp.idempotency.window-ms}'s default. */
    public static final Duration DEFAULT_DUPLICATE_WINDOW =
            Duration.ofMillis(io.lhttp.config.LhttpConfig.DEFAULT_IDEMPOTENCY_WINDOW_MS);

    /** As the canonical constructor, with {@code maxPending} at its default (256). */
    public JetStreamSettings(
            String stream,
            String subjectPrefix,
            boolean memory,
            int replicas,
            boolean required,
            Duration timeout,
            int maxReplays) {
        this(stream, subjectPrefix, memory, replicas, required, timeout, maxReplays, 256);
    }

    public JetStreamSettings {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be at least 1, not " + maxPending);
        }
        if (duplicateWindow == null || duplicateWindow.isNegative() || duplicateWindow.isZero()) {
            throw new IllegalArgumentException("duplicateWindow must be positive, not " + duplicateWindow);
        }
    }

    /** The defaults of {@link io.lhttp.config.LhttpConfig}; for tests that build a bus by hand. */
    public static JetStreamSettings defaults() {
        return new JetStreamSettings("LHTTP", "lhttp-history.", false, 1, false, Duration.ofSeconds(2), 16, 256);
    }

    /** The same settings with another {@link #maxPending}. */
    public JetStreamSettings withMaxPending(int pending) {
        return new JetStreamSettings(
                stream, subjectPrefix, memory, replicas, required, timeout, maxReplays, pending, duplicateWindow);
    }

    /** The same settings with another {@link #duplicateWindow}. */
    public JetStreamSettings withDuplicateWindow(Duration window) {
        return new JetStreamSettings(
                stream, subjectPrefix, memory, replicas, required, timeout, maxReplays, maxPending, window);
    }
}
