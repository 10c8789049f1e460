package io.lhttp.it.limits;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.NormalChat;
import io.lhttp.it.support.RefusalCounters;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: memory no client mix can take. Unfinished frames are bounded per connection (the hard
 * frame cap, 1009) and in total ({@code lhttp.inbound-buffer-total-bytes}, 1013) and must finish
 * within {@code lhttp.frame-timeout-ms} (1008); send queues are bounded in bytes
 * ({@code lhttp.send-queue-bytes}), so stalled readers of maximum-size frames are closed long
 * before the frame bound. A normal chat keeps working throughout.
 *
 * <p>Raw sockets for the attackers, not the SDK: no client sends unfinished frames or stops reading on purpose.
 */
class MemoryBudgetIT {

    private static final int BUDGET = 4 << 20;
    private static final int FRAME_TIMEOUT_MS = 3000;
    private static final Duration CLOSED_WITHIN = Duration.ofSeconds(60);

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.inbound-buffer-total-bytes=" + BUDGET,
                "-Dlhttp.frame-timeout-ms=" + FRAME_TIMEOUT_MS,
                "-Dlhttp.max-messages-per-second=0",
                // only the byte bound may act on the stalled readers: not the send timeout, not the frame bound
                "-Dlhttp.send-timeout-ms=600000",
                "-Dlhttp.send-queue=1024");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static byte[] filled(int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) 'x');
        return b;
    }

    /**
     * Fragmented messages (the parts reach our code on every container): each of 10 attackers sends
     * 9 fragments of 100 KiB and never the last. 10 x 900 KiB is over the 4 MiB budget: the
     * connections whose part would pass it are closed with 1013 at once, the others with 1008 at
     * the frame deadline. Then one sends 2 MiB in fragments: closed with 1009 at the cap.
     */
    @Test
    void unfinishedFramesAreBoundedInTotalAndInTime() throws Exception {
        byte[] fragment = filled(100 * 1024);
        Map<String, Double> refusedBefore = RefusalCounters.read(server.httpUri());
        try (NormalChat normal = new NormalChat(server.wsUri(), "budget-normal");
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                closes.add(attack.start(server.wsUri(), 0, ws -> {
                    ws.sendFrameStart(false, 1, fragment.length, fragment);
                    for (int f = 1; f < 9; f++) {
                        ws.sendFrameStart(false, 0, fragment.length, fragment);
                    }
                }));
                normal.roundTrip();
            }
            normal.roundTrip();
            int overBudget = 0;
            int timedOut = 0;
            for (CompletableFuture<Integer> close : closes) {
                int code = close.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS);
                assertTrue(code == 1013 || code == 1008, "closed by the budget or the deadline, not " + code);
                if (code == 1013) {
                    overBudget++;
                } else {
                    timedOut++;
                }
            }
            assertTrue(overBudget >= 1, "some were refused by the budget (" + overBudget + ")");
            assertTrue(
                    timedOut >= 1 && timedOut <= 4,
                    "at most 4 x 900 KiB fit in 4 MiB; those time out (" + timedOut + ")");
            // Each cut is counted by its reason in the metrics (issue 11); at least once: fragments the
            // client sent before it read the close may be refused again.
            Map<String, Double> refused = RefusalCounters.read(server.httpUri());
            assertTrue(
                    refused.get("inbound_budget") - refusedBefore.get("inbound_budget") >= overBudget,
                    overBudget + " closed with 1013: " + refused);
            assertTrue(
                    refused.get("frame_timeout") - refusedBefore.get("frame_timeout") >= timedOut,
                    timedOut + " closed with 1008: " + refused);
            normal.roundTrip();
            // With the budget free again, one connection alone is stopped by the hard cap.
            CompletableFuture<Integer> tooBig = attack.start(server.wsUri(), 0, ws -> {
                ws.sendFrameStart(false, 1, fragment.length, fragment);
                for (int f = 1; f < 21; f++) {
                    ws.sendFrameStart(false, 0, fragment.length, fragment);
                }
            });
            assertEquals(1009, tooBig.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS), "2 MiB in fragments");
            // The budget is free again: a fragmented frame that finishes is handled normally.
            try (RawWebSocket ws = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(30))) {
                byte[] start = "LHTTP/1.0 echo\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                ws.sendFrameStart(false, 1, start.length, start);
                ws.sendFrameStart(false, 0, fragment.length / 4, filled(fragment.length / 4));
                byte[] end = "!".getBytes(StandardCharsets.US_ASCII);
                ws.sendFrameStart(true, 0, end.length, end);
                ws.readTimeout(NormalChat.ROUND_TRIP);
                String[] got = {null};
                ws.readFrame((b, o, l) -> got[0] = new String(b, o, l, StandardCharsets.UTF_8));
                assertEquals(frame("echo", "", "x".repeat(fragment.length / 4) + "!"), got[0]);
            }
        }
    }

    /**
     * A single frame over the hard cap (1 MiB) is closed with 1009 by our code when Tyrus's own
     * frame buffer (web.xml: the cap + 64 KiB) still holds it; a larger one (2 MiB) never reaches
     * our code on Payara: Tyrus closes it with 1011 as soon as its buffer is full (PROTOCOL.md §1).
     */
    @Test
    void aFrameOverTheHardCapIsClosed() throws Exception {
        try (NormalChat normal = new NormalChat(server.wsUri(), "cap-normal");
                Attack attack = new Attack()) {
            byte[] overCap = filled((1 << 20) + 16 * 1024);
            CompletableFuture<Integer> ours =
                    attack.start(server.wsUri(), 0, ws -> ws.sendFrameStart(true, 1, overCap.length, overCap));
            assertEquals(1009, ours.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS), "cap + 16 KiB: closed by us");
            byte[] body = filled(2 << 20);
            CompletableFuture<Integer> tyrus =
                    attack.start(server.wsUri(), 0, ws -> ws.sendFrameStart(true, 1, body.length, body));
            assertEquals(
                    1011, tyrus.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS), "2 MiB: closed by Tyrus's buffer");
            normal.roundTrip();
        }
    }

    /**
     * 10 subscribers that stop reading, fed 64 KB frames (the largest a client may publish): each
     * is closed with 1008 once 1 MiB is queued for it, after far fewer frames than the 1,024-frame
     * bound; the normal subscriber of the same channel receives every frame meanwhile.
     */
    @Test
    void stalledReadersOfMaximumSizeFramesAreClosedByTheByteBound() throws Exception {
        String channel = "big";
        int frames =
                250; // 250 x 64 KB = 16 MB per stalled reader: more than socket buffers + 1 MiB queue + 1 MiB in flight
        String body = "y"
                .repeat(65536
                        - frame("chat", "publish:" + channel + "\r\n", "999 ").length());
        CountDownLatch subscribed = new CountDownLatch(10);
        CountDownLatch published = new CountDownLatch(1);
        try (NormalChat normal = new NormalChat(server.wsUri(), channel);
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                closes.add(attack.start(server.wsUri(), 4096, ws -> {
                    ws.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
                    ws.send(frame("echo", "", "subscribed"));
                    ws.readFrame((b, o, l) -> {}); // the echo: subscribed
                    subscribed.countDown();
                    try {
                        published.await(); // read nothing until everything is published; then read to the close
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            assertTrue(subscribed.await(60, TimeUnit.SECONDS), "the stalled readers subscribed");
            try {
                for (int i = 0; i < frames; i++) {
                    normal.roundTrip(body);
                }
            } finally {
                published.countDown();
            }
            for (CompletableFuture<Integer> close : closes) {
                assertEquals(
                        1008, close.get(CLOSED_WITHIN.toSeconds(), TimeUnit.SECONDS), "the stalled reader is closed");
            }
            normal.roundTrip();
        }
    }
}
