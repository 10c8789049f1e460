package io.lhttp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.History;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream the NATS bus asks JetStream for, from the history and JetStream settings. */
class JetStreamHistoryTest {

    @Test
    void theStreamHoldsTheHistorySubjectsWithTheConfiguredLimitsAndRepublishesToTheChannelSubjects() {
        JetStreamHistory h = new JetStreamHistory(
                new History("room*,chat", 50, 60_000, 200),
                new JetStreamSettings("S1", "hist.", false, 3, false, Duration.ofSeconds(1), 4),
                "lhttp.");
        StreamConfiguration c = h.configuration();
        assertEquals("S1", c.getName());
        assertEquals(List.of("hist.>"), c.getSubjects());
        assertEquals(50L, c.getMaxMsgsPerSubject());
        assertEquals(50L * 200, c.getMaxMsgs(), "bounded whatever channel names clients choose");
        assertEquals(DiscardPolicy.Old, c.getDiscardPolicy());
        assertEquals(Duration.ofMillis(60_000), c.getMaxAge());
        assertEquals(StorageType.File, c.getStorageType());
        assertEquals(3, c.getReplicas());
        assertEquals("hist.>", c.getRepublish().getSource());
        assertEquals("lhttp.>", c.getRepublish().getDestination());
        assertFalse(c.getRepublish().isHeadersOnly(), "subscribers need the frame, not only its headers");
        assertTrue(h.covers("room7") && h.covers("chat") && !h.covers("plain"));
    }

    @Test
    void noAgeLimitAndMemoryStorage() {
        StreamConfiguration c = new JetStreamHistory(
                        new History("chat", 5, 0, 10),
                        new JetStreamSettings("S2", "h.", true, 1, false, Duration.ofSeconds(1), 4),
                        "l.")
                .configuration();
        assertEquals(Duration.ZERO, c.getMaxAge());
        assertEquals(StorageType.Memory, c.getStorageType());
    }

    /** Issue 18: the stream is bounded in bytes by lhttp.history.max-bytes, oldest dropped. */
    @Test
    void theStreamIsBoundedInBytesByTheHistoryTotal() {
        StreamConfiguration c = new JetStreamHistory(
                        new History("chat", 5, 0, 10, 1000, 123_456, null),
                        new JetStreamSettings("S3", "h.", false, 1, false, Duration.ofSeconds(1), 4),
                        "l.")
                .configuration();
        assertEquals(123_456, c.getMaxBytes());
        assertEquals(io.nats.client.api.DiscardPolicy.Old, c.getDiscardPolicy());
    }

    /**
     * Issue 22 regression: jnats cancels the acknowledgements it still waits for when its connection
     * drops (or its own request timeout passes); such a frame may not be stored, so its publisher must
     * get the 503, never silence (silence meant "stored" to the client, and the message was lost).
     */
    @Test
    void aCancelledOrMissingAcknowledgementIsReportedAsA503NeverAsStored() {
        JetStreamHistory h = new JetStreamHistory(new History("chat", 5, 0, 10), JetStreamSettings.defaults(), "l.");
        java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck> f =
                new java.util.concurrent.CompletableFuture<>();
        f.cancel(false);
        Throwable cancelled = f.handle((a, t) -> t).join();
        assertEquals(503, h.outcome("chat", null, cancelled).code());
        assertEquals(
                503,
                h.outcome(
                                "chat",
                                null,
                                new java.util.concurrent.CompletionException(
                                        new java.util.concurrent.CancellationException()))
                        .code());
        assertEquals(
                503,
                h.outcome("chat", null, new java.util.concurrent.TimeoutException())
                        .code());
        assertEquals(503, h.outcome("chat", null, null).code(), "no acknowledgement is no proof of storage");
    }
}
