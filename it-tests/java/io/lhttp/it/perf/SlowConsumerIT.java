package io.lhttp.it.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.Payloads;
import io.lhttp.testkit.RawWebSocket;
import io.lhttp.testkit.Tally;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading (a raw socket that completes the handshake and then never reads,
 * so the TCP buffers fill) against the packaged server: its send queue fills and the
 * {@code lhttp.slow-consumer} policy applies, while the other subscribers of the same channel
 * receive every message intact and in order. (How fast the others go meanwhile is measured by
 * the load tool, see docs/BENCHMARKS.md, not asserted here.)
 *
 * <p>Raw sockets, not the SDK: the stalled reader must stop reading, and the others are counted without a copy per frame.
 */
class SlowConsumerIT {

    private static final int SUBSCRIBERS = 10;
    private static final int MESSAGES = 4000;
    /** Large frames fill the stalled client's socket buffers (several MB on loopback) quickly. */
    private static final int SIZE = 8000;

    private static final int SEND_QUEUE = 64;
    /** How far the publisher may run ahead of the slowest reader, in messages: well under SEND_QUEUE. */
    private static final int LEAD = 24;

    private static final String CHANNEL = "slow";
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    /**
     * Server options of the close-policy test. A send timeout longer than the test, so that only the
     * slow-consumer policy acts (a send that times out closes the connection as well). Also used by
     * ContainerSlowConsumerIT on WildFly and TomEE.
     */
    static final String[] CLOSE_POLICY_OPTIONS = {
        "-Dlhttp.slow-consumer=close",
        "-Dlhttp.send-queue=" + SEND_QUEUE,
        "-Dlhttp.max-messages-per-second=0",
        "-Dlhttp.send-timeout-ms=600000"
    };

    @Test
    void closePolicyClosesTheStalledClientWith1008AndTheOthersGetEverything() throws Exception {
        try (UberJarServer server = UberJarServer.start(CLOSE_POLICY_OPTIONS)) {
            assertStalledClientClosedWith1008AndOthersGetEverything(server.wsUri());
        }
    }

    /** The close-policy run against a server started with {@link #CLOSE_POLICY_OPTIONS}. */
    static void assertStalledClientClosedWith1008AndOthersGetEverything(URI ws) throws Exception {
        // The close frame waits behind what the client has not read: it sees 1008 once it reads.
        Run run = new Run(ws);
        try {
            run.publishAll();
            run.assertOthersGotEverything();

            int[] close = {-1};
            long[] frames = {0};
            run.stalled.readTimeout(DEADLINE);
            run.stalled.readAll(new RawWebSocket.Handler() {
                @Override
                public void onText(byte[] buffer, int offset, int length) {
                    frames[0]++;
                }

                @Override
                public void onClose(int code, String reason) {
                    close[0] = code;
                }
            });
            assertEquals(1008, close[0], "close code of the stalled client");
            assertTrue(frames[0] < MESSAGES, "it was closed before receiving everything: " + frames[0]);
        } finally {
            run.close();
        }
    }

    @Test
    void dropPolicyKeepsTheStalledClientAndTheOthersGetEverything() throws Exception {
        // A send timeout longer than the test, so only the drop policy acts on the stalled client.
        try (UberJarServer server = UberJarServer.start(
                "-Dlhttp.slow-consumer=drop",
                "-Dlhttp.send-queue=" + SEND_QUEUE,
                "-Dlhttp.max-messages-per-second=0",
                "-Dlhttp.send-timeout-ms=600000")) {
            Run run = new Run(server.wsUri());
            try {
                run.publishAll();
                run.assertOthersGotEverything();

                // Now it reads: it gets what the buffers held, misses what was dropped, and is still
                // subscribed and open, so a message published now reaches it.
                byte[] last = Payloads.envelope(CHANNEL, "after the stall").getBytes(StandardCharsets.UTF_8);
                run.publisher.send(last);
                Tally tally = new Tally(run.payloads, null, null);
                boolean[] gotLast = {false};
                int[] close = {-1};
                run.stalled.readTimeout(DEADLINE);
                while (!gotLast[0] && close[0] < 0) {
                    run.stalled.readFrame(new RawWebSocket.Handler() {
                        @Override
                        public void onText(byte[] buffer, int offset, int length) {
                            if (java.util.Arrays.equals(buffer, offset, offset + length, last, 0, last.length)) {
                                gotLast[0] = true;
                            } else {
                                tally.onText(buffer, offset, length);
                            }
                        }

                        @Override
                        public void onClose(int code, String reason) {
                            close[0] = code;
                        }
                    });
                }
                assertEquals(-1, close[0], "the stalled client must not be closed under the drop policy");
                assertTrue(gotLast[0], "the stalled client still receives new messages");
                assertTrue(tally.lost() > 0, "messages were dropped for the stalled client");
                assertEquals(0, tally.corrupt(), "what it did get is intact");
                assertEquals(0, tally.duplicated());
                assertEquals(0, tally.outOfOrder(), "drop-oldest keeps the order of what is left");
            } finally {
                run.close();
            }
        }
    }

    /** N subscribers that read, one that does not, one publisher; all subscribed before anything is published. */
    private static final class Run {
        final Payloads payloads = new Payloads(false, 1, MESSAGES, SIZE, s -> CHANNEL);
        final LongAdder progress = new LongAdder();
        final List<RawWebSocket> readers = new ArrayList<>();
        final List<Tally> tallies = new ArrayList<>();
        final RawWebSocket stalled;
        final RawWebSocket publisher;

        Run(URI ws) throws IOException {
            for (int i = 0; i < SUBSCRIBERS; i++) {
                RawWebSocket reader = subscribe(ws, "r" + i);
                Tally tally = new Tally(payloads, progress, null);
                readers.add(reader);
                tallies.add(tally);
                Thread t = new Thread(
                        () -> {
                            try {
                                reader.readAll(tally);
                            } catch (IOException closed) {
                                // the test closes it; the tally says what arrived
                            }
                        },
                        "reader-" + i);
                t.setDaemon(true);
                t.start();
            }
            stalled = subscribe(ws, "stalled");
            publisher = RawWebSocket.connect(ws, Duration.ofSeconds(30));
        }

        /** Subscribes and waits for the echo on its own channel: subscribe runs before publish (PROTOCOL.md §2). */
        private static RawWebSocket subscribe(URI uri, String own) throws IOException {
            RawWebSocket ws = RawWebSocket.connect(uri, Duration.ofSeconds(30));
            ws.send("LHTTP/1.0 sub\r\nsubscribe:" + CHANNEL + " " + own + "\r\npublish:" + own + "\r\n\r\n");
            ws.readTimeout(Duration.ofSeconds(30));
            boolean[] echoed = {false};
            ws.readFrame((b, o, l) -> echoed[0] = true);
            ws.readTimeout(Duration.ZERO);
            assertTrue(echoed[0], own + " subscribed");
            return ws;
        }

        /**
         * Publishes everything, never more than {@link #LEAD} messages ahead of the slowest reader:
         * the readers are under the same slow-consumer policy as the stalled client, and a reader
         * thread paused by this JVM (GC, a busy machine) must not be taken for a slow consumer.
         * The stalled client reads nothing, so it still overflows.
         */
        void publishAll() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            for (int s = 0; s < MESSAGES; s++) {
                if (s % 16 == 0) {
                    publisher.flush();
                    while (slowestReader() < s - LEAD) {
                        assertTrue(System.nanoTime() < deadline, "readers stopped at " + slowestReader() + " of " + s);
                        Thread.sleep(1);
                    }
                }
                publisher.write(payloads.frame(0, s));
            }
            publisher.flush();
        }

        private long slowestReader() {
            long min = Long.MAX_VALUE;
            for (Tally t : tallies) {
                min = Math.min(min, t.received());
            }
            return min;
        }

        void assertOthersGotEverything() throws InterruptedException {
            long expected = (long) SUBSCRIBERS * MESSAGES;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (progress.sum() < expected && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling the readers' counters, with a deadline
            }
            for (int i = 0; i < SUBSCRIBERS; i++) {
                Tally t = tallies.get(i);
                assertEquals(0, t.lost(), "reader " + i + " lost messages");
                assertEquals(0, t.corrupt(), "reader " + i);
                assertEquals(0, t.duplicated(), "reader " + i);
                assertEquals(0, t.outOfOrder(), "reader " + i);
            }
        }

        void close() {
            readers.forEach(RawWebSocket::close);
            stalled.close();
            publisher.close();
        }
    }
}
