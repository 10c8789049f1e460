package io.lhttp.it.limits;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Await;
import io.lhttp.it.support.NormalChat;
import io.lhttp.it.support.QuickOpen;
import io.lhttp.it.support.RefusalCounters;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.ServerHeap;
import io.lhttp.it.support.ServerProcess;
import io.lhttp.it.support.UberJarServer;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: the attacks that ended the server with {@code OutOfMemoryError}, in short versions,
 * against the uberjar at {@code -Xmx256m -XX:+ExitOnOutOfMemoryError} with the default memory
 * budget (30 % of the heap), each beside a canary chat and a new connection that must open within
 * 1 s. Attack 1 (unfinished 3.99 MB frames) is {@link UnfinishedFrameCapIT}. After each attack
 * the server's threads go back near their idle count, its live heap below the heap-pressure line
 * (80 %), and the log holds no stack trace (a refused connection that keeps sending made Payara log
 * a NullPointerException each). The attacks from several addresses bind the attackers to
 * 127.0.0.x (Linux routes all of 127/8 to loopback). In a fixed order (the one measured in
 * docs/RELIABILITY.md). Attack 3 (250 stalled readers from one address) is not here: on a fresh
 * heap it still ends this server with {@code OutOfMemoryError} (docs/RELIABILITY.md, "Attacks 3
 * and 4 held at -Xmx256m"); issue 18 stays open for it.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class MemoryAttackIT {

    /** Threads the server may keep above its idle count once an attack is over (Grizzly keeps a few spare). */
    private static final int THREADS_SETTLED = 24;
    /** How long after an attack the threads and the heap have to settle: Payara's idle worker threads end after 20 s. */
    private static final Duration SETTLE = Duration.ofMinutes(2);

    private static UberJarServer server;
    /** The server's heap ({@code -Xmx256m}). */
    private static final long HEAP = 256L << 20;

    @BeforeAll
    static void start() {
        server = UberJarServer.builder()
                .jvmOption("-Xmx256m")
                .jvmOption("-XX:+ExitOnOutOfMemoryError")
                .jvmOption("-Dlhttp.history.channels=hist.*")
                .jvmOption("-Dlhttp.max-messages-per-second=0")
                // far beyond the waits below: only the memory rules can act on the attackers in time
                .jvmOption("-Dlhttp.idle-timeout-ms=600000")
                .start();
    }

    private static InetAddress address(int i) throws IOException {
        return InetAddress.getByName("127.0.0." + i);
    }

    /** The server's idle figures before an attack: live heap, threads, log position. */
    private record Idle(long heap, int threads, long logMark) {
        static Idle now() throws Exception {
            return new Idle(
                    ServerHeap.liveBytes(server.pid()),
                    ServerProcess.threads(server.pid()),
                    ServerProcess.logMark(server.logFile()));
        }

        /** Alive, threads back near idle, no stack trace in the log since. */
        void assertSettled() throws Exception {
            assertTrue(server.isRunning(), "the server is alive");
            int[] last = {0};
            Await.until(
                    SETTLE,
                    () -> {
                        try {
                            last[0] = ServerProcess.threads(server.pid());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return last[0] <= threads + THREADS_SETTLED;
                    },
                    "threads back near their idle count");
            String log = ServerProcess.logSince(server.logFile(), logMark);
            assertFalse(ServerProcess.hasStackTrace(log), "no stack trace in the log during the attack:\n" + log);
            long live = ServerHeap.liveBytes(server.pid());
            System.out.printf(
                    "settled: threads %d idle, %d now; live heap %d MiB idle, %d MiB now%n",
                    threads, last[0], heap >> 20, live >> 20);
            // What stays is the container's (Tyrus's buffers in Grizzly's thread caches, docs/RELIABILITY.md):
            // not back to idle, but the server must not be left under heap pressure (80 %).
            assertTrue(
                    live < HEAP / 100 * 80,
                    "live heap back below the pressure line: " + (live >> 20) + " MiB of " + (HEAP >> 20));
        }
    }

    /**
     * Attack 4: unfinished frames of 0.99 MiB from five addresses, 60 connections each: 300 MiB
     * that Tyrus buffers before our code sees a byte, more than this whole heap. Each new connection
     * holds Tyrus's buffer size (1.06 MiB) of the memory budget until its first frame arrives, which
     * for these never happens: near the budget's limit an address holding 8 or more is refused (1013,
     * {@code memory_budget}), and over it the connections still without a frame after 1 s are
     * closed (1013), newest first. The server does not die, and a new client and the chat are
     * served throughout.
     */
    @Test
    @org.junit.jupiter.api.Order(3)
    void unfinishedFramesFromFiveAddresses() throws Exception {
        Idle idle = Idle.now();
        Map<String, Double> before = RefusalCounters.read(server.httpUri());
        int refusedAtHandshake = 0;
        try (NormalChat canary = new NormalChat(server.wsUri(), "unfinished-canary");
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int a = 0; a < 5; a++) {
                for (int i = 0; i < 60; i++) {
                    try {
                        closes.add(attack.start(
                                server.wsUri(), address(70 + a), 0, ws -> ws.sendUnfinished(1_038_090, 1_038_089)));
                    } catch (IOException refused) {
                        refusedAtHandshake++; // refused before the upgrade: stopped too
                    }
                }
                canary.roundTrip();
                QuickOpen.assertOpensWithinASecond(server.wsUri());
            }
            Await.until(
                    Duration.ofSeconds(60),
                    () -> {
                        try {
                            return RefusalCounters.read(server.httpUri()).get("memory_budget")
                                    > before.get("memory_budget");
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "refusals for memory counted as memory_budget");
            assertTrue(server.isRunning(), "the server is alive");
            canary.roundTrip();
            QuickOpen.assertOpensWithinASecond(server.wsUri());
            long closed = closes.stream().filter(CompletableFuture::isDone).count();
            System.out.printf(
                    "unfinished frames: %d refused at the handshake, %d of %d closed by the server, "
                            + "memory_budget %s -> %s%n",
                    refusedAtHandshake,
                    closed,
                    closes.size(),
                    before.get("memory_budget"),
                    RefusalCounters.read(server.httpUri()).get("memory_budget"));
        }
        canary();
        idle.assertSettled();
    }

    /**
     * Attack 4 spread out: 40 addresses (127.0.0.100-139) with 7 connections each, under the 8 from
     * which an address counts as holding many, each sending 0.99 MiB of an unfinished frame: 280 MiB
     * for Tyrus to buffer, more than this heap. Each connection holds 1.06 MiB of the memory budget
     * until its first frame arrives; over the budget, those still without a frame after 1 s are
     * closed (1013) newest first, and past 150 % every new upgrade is refused (503) until they are.
     * The server does not die, the chat opened before is served throughout, a new client after.
     */
    @Test
    @org.junit.jupiter.api.Order(1)
    void unfinishedFramesSpreadOverManyAddresses() throws Exception {
        Idle idle = Idle.now();
        Map<String, Double> before = RefusalCounters.read(server.httpUri());
        int refusedAtHandshake = 0;
        try (NormalChat canary = new NormalChat(server.wsUri(), "spread-canary");
                Attack attack = new Attack()) {
            List<CompletableFuture<Integer>> closes = new ArrayList<>();
            for (int a = 0; a < 40; a++) {
                for (int i = 0; i < 7; i++) {
                    try {
                        closes.add(attack.start(
                                server.wsUri(), address(100 + a), 0, ws -> ws.sendUnfinished(1_038_090, 1_038_089)));
                    } catch (IOException refused) {
                        refusedAtHandshake++; // refused before the upgrade (503): stopped too
                    }
                }
                if (a % 10 == 9) {
                    canary.roundTrip();
                }
            }
            Await.until(
                    Duration.ofSeconds(60),
                    () -> {
                        try {
                            return RefusalCounters.read(server.httpUri()).get("memory_budget")
                                    > before.get("memory_budget");
                        } catch (Exception e) {
                            return false;
                        }
                    },
                    "refusals for memory counted as memory_budget");
            assertTrue(server.isRunning(), "the server is alive");
            canary.roundTrip();
            long closed = closes.stream().filter(CompletableFuture::isDone).count();
            System.out.printf(
                    "spread unfinished frames: %d refused at the handshake, %d of %d closed by the server, "
                            + "memory_budget %s -> %s%n",
                    refusedAtHandshake,
                    closed,
                    closes.size(),
                    before.get("memory_budget"),
                    RefusalCounters.read(server.httpUri()).get("memory_budget"));
        }
        canary();
        idle.assertSettled();
    }

    /** After an attack: a new chat and a new connection are served at once. */
    private static void canary() throws Exception {
        try (NormalChat after = new NormalChat(server.wsUri(), "after-canary")) {
            after.roundTrip();
        }
        QuickOpen.assertOpensWithinASecond(server.wsUri());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * Attack 5: one client publishes 64 KB messages to 40 history channels, 40 each (100 MB). History
     * keeps 1 MiB per channel (lhttp.history.channel-max-bytes), so at most 40 MiB; a subscriber
     * asking from a position that fell out is answered recovered:false.
     */
    @Test
    @org.junit.jupiter.api.Order(2)
    void historyIsBoundedInBytes() throws Exception {
        long idle = ServerHeap.liveBytes(server.pid());
        String body = "h".repeat(64_000);
        String epoch = null;
        try (NormalChat canary = new NormalChat(server.wsUri(), "history-canary");
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            for (int c = 0; c < 40; c++) {
                for (int i = 0; i < 40; i++) {
                    pub.send(frame("chat", "publish:hist.c" + c + "\r\n", i + body));
                }
                pub.send(frame("echo", "", "sync"));
                assertEquals(frame("echo", "", "sync"), pub.next());
                if (c % 10 == 0) {
                    canary.roundTrip();
                }
            }
            long held = ServerHeap.liveBytes(server.pid());
            assertTrue(
                    held - idle < 72L << 20,
                    "40 channels x 1 MiB kept, not 100 MB: " + (idle >> 20) + " MiB idle, " + (held >> 20)
                            + " MiB with history");
            try (SdkClient late = SdkClient.connect(server.wsUri())) {
                late.send(frame("chat", "positions:true\r\nsubscribe:hist.c0\r\n", ""));
                Matcher m = Pattern.compile("position:([A-Za-z0-9]+):(\\d+)").matcher(late.next());
                assertTrue(m.find());
                epoch = m.group(1);
                assertEquals(40, Long.parseLong(m.group(2)));
            }
            try (SdkClient back = SdkClient.connect(server.wsUri())) {
                back.send(frame("chat", "since:" + epoch + ":1\r\nsubscribe:hist.c0\r\n", ""));
                int replayed = 0;
                String next;
                while ((next = back.next()).startsWith("LHTTP/1.0 chat")) {
                    replayed++;
                }
                assertTrue(replayed > 0 && replayed < 39, "only what fits in 1 MiB is replayed: " + replayed);
                assertEquals(
                        frame("subscribed", "channel:hist.c0\r\nposition:" + epoch + ":40\r\nrecovered:false\r\n", ""),
                        next,
                        "the oldest fell out: said so");
            }
            canary.roundTrip();
            QuickOpen.assertOpensWithinASecond(server.wsUri());
        }
    }
}
