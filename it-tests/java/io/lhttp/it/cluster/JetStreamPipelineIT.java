package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.Bus;
import io.lhttp.channel.History;
import io.lhttp.channel.Position;
import io.lhttp.cluster.JetStreamSettings;
import io.lhttp.cluster.NatsBus;
import io.lhttp.it.support.Await;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A connection's publishes to a history channel over NATS are pipelined ({@link Bus#publisher()}),
 * against a real nats-server {@code -js}: they reach the stream in order, each once, with increasing
 * positions; at most {@code max-pending-per-connection} wait for their acknowledgement; a frame that
 * is not acknowledged (a frozen server, a deleted stream) is reported later as 503 to its own
 * callback; closing the publisher forgets what is outstanding and reports nothing.
 */
class JetStreamPipelineIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** Long: a frozen node must not be given up (disconnect) while the test looks at the acknowledgements. */
    private static final Duration PINGS = Duration.ofSeconds(60);

    private static History history() {
        return new History("room", 100_000, 0, 100);
    }

    private static JetStreamSettings settings(Duration timeout, int maxPending) {
        return new JetStreamSettings("LHTTP_PIPE", "lhttp-history.", true, 1, true, timeout, 4, maxPending);
    }

    private record Got(String frame, Position position) {}

    private static String frame(int i) {
        return "LHTTP/1.0 chat\r\npublish:room\r\n\r\n" + i;
    }

    /** Failures reported later, by frame number. */
    private static final class Failures {
        final Map<Integer, ProtocolException> byFrame = new ConcurrentHashMap<>();
        final AtomicInteger maxPendingSeen = new AtomicInteger();

        Consumer<ProtocolException> of(int i, Bus.Publisher p) {
            return e -> {
                maxPendingSeen.accumulateAndGet(p.pending(), Math::max);
                assertNull(byFrame.put(i, e), "reported once");
            };
        }
    }

    @Test
    void manyPublishesOfOneConnectionAreStoredInOrderEachOnceWithIncreasingPositions() throws Exception {
        int n = 3000;
        int max = 32;
        try (NatsNode node =
                NatsNode.standalone("js-pipe-order").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()), "lhttp.", "js-pipe-1", PINGS, history(), settings(Duration.ofSeconds(5), max));
            try (Connection admin = Nats.connect(node.url())) {
                await(bus::historyReady, "stream created");
                BlockingQueue<Got> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", (Bus.Delivery) (f, p) -> got.add(new Got(f, p)));
                await(() -> node.subscriptions("js-pipe-1", "lhttp.room") == 1, "subscribed");
                Bus.Publisher p = bus.publisher();
                assertNotNull(p, "a bus with history channels pipelines them");
                Failures failures = new Failures();
                int maxPending = 0;
                for (int i = 0; i < n; i++) {
                    p.publish("room", frame(i), failures.of(i, p));
                    maxPending = Math.max(maxPending, p.pending());
                }
                assertTrue(maxPending <= max, "at most " + max + " unacknowledged, saw " + maxPending);
                long previous = 0;
                for (int i = 0; i < n; i++) {
                    Got g = got.poll(10, TimeUnit.SECONDS);
                    assertNotNull(g, "frame " + i + " never arrived");
                    assertEquals(frame(i), g.frame(), "in publish order, each once");
                    assertNotNull(g.position(), "stored: it has a position");
                    assertTrue(
                            g.position().offset() > previous,
                            "positions increase: " + g.position() + " after " + previous);
                    previous = g.position().offset();
                }
                assertNull(got.poll(200, TimeUnit.MILLISECONDS), "nothing more: no duplicate");
                await(() -> p.pending() == 0, "every acknowledgement in");
                assertTrue(failures.byFrame.isEmpty(), "no failure: " + failures.byFrame);
                assertEquals(
                        n,
                        admin.jetStreamManagement()
                                .getStreamInfo("LHTTP_PIPE")
                                .getStreamState()
                                .getMsgCount());
                p.close();
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void unacknowledgedPublishesAreBoundedAndEachFailureReachesItsOwnPublisherLater() throws Exception {
        int max = 4;
        Duration timeout = Duration.ofMillis(1500);
        try (NatsNode node =
                NatsNode.standalone("js-pipe-frozen").withJetStream().start()) {
            NatsBus bus =
                    new NatsBus(List.of(node.url()), "lhttp.", "js-pipe-2", PINGS, history(), settings(timeout, max));
            try {
                await(bus::historyReady, "stream created");
                Bus.Publisher p = bus.publisher();
                Failures failures = new Failures();
                p.publish("room", frame(-1), failures.of(-1, p)); // the stream answers: no failure
                await(() -> p.pending() == 0, "acknowledged");

                node.freeze(); // nothing is acknowledged any more; the connection stays up
                for (int i = 0; i < max; i++) {
                    p.publish("room", frame(i), failures.of(i, p)); // returns at once: not waited for
                    assertEquals(i + 1, p.pending());
                }
                assertTrue(failures.byFrame.isEmpty(), "nothing reported before the timeout");
                long start = System.nanoTime();
                // One more than the bound waits until the oldest times out (reported), then is sent.
                p.publish("room", frame(max), failures.of(max, p));
                long waitedMs = (System.nanoTime() - start) / 1_000_000;
                assertTrue(p.pending() <= max, "bound held: " + p.pending());
                assertTrue(failures.byFrame.containsKey(0), "the oldest was reported before room was made");
                assertTrue(waitedMs < timeout.toMillis() + 2000, "waited " + waitedMs + " ms, bounded by the timeout");
                await(() -> failures.byFrame.size() == max + 1, "every frame not acknowledged is reported");
                for (int i = 0; i <= max; i++) {
                    ProtocolException e = failures.byFrame.get(i);
                    assertEquals(503, e.code(), "frame " + i);
                    assertTrue(e.reason().contains("did not acknowledge in time"), e.reason());
                }
                assertNull(failures.byFrame.get(-1));
                assertTrue(failures.maxPendingSeen.get() <= max, "bound held: " + failures.maxPendingSeen);
                assertEquals(0, p.pending(), "failures give their permits back");

                // Closing forgets what is outstanding at once and reports nothing more.
                Failures afterClose = new Failures();
                for (int i = 0; i < max; i++) {
                    p.publish("room", frame(100 + i), afterClose.of(i, p));
                }
                assertEquals(max, p.pending());
                p.close();
                assertEquals(0, p.pending(), "a closed connection's acknowledgements do not linger");
                node.thaw();
                TimeUnit.MILLISECONDS.sleep(timeout.toMillis() + 500); // past any timeout: still nothing reported
                assertTrue(afterClose.byFrame.isEmpty(), "nothing reported after close: " + afterClose.byFrame);
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void aStreamThatIsGoneIsReportedLaterAs503AndPlainChannelsStayUntouched() throws Exception {
        try (NatsNode node = NatsNode.standalone("js-pipe-gone").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()), "lhttp.", "js-pipe-3", PINGS, history(), settings(Duration.ofSeconds(2), 8));
            try (Connection admin = Nats.connect(node.url())) {
                await(bus::historyReady, "stream created");
                BlockingQueue<Got> plain = new LinkedBlockingQueue<>();
                bus.subscribe("plain", (Bus.Delivery) (f, pos) -> plain.add(new Got(f, pos)));
                await(() -> node.subscriptions("js-pipe-3", "lhttp.plain") == 1, "subscribed");
                Bus.Publisher p = bus.publisher();
                Failures failures = new Failures();
                p.publish("plain", "LHTTP/1.0 chat\r\n\r\nplain", failures.of(-1, p));
                assertEquals(0, p.pending(), "a plain channel is a core publish: nothing to acknowledge");
                assertEquals(new Got("LHTTP/1.0 chat\r\n\r\nplain", null), plain.poll(10, TimeUnit.SECONDS));

                admin.jetStreamManagement().deleteStream("LHTTP_PIPE");
                p.publish("room", frame(1), failures.of(1, p)); // sent; the answer is: no stream
                await(() -> failures.byFrame.containsKey(1), "the refusal is reported");
                assertEquals(503, failures.byFrame.get(1).code());
                assertEquals(0, p.pending());
                List<Integer> codes = new ArrayList<>();
                try {
                    p.publish("room", frame(2), failures.of(2, p));
                } catch (ProtocolException e) {
                    codes.add(e.code()); // the stream is known gone now: refused at once (required)
                }
                assertEquals(List.of(503), codes);
                assertNull(failures.byFrame.get(-1));
                p.close();
            } finally {
                bus.close();
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(DEADLINE, condition, what);
    }
}
