package io.lhttp.it.containers;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The control frames a server owes a client, on every container (issue 19): a client's ping is
 * answered with a pong, a client's close frame with a close frame carrying its code, both within
 * a second, also right after the connection was sent a burst (WildFly held both back for ever
 * while our send path kept Undertow's batching on); and a client that stops answering our pings
 * is closed by our idle deadline (1001) while a quiet one that answers stays. Raw sockets, so
 * that the test alone decides when pings, pongs and close frames go out.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ControlFramesContract {

    /**
     * Our pings flush what a batching container holds (Containers.flushControl), so they must
     * come well after the second a pong or a close reply is given: otherwise they would release a
     * held pong and hide the defect.
     */
    static final int PING_MS = 3000;

    static final int IDLE_MS = 6000;
    /** What issue 19 asks of a pong and of a close reply. */
    static final Duration AT_ONCE = Duration.ofSeconds(1);

    private static final Duration CONNECT = Duration.ofSeconds(30);
    private static final Duration IDLE_CLOSED_WITHIN = Duration.ofSeconds(60);
    private static final int BURST = 200;

    private URI ws;

    /** Starts the server with these JVM options and returns its WebSocket URI. */
    abstract URI start(String... jvmOptions);

    abstract void stop();

    @BeforeAll
    void startServer() {
        ws = start("-Dlhttp.ping-interval-ms=" + PING_MS, "-Dlhttp.idle-timeout-ms=" + IDLE_MS);
    }

    @AfterAll
    void stopServer() {
        stop();
    }

    private RawWebSocket connect() throws IOException {
        return RawWebSocket.connect(ws, CONNECT);
    }

    /** Echoes a burst and reads it all back: the send queue has run, and drained. */
    private static void burst(RawWebSocket c, String tag) throws IOException {
        for (int i = 0; i < BURST; i++) {
            c.write(frame("echo", "", tag + i).getBytes(StandardCharsets.UTF_8));
        }
        c.flush();
        for (int i = 0; i < BURST; i++) {
            assertEquals(frame("echo", "", tag + i), c.readText(CONNECT));
        }
    }

    /** Reads until the pong; fails when it does not come within {@link #AT_ONCE}. */
    private static byte[] awaitPong(RawWebSocket c, long sentNanos) throws IOException {
        byte[][] pong = {null};
        c.readTimeout(AT_ONCE);
        try {
            while (pong[0] == null) {
                if (!c.readFrame(new RawWebSocket.Handler() {
                    @Override
                    public void onText(byte[] buffer, int offset, int length) {
                        fail("no message was due: " + new String(buffer, offset, length, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onPong(byte[] payload) {
                        pong[0] = payload;
                    }
                })) {
                    fail("closed instead of a pong: " + c.closeCode());
                }
            }
        } catch (SocketTimeoutException e) {
            fail("no pong within " + AT_ONCE.toMillis() + " ms");
        }
        long took = System.nanoTime() - sentNanos;
        assertTrue(took <= AT_ONCE.toNanos(), "pong after " + took / 1_000_000 + " ms");
        return pong[0];
    }

    @Test
    void aClientsPingIsAnsweredAtOnceAlsoAfterABurst() throws Exception {
        try (RawWebSocket c = connect()) {
            byte[] first = "ping-1".getBytes(StandardCharsets.UTF_8);
            long t0 = System.nanoTime();
            c.sendPing(first);
            assertArrayEquals(first, awaitPong(c, t0), "the pong carries the ping's data");
            for (int round = 2; round <= 3; round++) {
                burst(c, "b" + round + "-");
                byte[] data = ("ping-" + round).getBytes(StandardCharsets.UTF_8);
                long t = System.nanoTime();
                c.sendPing(data);
                assertArrayEquals(data, awaitPong(c, t), "round " + round);
            }
            c.send(frame("echo", "", "after the pings"));
            assertEquals(frame("echo", "", "after the pings"), c.readText(CONNECT), "the connection works on");
        }
    }

    @Test
    void aClientsCloseIsAnsweredAtOnceWithItsCode() throws Exception {
        for (boolean afterBurst : new boolean[] {false, true}) {
            try (RawWebSocket c = connect()) {
                if (afterBurst) {
                    burst(c, "c-");
                } else {
                    c.send(frame("echo", "", "open"));
                    assertEquals(frame("echo", "", "open"), c.readText(CONNECT));
                }
                int[] code = {-1};
                long t0 = System.nanoTime();
                c.sendClose(1000);
                c.readTimeout(AT_ONCE);
                try {
                    while (c.readFrame(new RawWebSocket.Handler() {
                        @Override
                        public void onText(byte[] buffer, int offset, int length) {
                            // a frame already on its way is allowed before the close
                        }

                        @Override
                        public void onClose(int closeCode, String reason) {
                            code[0] = closeCode;
                        }
                    })) {
                        // until the close
                    }
                } catch (SocketTimeoutException e) {
                    fail("no close frame within " + AT_ONCE.toMillis() + " ms (after a burst: " + afterBurst + ")");
                }
                long took = System.nanoTime() - t0;
                assertEquals(
                        1000,
                        code[0],
                        "the close frame answers with the client's code (after a burst: " + afterBurst + ")");
                assertTrue(took <= AT_ONCE.toNanos(), "close frame after " + took / 1_000_000 + " ms");
            }
        }
    }

    @Test
    void theIdleDeadlineClosesADeadConnectionAndKeepsAQuietLiveOne() throws Exception {
        try (RawWebSocket dead = connect();
                RawWebSocket live = connect()) {
            dead.answerPings(false); // what a vanished peer looks like
            long sent = System.nanoTime(); // before the server last hears from it
            dead.send(frame("echo", "", "hi"));
            assertEquals(frame("echo", "", "hi"), dead.readText(CONNECT));
            BlockingQueue<String> liveGot = new LinkedBlockingQueue<>();
            Thread reader = new Thread(
                    () -> {
                        try {
                            live.readAll((b, o, l) -> liveGot.add(new String(b, o, l, StandardCharsets.UTF_8)));
                        } catch (IOException ended) {
                            // the test closes it
                        }
                    },
                    "live-reader");
            reader.setDaemon(true);
            reader.start();
            int[] code = {-1};
            dead.readTimeout(IDLE_CLOSED_WITHIN);
            while (dead.readFrame(new RawWebSocket.Handler() {
                @Override
                public void onText(byte[] buffer, int offset, int length) {
                    fail("nothing was due");
                }

                @Override
                public void onClose(int closeCode, String reason) {
                    code[0] = closeCode;
                }
            })) {
                // pings are read and not answered
            }
            long quiet = System.nanoTime() - sent;
            assertEquals(1001, code[0], "closed as idle");
            assertTrue(dead.pings() > 0, "it was pinged first");
            assertTrue(
                    quiet >= TimeUnit.MILLISECONDS.toNanos(IDLE_MS),
                    "not before the deadline: " + quiet / 1_000_000 + " ms");
            // The live one opened just after the dead one and has said nothing since: still open.
            assertEquals(-1, live.closeCode(), "the live connection is kept");
            assertTrue(live.pings() > 0, "the live connection was pinged");
            live.send(frame("echo", "", "still here"));
            assertEquals(frame("echo", "", "still here"), liveGot.poll(CONNECT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
