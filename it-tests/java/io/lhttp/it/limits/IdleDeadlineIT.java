package io.lhttp.it.limits;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.NormalChat;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: the server pings quiet connections ({@code lhttp.ping-interval-ms}) and closes those
 * from which nothing arrived for {@code lhttp.idle-timeout-ms} with 1001; a client that answers
 * the pings stays, however long it says nothing. On Payara, a frame Tyrus is still buffering is
 * never seen by our code, so it is this deadline that ends it. A normal chat keeps working
 * throughout.
 *
 * <p>Raw sockets for the silent and the live client, not the SDK: the test must control and count pings and pongs.
 */
class IdleDeadlineIT {

    private static final int PING_MS = 300;
    private static final int IDLE_MS = 2000;
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(60);

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.ping-interval-ms=" + PING_MS, "-Dlhttp.idle-timeout-ms=" + IDLE_MS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDeadConnectionIsClosedWith1001AndALiveQuietOneIsKept() throws Exception {
        try (NormalChat normal = new NormalChat(server.wsUri(), "idle-normal");
                Attack dead = new Attack()) {
            // Dead: works once, then reads but never answers a ping (what a vanished peer looks like).
            CompletableFuture<Integer> deadClose =
                    dead.start(server.wsUri(), 0, ws -> ws.send(frame("echo", "", "hi")));
            // Live: says nothing at all, but its reader answers the pings like any browser.
            RawWebSocket live = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(30));
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
            try {
                int code = deadClose.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS);
                assertEquals(1001, code, "the dead connection is closed as idle");
                normal.roundTrip();
                // The live one has been quiet as long as the dead one (it opened just after it): still open.
                assertEquals(-1, live.closeCode(), "the live connection is kept");
                assertTrue(live.pings() > 0, "the live connection was pinged");
                live.send(frame("echo", "", "still here"));
                assertEquals(
                        frame("echo", "", "still here"),
                        liveGot.poll(NormalChat.ROUND_TRIP.toSeconds(), TimeUnit.SECONDS));
            } finally {
                live.close();
            }
        }
    }

    @Test
    void unfinishedLargeFramesAreClosedAndANormalChatKeepsWorking() throws Exception {
        int attackers = 20;
        byte[] part = new byte[600 * 1024];
        Arrays.fill(part, (byte) 'x');
        try (NormalChat normal = new NormalChat(server.wsUri(), "unfinished-normal");
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int i = 0; i < attackers; i++) {
                // A text frame announcing ~1 MiB (under the hard cap) of which 600 KiB ever come.
                closes.add(attack.start(server.wsUri(), 0, ws -> ws.sendFrameStart(true, 1, 1_000_000, part)));
                if (i % 5 == 0) {
                    normal.roundTrip();
                }
            }
            normal.roundTrip();
            for (CompletableFuture<Integer> close : closes) {
                int code = close.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS);
                // Payara buffers the frame before our code sees it: the idle deadline (1001) ends it; where
                // our code sees the parts, the frame deadline (1008) does.
                assertTrue(code == 1001 || code == 1008, "closed by a deadline, not " + code);
            }
            normal.roundTrip();
        }
    }
}
