package io.lhttp.cluster;

import io.lhttp.channel.History;
import io.lhttp.channel.Position;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Message;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.Republish;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import io.nats.client.api.StreamState;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * History channels kept in one JetStream stream (PROTOCOL.md §2.2, docs/CLUSTER.md).
 *
 * <p>A history channel is published, with an acknowledgement, to {@code <jetstream prefix><channel>},
 * the stream's subjects. The stream stores it and <em>republishes</em> it to the channel's ordinary
 * subject {@code <nats prefix><channel>} with its sequence in the {@code Nats-Sequence} header, so
 * instances keep receiving every channel by one core subscription per channel with local
 * subscribers (no consumer per instance, nothing for channels nobody here listens to), and each
 * live message carries its position. Plain channels never touch the stream.
 *
 * <p>A position is {@code <epoch>:<stream sequence>}; the epoch is the stream's creation time, so a
 * stream deleted and created again has another epoch and old positions recover nothing wrong.
 */
final class JetStreamHistory {

    private static final Logger LOG = Logger.getLogger(JetStreamHistory.class.getName());
    /** JetStream API error: no message (direct get past the end, no message for the subject). */
    private static final int NOT_FOUND = 404;

    /** Failed {@link #ensure} calls since the last success: the first is logged loudly, the rest quietly. */
    private volatile int failedEnsures;

    private static final long RETRY_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /** JetStream API error code: stream name already in use (with another configuration). */
    private static final int STREAM_NAME_IN_USE = 10058;
    /** JetStream's deduplication header: a repeat within the stream's duplicate window is stored once. */
    static final String MSG_ID = "Nats-Msg-Id";

    /** One replayed message. */
    record Entry(String frame, Position position) {}

    /**
     * What one subscriber is told when it joins a channel.
     *
     * @param entries  the missed messages, oldest first
     * @param bound    the sequence up to which the subscriber is served by the replay: it receives live
     *                 only the channel's messages after it
     * @param top      {@code <epoch>:<bound>}
     * @param complete whether nothing after {@code since} was lost
     */
    record Recovery(List<Entry> entries, long bound, Position top, boolean complete) {}

    private final History history;
    private final JetStreamSettings settings;
    private final String natsPrefix;
    private volatile JetStream js; // null until the stream is there
    private volatile JetStreamManagement jsm;
    private volatile String epoch;

    JetStreamHistory(History history, JetStreamSettings settings, String natsPrefix) {
        this.history = history;
        this.settings = settings;
        this.natsPrefix = natsPrefix;
    }

    boolean covers(String channel) {
        return history.covers(channel);
    }

    /** Whether the stream exists and history channels go through it. */
    boolean isReady() {
        return js != null;
    }

    boolean required() {
        return settings.required();
    }

    Duration timeout() {
        return settings.timeout();
    }

    int maxReplays() {
        return settings.maxReplays();
    }

    /** The stream's configuration from the settings: idempotent, so every instance may create it. */
    StreamConfiguration configuration() {
        String subjects = settings.subjectPrefix() + ">";
        StreamConfiguration.Builder b = StreamConfiguration.builder()
                .name(settings.stream())
                .description("lhttp channel history (lhttp.history.channels)")
                .subjects(subjects)
                .maxMessagesPerSubject(history.size())
                // Bounds the disk whatever channel names clients choose, as max-channels bounds memory in process.
                .maxMessages((long) history.size() * history.maxChannels())
                .discardPolicy(DiscardPolicy.Old)
                .storageType(settings.memory() ? StorageType.Memory : StorageType.File)
                .replicas(settings.replicas())
                .allowDirect(true)
                .republish(Republish.builder()
                        .source(subjects)
                        .destination(natsPrefix + ">")
                        .build());
        if (history.ttlMillis() > 0) {
            b.maxAge(Duration.ofMillis(history.ttlMillis()));
        }
        b.duplicateWindow(duplicateWindow()); // keyed publishes (Nats-Msg-Id) stored once within it
        if (history.maxBytes() != Long.MAX_VALUE) {
            b.maxBytes(history.maxBytes()); // lhttp.history.max-bytes: the oldest go first (DiscardPolicy.Old)
        }
        return b.build();
    }

    /**
     * Creates the stream, or updates its limits to the configuration, and takes its epoch. On
     * failure (no JetStream on the server, no permission) history channels stay without history
     * and the reason is logged.
     *
     * @return whether the stream is ready
     */
    boolean ensure(Connection conn) {
        StreamConfiguration config = configuration();
        try {
            JetStreamOptions options = JetStreamOptions.builder()
                    .requestTimeout(settings.timeout())
                    .build();
            JetStreamManagement m = conn.jetStreamManagement(options);
            StreamInfo info;
            try {
                info = m.addStream(config); // the same configuration again answers the existing stream
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NAME_IN_USE) {
                    throw e;
                }
                try {
                    info = m.updateStream(config);
                    LOG.log(Level.INFO, "JetStream stream {0} updated to the configured limits", settings.stream());
                } catch (JetStreamApiException notUpdatable) {
                    // e.g. storage or replicas cannot change in place: keep the stream as the operator has it.
                    info = m.getStreamInfo(settings.stream());
                    LOG.log(
                            Level.WARNING,
                            "JetStream stream {0} exists with another configuration that cannot be"
                                    + " updated ({1}); using it as it is",
                            new Object[] {settings.stream(), notUpdatable.getMessage()});
                }
            }
            epoch = epochOf(info);
            jsm = m;
            js = conn.jetStream(options);
            if (failedEnsures > 0) {
                LOG.log(Level.INFO, "JetStream is available again after {0} failed attempt(s)", failedEnsures);
                failedEnsures = 0;
            }
            LOG.log(
                    Level.INFO,
                    "lhttp history in JetStream stream {0} (subjects {1}>, republished to {2}>, {3} per"
                            + " channel, max age {4} ms, {5}, replicas {6}), epoch {7}",
                    new Object[] {
                        settings.stream(),
                        settings.subjectPrefix(),
                        natsPrefix,
                        String.valueOf(history.size()),
                        String.valueOf(history.ttlMillis()),
                        settings.memory() ? "memory" : "file",
                        String.valueOf(settings.replicas()),
                        epoch
                    });
            return true;
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            js = null;
            if (failedEnsures++ > 0) {
                // Said once per outage; the retries (every few seconds) go to FINE.
                LOG.log(Level.FINE, "JetStream still not available ({0}), attempt {1}", new Object[] {
                    e.toString(), failedEnsures
                });
            } else if (settings.required()) {
                LOG.log(
                        Level.SEVERE,
                        "JetStream is not available ({0}): lhttp.jetstream.required=true, so publishing to"
                                + " history channels is refused (503) and readiness is DOWN until it is; start nats-server"
                                + " with -js",
                        e.toString());
            } else {
                LOG.log(
                        Level.WARNING,
                        "JetStream is not available ({0}): history channels ({1}) work as plain channels"
                                + " on NATS, without positions, and recovery answers recovered:false; start nats-server with -js",
                        new Object[] {e.toString(), history});
            }
            return false;
        }
    }

    /** Forgets the stream, e.g. when a publish learnt it is gone; {@link #ensure} makes it again. */
    void lost() {
        js = null;
    }

    /** Epoch token: the stream's creation time in ns, base 36 (at most 13 characters). */
    static String epochOf(StreamInfo info) {
        java.time.Instant created = info.getCreateTime().toInstant();
        return Long.toString(created.getEpochSecond() * 1_000_000_000L + created.getNano(), 36);
    }

    /** The position of a stream sequence in the current epoch; null before the stream is known. */
    Position position(long sequence) {
        String e = epoch;
        return e == null || sequence <= 0 ? null : new Position(e, sequence);
    }

    /** The stream sequence of a republished message, or -1 when it did not come through the stream. */
    long sequence(Message msg) {
        if (!msg.hasHeaders()) {
            return -1;
        }
        String stream = msg.getHeaders().getFirst("Nats-Stream");
        String seq = msg.getHeaders().getFirst("Nats-Sequence");
        if (seq == null || !settings.stream().equals(stream)) {
            return -1;
        }
        try {
            return Long.parseLong(seq.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The sequence of the channel's message before this republished one ({@code Nats-Last-Sequence}), or -1. */
    static long previous(Message msg) {
        String seq = msg.hasHeaders() ? msg.getHeaders().getFirst("Nats-Last-Sequence") : null;
        if (seq == null) {
            return -1;
        }
        try {
            return Long.parseLong(seq.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The memory budget publishes waiting for an acknowledgement count in, or null. */
    io.lhttp.memory.MemoryBudget memoryBudget() {
        return history.memoryBudget();
    }

    int maxPending() {
        return settings.maxPending();
    }

    /**
     * The stream's duplicate window: {@code lhttp.idempotency.window-ms}, at most the history's
     * max age (JetStream refuses a window longer than {@code max_age}).
     */
    Duration duplicateWindow() {
        Duration window = settings.duplicateWindow();
        if (history.ttlMillis() > 0 && window.toMillis() > history.ttlMillis()) {
            return Duration.ofMillis(history.ttlMillis());
        }
        return window;
    }

    /**
     * Stores a frame and waits for the stream's acknowledgement.
     *
     * @throws ProtocolException 503 when not acknowledged in time or refused, 413 over the server's max payload
     */
    void publish(String channel, String frame) throws ProtocolException {
        publish(channel, frame, null);
    }

    /**
     * Stores a frame with a message id ({@code Nats-Msg-Id}, null for none) and waits for the
     * stream's acknowledgement.
     *
     * @return false when the stream had that id within its duplicate window already (stored once, not again)
     * @throws ProtocolException 503 when not acknowledged in time or refused, 413 over the server's max payload
     */
    boolean publish(String channel, String frame, String messageId) throws ProtocolException {
        CompletableFuture<PublishAck> sent = send(channel, frame, messageId);
        PublishAck ack = null;
        Throwable failure = null;
        try {
            ack = sent.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProtocolException(503, "interrupted, message may not be published");
        } catch (TimeoutException e) {
            failure = e;
        } catch (ExecutionException e) {
            failure = e.getCause();
        }
        ProtocolException refused = outcome(channel, ack, failure);
        if (refused != null) {
            throw refused;
        }
        return !ack.isDuplicate();
    }

    /**
     * Sends a frame to the stream without waiting: the future completes with the acknowledgement,
     * or exceptionally after {@code lhttp.jetstream.timeout-ms} with a {@link TimeoutException}.
     * Frames sent from one thread reach the stream in the order sent (one NATS connection).
     *
     * @throws ProtocolException 503 without the stream or the connection, 413 over the server's max payload
     */
    CompletableFuture<PublishAck> send(String channel, String frame) throws ProtocolException {
        return send(channel, frame, null);
    }

    /** As {@link #send(String, String)}, with a message id ({@code Nats-Msg-Id}) when not null. */
    CompletableFuture<PublishAck> send(String channel, String frame, String messageId) throws ProtocolException {
        JetStream j = js;
        if (j == null) {
            throw new ProtocolException(503, "history store not available, message not published");
        }
        try {
            String subject = settings.subjectPrefix() + channel;
            byte[] data = frame.getBytes(StandardCharsets.UTF_8);
            CompletableFuture<PublishAck> sent = messageId == null
                    ? j.publishAsync(subject, data)
                    : j.publishAsync(subject, new Headers().put(MSG_ID, messageId), data);
            return sent
                    // jnats would time it out only at its next cleanup (seconds later): ours is the configured timeout.
                    .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(413, "message larger than the cluster bus accepts");
        } catch (IllegalStateException e) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
    }

    /**
     * What a sent frame's outcome means for its publisher: null only when the stream acknowledged
     * it, else the 503 to report. A cancelled wait is a 503 too: jnats cancels the requests it still
     * waits for when its connection drops or its own request timeout passes, and such a frame may
     * never have been stored (issue 22: taking a cancellation for success lost acknowledged-looking
     * messages when the stream's leader died). A publisher that closes drops the report itself.
     * A stream that is gone is forgotten.
     */
    ProtocolException outcome(String channel, PublishAck ack, Throwable failure) {
        Throwable f = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        if (f == null) {
            return ack != null && !ack.hasError()
                    ? null
                    : new ProtocolException(503, "history store refused the message");
        }
        if (f instanceof java.util.concurrent.CancellationException) {
            return new ProtocolException(
                    503,
                    "history store connection lost before the acknowledgement; the message may" + " not be published");
        }
        if (f instanceof TimeoutException) {
            return new ProtocolException(
                    503, "history store did not acknowledge in time; the message may not be published");
        }
        // No responders: the stream is gone (deleted, or JetStream restarted without its store).
        LOG.log(Level.WARNING, "JetStream publish to {0} failed: {1}", new Object[] {channel, f});
        lost();
        return new ProtocolException(503, "history store refused the message");
    }

    /**
     * Reads what a subscriber joining {@code channel} needs from the stream: the epoch, the bound
     * (the channel's newest stored sequence, or the stream's when the channel has none) and, when
     * {@code since} is given, the kept messages after it up to the bound, at most
     * {@code lhttp.history.size}. The caller's core subscription to the channel must be known to
     * the server before this is called (it flushes): then every message after the bound reaches it live.
     */
    Recovery recover(String channel, Position since) throws IOException, JetStreamApiException {
        JetStreamManagement m = jsm;
        if (m == null) {
            throw new IOException("history store not available");
        }
        String stream = settings.stream();
        String subject = settings.subjectPrefix() + channel;
        StreamInfo info = m.getStreamInfo(stream);
        String e = epochOf(info);
        epoch = e; // a stream created again since the last look gets its new epoch here
        StreamState state = info.getStreamState();
        long first = state.getFirstSequence();
        long last = state.getLastSequence();
        long subjectLast = -1;
        try {
            subjectLast = m.getLastMessage(stream, subject).getSeq();
        } catch (JetStreamApiException none) {
            if (none.getErrorCode() != NOT_FOUND) {
                throw none;
            }
        }
        // The channel's own newest (a since at it proves itself still kept, below); with none stored, the
        // stream's: a message of the channel stored after the getLastMessage has a later sequence either way.
        long bound = subjectLast >= 0 ? subjectLast : last;
        Position top = new Position(e, bound);
        if (since == null) {
            return new Recovery(List.of(), bound, top, true);
        }
        boolean sameEpoch = since.epoch().equals(e) && since.offset() <= Math.max(last, bound);
        List<Entry> entries = List.of();
        boolean truncated = false;
        if (subjectLast >= 0) {
            // One request per message, each bounded by the timeout; the whole replay too, as a slow
            // server would otherwise hold the subscriber's channel (and a replay permit) size × timeout.
            Range range = read(m, subject, sameEpoch ? since.offset() : 0, subjectLast, e, "replay of " + channel);
            entries = range.entries();
            truncated = range.truncated();
        }
        // Direct gets may be answered by a replica that lags the leader (allow_direct): a replay that stopped short
        // of the channel's newest message has a gap that no live message fills, so it proves nothing (issue 22).
        long replayed = entries.isEmpty()
                ? (sameEpoch ? since.offset() : 0)
                : entries.get(entries.size() - 1).position().offset();
        boolean reachedBound = truncated || subjectLast < 0 || replayed >= subjectLast;
        if (!reachedBound) {
            LOG.log(
                    Level.WARNING,
                    "recovery of {0}: the replay ended at {1}, before the channel''s newest message {2}"
                            + " (a lagging replica answered?); answering recovered:false",
                    new Object[] {channel, replayed, subjectLast});
        }
        boolean complete = sameEpoch
                && !truncated
                && reachedBound
                && (since.offset() >= bound
                        || keptOnSubject(m, since.offset(), subject)
                        // Nothing dropped by count (a full channel) nor from the stream's head (age, stream limit)
                        // after since.
                        || entries.size() < history.size() && first <= since.offset() + 1);
        return new Recovery(entries, bound, top, complete);
    }

    /**
     * The channel's stored messages after sequence {@code after} up to {@code upTo}, oldest first:
     * those a live subscription missed. At most {@code lhttp.history.size}, within 5 × the timeout.
     */
    List<Entry> between(String channel, long after, long upTo) throws IOException, JetStreamApiException {
        JetStreamManagement m = jsm;
        String e = epoch;
        if (m == null || e == null) {
            throw new IOException("history store not available");
        }
        return read(m, settings.subjectPrefix() + channel, after, upTo, e, "reading " + channel)
                .entries();
    }

    /** Messages of one subject read from the stream; truncated when {@code lhttp.history.size} stopped it. */
    private record Range(List<Entry> entries, boolean truncated) {}

    /**
     * The subject's stored messages after {@code after} up to {@code upTo} (a sequence the subject
     * has), oldest first, at most {@code lhttp.history.size}. Direct gets may be answered by a
     * replica that lags the leader, or by none while a node hangs: a read that ends before
     * {@code upTo}, or fails, is tried again from where it stopped, for at most 5 × the timeout
     * (issue 22: one such answer silently cut a live subscriber's gap repair short). It may still
     * end short (the stream dropped them, or no replica caught up): callers compare with {@code upTo}.
     */
    private Range read(JetStreamManagement m, String subject, long after, long upTo, String e, String what)
            throws IOException, JetStreamApiException {
        List<Entry> entries = new ArrayList<>();
        long deadline = System.nanoTime() + settings.timeout().toNanos() * 5;
        long seq = after + 1;
        int retries = 0;
        while (seq <= upTo) {
            if (entries.size() >= history.size()) {
                return new Range(entries, true);
            }
            MessageInfo mi = null;
            Exception failure = null;
            try {
                mi = m.getNextMessage(settings.stream(), seq, subject);
            } catch (JetStreamApiException none) {
                if (none.getErrorCode() != NOT_FOUND) {
                    failure = none;
                }
            } catch (IOException timeout) {
                failure = timeout;
            }
            if (mi != null && mi.getSeq() <= upTo) {
                entries.add(new Entry(new String(mi.getData(), StandardCharsets.UTF_8), new Position(e, mi.getSeq())));
                seq = mi.getSeq() + 1;
                continue;
            }
            if (mi != null) {
                // The subject's next message is past upTo: this replica is current, the rest was dropped.
                return new Range(entries, false);
            }
            // Nothing up to upTo here, though upTo is stored: a lagging (or hung) replica answered.
            if (System.nanoTime() + RETRY_PAUSE_NS > deadline) {
                if (failure instanceof IOException io && entries.isEmpty()) {
                    throw io;
                }
                if (failure instanceof JetStreamApiException api && entries.isEmpty()) {
                    throw api;
                }
                LOG.log(
                        Level.WARNING,
                        "{0}: the stream answered up to {1} of {2} within 5 × lhttp.jetstream.timeout-ms"
                                + " ({3} tries; last: {4})",
                        new Object[] {what, seq - 1, upTo, retries + 1, failure == null ? "not found" : failure});
                return new Range(entries, false);
            }
            retries++;
            try {
                TimeUnit.NANOSECONDS.sleep(RETRY_PAUSE_NS); // a bounded pause before asking (another replica) again
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IOException(what + " interrupted", interrupted);
            }
        }
        if (retries > 0) {
            LOG.log(Level.INFO, "{0}: read up to {1} after {2} retries", new Object[] {what, upTo, retries});
        }
        return new Range(entries, false);
    }

    /**
     * Whether the message at {@code sequence} is still stored and is the channel's: then nothing of
     * the channel after it was dropped, as JetStream drops a subject's oldest first (per-subject
     * limit) and the stream's oldest first (age, total limit).
     */
    private boolean keptOnSubject(JetStreamManagement m, long sequence, String subject)
            throws IOException, JetStreamApiException {
        if (sequence <= 0) {
            return false;
        }
        try {
            return subject.equals(m.getMessage(settings.stream(), sequence).getSubject());
        } catch (JetStreamApiException none) {
            if (none.getErrorCode() != NOT_FOUND) {
                throw none;
            }
            return false;
        }
    }

    @Override
    public String toString() {
        return "JetStream stream " + settings.stream() + (js == null ? " (not ready)" : " epoch " + epoch);
    }
}
