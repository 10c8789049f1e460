package io.lhttp.it.limits;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.NormalChat;
import io.lhttp.it.support.QuickOpen;
import io.lhttp.it.support.ServerHeap;
import io.lhttp.it.support.UberJarServer;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, attack 1: single frames announced at 3.99 MB of which 2 MB are sent and the rest never,
 * on many connections from several addresses, against the uberjar at {@code -Xmx256m}. Tyrus buffers
 * each frame whole before our code sees it; web.xml caps that buffer at the hard frame cap plus
 * 64 KiB through {@code org.glassfish.tyrus.servlet.incoming-buffer-size} (the name Tyrus's servlet
 * container reads), so every such connection is closed once it passes the cap: by Tyrus, with 1011
 * (it does not tell the endpoint of a frame still arriving). With the
 * name that was set before (ignored: Tyrus's 4 MiB default) nothing closed them until the idle
 * deadline, set far away here, and the heap held 2 MB per connection.
 */
class UnfinishedFrameCapIT {

    static final int ANNOUNCED = 3_990_000;
    static final int SENT = 2_000_000;
    private static final int ADDRESSES = 4;
    private static final int PER_ADDRESS = 12;
    /** Far below the idle deadline (10 min here): only the cap can close them this soon. */
    private static final long CLOSED_WITHIN_S = 60;

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.builder()
                .jvmOption("-Xmx256m")
                .jvmOption("-XX:+ExitOnOutOfMemoryError")
                .jvmOption("-Dlhttp.idle-timeout-ms=600000")
                .jvmOption("-Dlhttp.max-messages-per-second=0")
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void unfinishedFramesOverTheCapAreClosedAtTheCap() throws Exception {
        long idle = ServerHeap.liveBytes(server.pid());
        try (NormalChat canary = new NormalChat(server.wsUri(), "cap-canary");
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int a = 0; a < ADDRESSES; a++) {
                InetAddress from = InetAddress.getByName("127.0.0." + (40 + a));
                for (int i = 0; i < PER_ADDRESS; i++) {
                    closes.add(attack.start(server.wsUri(), from, 0, ws -> ws.sendUnfinished(ANNOUNCED, SENT)));
                }
                canary.roundTrip();
                QuickOpen.assertOpensWithinASecond(server.wsUri());
            }
            for (CompletableFuture<Integer> close : closes) {
                // Tyrus closes a frame still arriving when it fills the buffer itself, with 1011, without
                // telling the endpoint (a whole frame over the cap is ours to close: 1009).
                int code = close.get(CLOSED_WITHIN_S, TimeUnit.SECONDS);
                assertTrue(code == 1011 || code == 1009, "closed at the cap, not later: " + code);
            }
            canary.roundTrip();
            QuickOpen.assertOpensWithinASecond(server.wsUri());
        }
        assertTrue(server.isRunning(), "the server is alive");
        // The heap is not checked here: after these connections are closed, 39-57 MB of the ~51 MB
        // Tyrus buffered stayed on the heap for at least 2 minutes in three runs (docs/RELIABILITY.md),
        // a retention inside the container not found yet.
        System.out.printf(
                "live heap: %d MiB idle, %d MiB after the attack%n",
                idle >> 20, ServerHeap.liveBytes(server.pid()) >> 20);
    }
}
