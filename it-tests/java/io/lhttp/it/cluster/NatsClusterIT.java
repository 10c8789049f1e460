package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.Await;
import io.lhttp.it.support.SdkClient;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cluster as deployed: three routed nats-server nodes and two lhttp instances (the packaged
 * uberjar, Payara Micro running the WAR), A on node 1 and B on node 2. One boot of each is
 * shared by all tests; a test that kills nodes starts them again before it ends, except the
 * last one, which takes the whole bus down.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NatsClusterIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final String A = "lhttp-A";
    private static final String B = "lhttp-B";
    private static final String PROBE = "LHTTP/1.0 probe\r\n";

    private static List<NatsNode> nodes = List.of();
    private static LhttpInstance a;
    private static LhttpInstance b;

    @BeforeAll
    static void startCluster() throws Exception {
        nodes = NatsNode.cluster(3);
        // Launched together, waited for together: the two boots overlap.
        List<LhttpInstance> ab = LhttpInstance.startAll(
                () -> nodes.forEach(NatsNode::close),
                new LhttpInstance.Launch(A, "-Dlhttp.nats.url=" + nodes.get(0).url()),
                new LhttpInstance.Launch(B, "-Dlhttp.nats.url=" + nodes.get(1).url()));
        a = ab.get(0);
        b = ab.get(1);
        try {
            await(() -> ready(a) == 200 && ready(b) == 200, "both instances ready");
        } catch (Throwable t) {
            stopCluster();
            throw t;
        }
    }

    @AfterAll
    static void stopCluster() {
        LhttpInstance.closeAll(a, b, () -> nodes.forEach(NatsNode::close));
    }

    @Test
    @Order(1)
    void webSocketPublishOnAReachesSubscribersOnAAndB() throws Exception {
        try (SdkClient subA = SdkClient.connect(a.ws());
                SdkClient subB = SdkClient.connect(b.ws());
                SdkClient pub = SdkClient.connect(a.ws());
                SdkClient both = SdkClient.connect(b.ws())) {
            subscribe(subA, "room-1");
            subscribe(subB, "room-1");
            awaitPath(pub, "room-1", subA, subB);

            // PROTOCOL.md §6's first example: delivered whole, publish header included, byte for byte.
            String frame = "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:room-1\r\n\r\n{to:jack,from:mike}";
            pub.send(frame);
            assertEquals(frame, nextReal(subA));
            assertEquals(frame, nextReal(subB));

            // §2: subscribe + publish in one message, on B: the sender gets it too, and so does A.
            String echoed = "LHTTP/1.0 chat\r\nsubscribe:room-1\r\npublish:room-1\r\n\r\nhällo from B";
            both.send(echoed);
            assertEquals(echoed, nextReal(both));
            assertEquals(echoed, nextReal(subA));
            assertEquals(echoed, nextReal(subB));
            assertNull(nextRealOrNull(pub), "a publisher that is not subscribed receives nothing");
        }
    }

    @Test
    @Order(2)
    void httpPublishOnBReachesSubscribersOnA() throws Exception {
        try (SdkClient subA = SdkClient.connect(a.ws());
                SdkClient probe = SdkClient.connect(b.ws())) {
            subscribe(subA, "room-2");
            awaitPath(probe, "room-2", subA);

            String body = "LHTTP/1.0 notice\r\npublish:room-2\r\nfrom:backend\r\n\r\nposted on B";
            HttpResponse<String> r = b.post("/publish", body);
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(body, nextReal(subA), "delivered exactly as posted");
        }
    }

    @Test
    @Order(3)
    void unsubscribeOnBStopsDeliveryThereOnly() throws Exception {
        try (SdkClient leaver = SdkClient.connect(b.ws());
                SdkClient stayer = SdkClient.connect(b.ws());
                SdkClient subA = SdkClient.connect(a.ws());
                SdkClient pub = SdkClient.connect(a.ws())) {
            subscribe(leaver, "room-3"); // first in B's fan-out array: a delivery to it would come first
            subscribe(stayer, "room-3");
            subscribe(subA, "room-3");
            awaitPath(pub, "room-3", leaver, stayer, subA);

            leaver.send("LHTTP/1.0 unsub\r\nunsubscribe:room-3\r\n\r\n");
            roundTrip(leaver); // frames of one connection are handled in order: the unsubscribe is done

            String frame = "LHTTP/1.0 chat\r\npublish:room-3\r\n\r\nafter the unsubscribe";
            pub.send(frame);
            assertEquals(frame, nextReal(stayer));
            assertEquals(frame, nextReal(subA));
            // Had B still fanned out to the leaver, that frame would be queued before this reply.
            roundTrip(leaver);
            assertNull(nextRealOrNull(leaver), "the leaver got nothing after unsubscribing");

            // The last local subscriber leaving B removes B's NATS subscription; A keeps receiving.
            stayer.send("LHTTP/1.0 unsub\r\nunsubscribe:room-3\r\n\r\n");
            roundTrip(stayer);
            NatsNode nodeB = nodeOf(B);
            await(() -> nodeB.subscriptions(B, "lhttp.room-3") == 0, "B's subscription for room-3 gone");
            pub.send(frame);
            assertEquals(frame, nextReal(subA));
        }
    }

    @Test
    @Order(4)
    void fiftyClientsOnOneInstanceMakeOneNatsSubscription() throws Exception {
        String subject = "lhttp.room-4";
        List<SdkClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                SdkClient c = SdkClient.connect(a.ws());
                clients.add(c);
                subscribe(c, "room-4");
            }
            for (SdkClient c : clients) {
                roundTrip(c); // every subscribe has been handled
            }
            NatsNode nodeA = nodeOf(A);
            await(() -> nodeA.subscriptions(A, subject) >= 1, "A subscribed to " + subject);
            assertEquals(1, nodeA.subscriptions(A, subject), "one NATS subscription for 50 local subscribers");

            for (SdkClient c : clients.subList(0, 49)) {
                c.close();
            }
            // One client is left: the subscription must stay while it does.
            try (SdkClient pub = SdkClient.connect(b.ws())) {
                awaitPath(pub, "room-4", clients.get(49));
            }
            assertEquals(1, nodeA.subscriptions(A, subject), "still one while one subscriber is left");

            clients.get(49).close();
            await(() -> nodeA.subscriptions(A, subject) == 0, "no subscription once all 50 closed");
        } finally {
            for (SdkClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    @Order(5)
    void failoverOfTheNodeUnderAResumesDeliveryWithoutDuplicatesOrReordering() throws Exception {
        int count = 6000; // ~1 message per ms: about 6 s
        int killAt = 1500;
        NatsNode victim = nodeOf(A);
        StreamReceiver onA = StreamReceiver.connect(a, "stream");
        StreamReceiver onB = StreamReceiver.connect(b, "stream");
        try (SdkClient pub = SdkClient.connect(b.ws())) {
            awaitProbes(pub, "stream", List.of(onA::probed, onB::probed));
            onA.clear();
            onB.clear();

            CompletableFuture<Long> killed = new CompletableFuture<>();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(i);
                while (System.nanoTime() < due) {
                    LockSupport.parkNanos(due - System.nanoTime()); // pacing, not waiting for a result
                }
                if (i == killAt) {
                    CompletableFuture.runAsync(() -> {
                        long t = System.nanoTime();
                        victim.kill();
                        killed.complete(t);
                    });
                }
                pub.send("LHTTP/1.0 m\r\npublish:stream\r\n\r\n" + i);
            }
            long sendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long killNanos = killed.get(30, TimeUnit.SECONDS);

            await(() -> onB.last() == count - 1, "B (node untouched) received the last message");
            await(() -> onA.last() == count - 1, "A received the last message: delivery resumed");
            NatsNode now = nodeOf(A);
            assertNotEquals(victim, now, "A reconnected to another node");

            StreamReceiver.Stats sa = onA.stats(count, killNanos);
            StreamReceiver.Stats sb = onB.stats(count, killNanos);
            // The blackout on B's clock: between B's arrivals of the messages around A's loss. B's
            // stream never stopped, so this is how long A was out of the flow, noise excluded.
            double blackoutMs = sa.lost == 0
                    ? 0
                    : (onB.arrival(Math.min(sa.lastLost + 1, count - 1)) - onB.arrival(Math.max(sa.firstLost - 1, 0)))
                            / 1e6;
            System.out.printf(
                    "FAILOVER-RESULT sent=%d send_ms=%d a_received=%d a_lost=%d a_duplicates=%d a_reordered=%d"
                            + " a_gap_ms=%.1f a_lost_first=%d a_lost_last=%d a_blackout_ms=%.1f b_received=%d b_lost=%d"
                            + " b_gap_ms=%.1f a_node_before=%s a_node_after=%s%n",
                    count,
                    sendMs,
                    sa.received,
                    sa.lost,
                    sa.duplicates,
                    sa.reordered,
                    sa.gapMs,
                    sa.firstLost,
                    sa.lastLost,
                    blackoutMs,
                    sb.received,
                    sb.lost,
                    sb.gapMs,
                    victim.name(),
                    now.name());

            assertEquals(0, sa.duplicates, "no message delivered twice on A");
            assertEquals(0, sa.reordered, "per-publisher order holds on A");
            assertEquals(0, sb.duplicates + sb.reordered + sb.lost, "B, whose node stayed up, got everything in order");
            assertTrue(sa.received > killAt, "A received messages before the kill");
            assertTrue(sa.lost < count - killAt, "A received messages after the kill");
        } finally {
            onA.close();
            onB.close();
            victim.start();
            for (NatsNode n : nodes) {
                n.awaitRoutes(nodes.size() - 1);
            }
        }
    }

    @Test
    @Order(6)
    void readinessIsDownWhileNoNatsNodeIsUpAndPublishesAreRefusedWith503() throws Exception {
        assertEquals(200, ready(a));
        try (SdkClient sub = SdkClient.connect(a.ws());
                SdkClient pub = SdkClient.connect(a.ws())) {
            subscribe(sub, "room-6");
            awaitPath(pub, "room-6", sub);

            nodes.forEach(NatsNode::kill);
            await(() -> ready(a) == 503, "A's readiness DOWN with every node gone");
            await(() -> ready(b) == 503, "B's readiness DOWN with every node gone");
            assertTrue(a.get("/health/ready").body().contains("DOWN"));
            assertEquals(200, a.get("/health/live").statusCode(), "liveness stays UP");

            // Refused, not buffered: the error frame of PROTOCOL.md §5, and HTTP 503.
            pub.send("LHTTP/1.0 chat\r\npublish:room-6\r\n\r\nduring the outage");
            assertEquals(
                    "LHTTP/1.0 error\r\ncode:503\r\nreason:cluster bus not connected, message not published\r\n\r\n",
                    pub.next());
            HttpResponse<String> posted =
                    a.post("/publish", "LHTTP/1.0 chat\r\npublish:room-6\r\n\r\nposted during the outage");
            assertEquals(503, posted.statusCode(), posted.body());

            nodes.get(0).start(); // the node A was configured with
            await(() -> ready(a) == 200, "A's readiness UP once a node is back");
            assertTrue(a.get("/health/ready").body().contains("UP"));

            String after = "LHTTP/1.0 chat\r\npublish:room-6\r\n\r\nafter the outage";
            pub.send(after);
            assertEquals(after, nextReal(sub), "the subscription came back with the connection");
            assertNull(nextRealOrNull(sub), "nothing refused during the outage arrives late");
        }
    }

    // ---- helpers ----

    private static int ready(LhttpInstance instance) {
        try {
            return instance.get("/health/ready").statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The running node the named instance is connected to now. */
    private static NatsNode nodeOf(String instance) throws InterruptedException {
        NatsNode[] found = new NatsNode[1];
        await(
                () -> {
                    for (NatsNode n : nodes) {
                        if (n.hasConnection(instance)) {
                            found[0] = n;
                            return true;
                        }
                    }
                    return false;
                },
                instance + " connected to a node");
        return found[0];
    }

    private static void subscribe(SdkClient c, String channel) throws IOException {
        c.send("LHTTP/1.0 sub\r\nsubscribe:" + channel + "\r\n\r\n");
    }

    /** An echo round trip: everything this connection sent before has been handled by the server. */
    private static void roundTrip(SdkClient c) throws Exception {
        c.send("LHTTP/1.0 echo\r\n\r\nsync");
        while (true) {
            String f = c.next();
            if (f.equals("LHTTP/1.0 echo\r\n\r\nsync")) {
                return;
            }
            if (!f.startsWith(PROBE)) {
                throw new AssertionError("unexpected frame before the echo: " + f);
            }
        }
    }

    /**
     * Publishes probe frames from {@code from} until every receiver has one: then the channel's
     * subscriptions have reached every node on the way. Probes are skipped by {@link #nextReal}.
     */
    private static void awaitPath(SdkClient from, String channel, SdkClient... to) throws Exception {
        List<BooleanSupplier> got = new ArrayList<>();
        for (SdkClient c : to) {
            got.add(() -> {
                String f;
                while ((f = c.poll()) != null) {
                    if (f.startsWith(PROBE)) {
                        return true;
                    }
                    throw new AssertionError("unexpected frame while probing: " + f);
                }
                return false;
            });
        }
        awaitProbes(from, channel, got);
    }

    private static void awaitProbes(SdkClient from, String channel, List<BooleanSupplier> got) throws Exception {
        List<BooleanSupplier> pending = new ArrayList<>(got);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int n = 0;
        while (!pending.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("probes on " + channel + " did not reach " + pending.size() + " receivers");
            }
            from.send(PROBE + "publish:" + channel + "\r\n\r\n" + n++);
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (!pending.isEmpty() && System.nanoTime() < until) {
                pending.removeIf(BooleanSupplier::getAsBoolean);
                TimeUnit.MILLISECONDS.sleep(5); // poll interval, bounded by the deadline
            }
        }
    }

    /** The next frame that is not a probe. */
    private static String nextReal(SdkClient c) throws InterruptedException {
        while (true) {
            String f = c.next();
            if (!f.startsWith(PROBE)) {
                return f;
            }
        }
    }

    /** The next non-probe frame already received, or null. */
    private static String nextRealOrNull(SdkClient c) {
        String f;
        while ((f = c.poll()) != null) {
            if (!f.startsWith(PROBE)) {
                return f;
            }
        }
        return null;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.untilAnswered(DEADLINE, condition, what);
    }

    /**
     * A subscriber that timestamps each frame on arrival (on the SDK client's reading thread), so
     * the failover gap is measured where it happens rather than when a test thread polls.
     */
    private static final class StreamReceiver {
        private final long[] times = new long[1 << 16];
        private final int[] seqs = new int[1 << 16];
        private volatile int size;
        private volatile int last = -1;
        private volatile boolean probed;
        private final LhttpClient client;

        private StreamReceiver(LhttpInstance instance, String channel) throws Exception {
            client = LhttpClient.connect(instance.ws(), new LhttpClient.Options().reconnect(false));
            client.onMessage(m -> onFrame(m.frame()));
            if (!client.awaitOpen(DEADLINE)) {
                client.close();
                throw new AssertionError("no connection to " + instance.ws());
            }
            client.subscribe(channel, "sub", List.of(), "");
        }

        static StreamReceiver connect(LhttpInstance instance, String channel) throws Exception {
            return new StreamReceiver(instance, channel);
        }

        private synchronized void onFrame(String frame) {
            if (frame.startsWith(PROBE)) {
                probed = true;
                return;
            }
            int seq = Integer.parseInt(frame.substring(frame.indexOf("\r\n\r\n") + 4));
            if (size < seqs.length) {
                seqs[size] = seq;
                times[size] = System.nanoTime();
                size++;
            }
            last = seq;
        }

        synchronized void clear() {
            size = 0;
            last = -1;
        }

        int last() {
            return last;
        }

        /** When the message with this number arrived (nanoTime); fails when it never did. */
        synchronized long arrival(int seq) {
            for (int k = 0; k < size; k++) {
                if (seqs[k] == seq) {
                    return times[k];
                }
            }
            throw new AssertionError("message " + seq + " never arrived");
        }

        boolean probed() {
            return probed;
        }

        record Stats(
                int received, int lost, int duplicates, int reordered, double gapMs, int firstLost, int lastLost) {}

        /** Loss, duplicates and order over the whole stream; the gap is the silence around the kill. */
        synchronized Stats stats(int count, long killNanos) {
            Set<Integer> seen = new HashSet<>();
            int duplicates = 0;
            int reordered = 0;
            int previous = -1;
            for (int k = 0; k < size; k++) {
                if (!seen.add(seqs[k])) {
                    duplicates++;
                }
                if (seqs[k] <= previous) {
                    reordered++;
                }
                previous = Math.max(previous, seqs[k]);
            }
            // The gap: the longest silence between two frames from just before the kill on. On B (node
            // untouched) the same number is the noise floor of the machine, printed beside A's.
            long maxGap = 0;
            for (int k = 1; k < size; k++) {
                if (times[k] > killNanos - TimeUnit.MILLISECONDS.toNanos(50)) {
                    maxGap = Math.max(maxGap, times[k] - times[k - 1]);
                }
            }
            int firstLost = -1;
            int lastLost = -1;
            for (int s = 0; s < count; s++) {
                if (!seen.contains(s)) {
                    if (firstLost < 0) {
                        firstLost = s;
                    }
                    lastLost = s;
                }
            }
            return new Stats(size, count - seen.size(), duplicates, reordered, maxGap / 1e6, firstLost, lastLost);
        }

        void close() {
            client.close();
        }
    }
}
