package io.lhttp.it.cluster;

import static io.lhttp.it.support.Frames.positionEpoch;
import static io.lhttp.it.support.Frames.positionOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Channel history over NATS JetStream with two lhttp instances on one nats-server {@code -js}
 * (PROTOCOL.md §2.2): a subscriber that was away recovers on the other instance exactly what it
 * missed and then the live messages, with no gap and no duplicate even while messages keep coming;
 * {@code recovered:false} beyond the history; the history outlives an instance restart; plain
 * channels on the same cluster carry no position.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JetStreamHistoryIT {

    private static final int SIZE = 40;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static NatsNode node;
    private static LhttpInstance a;
    private static LhttpInstance b;
    private static String[] options;

    @BeforeAll
    static void start() throws Exception {
        node = NatsNode.standalone("jetstream").withJetStream().start();
        options = new String[] {
            "-Dlhttp.nats.url=" + node.url(), "-Dlhttp.history.channels=room*,chat", "-Dlhttp.history.size=" + SIZE
        };
        List<LhttpInstance> ab = LhttpInstance.startAllWithHistory(
                node,
                "room-probe",
                new LhttpInstance.Launch("js-A", options),
                new LhttpInstance.Launch("js-B", options));
        a = ab.get(0);
        b = ab.get(1);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, b, node);
    }

    /**
     * Publishes and returns once the server has handled it and, for a history channel, once the
     * stream has it: a client's publishes to history channels are not waited for by the server
     * (pipelined, docs/CLUSTER.md), so the echo alone does not prove it stored.
     */
    private static void publish(SdkClient publisher, String channel, String body) throws Exception {
        publisher.send("LHTTP/1.0 chat\r\npublish:" + channel + "\r\n\r\n" + body);
        publisher.send("LHTTP/1.0 echo\r\n\r\nsync");
        String f = publisher.next();
        while (f.startsWith("LHTTP/1.0 chat\r\n")) {
            f = publisher.next(); // its own message, when it is also a subscriber
        }
        assertEquals("LHTTP/1.0 echo\r\n\r\nsync", f);
        if (channel.startsWith("room") || channel.equals("chat")) {
            awaitStored(channel, body);
        }
    }

    /** Waits (bounded) until the channel's newest message in the stream has this body. */
    private static void awaitStored(String channel, String body) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (io.nats.client.Connection admin = io.nats.client.Nats.connect(node.url())) {
            io.nats.client.JetStreamManagement jsm = admin.jetStreamManagement();
            while (true) {
                try {
                    String last = new String(
                            jsm.getLastMessage("LHTTP", "lhttp-history." + channel)
                                    .getData(),
                            java.nio.charset.StandardCharsets.UTF_8);
                    if (last.endsWith("\r\n\r\n" + body)) {
                        return;
                    }
                } catch (io.nats.client.JetStreamApiException notYet) {
                    // no message of the channel stored yet
                }
                assertTrue(System.nanoTime() < deadline, channel + ": '" + body + "' not stored within 10 s");
                TimeUnit.MILLISECONDS.sleep(10); // poll interval, bounded by the deadline
            }
        }
    }

    private static String body(String frame) {
        return frame.substring(frame.indexOf("\r\n\r\n") + 4);
    }

    /** Subscribes with positions and returns the {@code subscribed} answer. */
    private static String subscribe(SdkClient c, String channel, String since) throws Exception {
        c.send("LHTTP/1.0 chat\r\n" + (since == null ? "positions:true\r\n" : "since:" + since + "\r\n") + "subscribe:"
                + channel + "\r\n\r\n");
        return c.next();
    }

    @Test
    @Order(1)
    void aSubscriberAwayFromAGetsWhatWasPublishedOnBThenLive() throws Exception {
        try (SdkClient pubA = SdkClient.connect(a.ws());
                SdkClient pubB = SdkClient.connect(b.ws());
                SdkClient witness = SdkClient.connect(a.ws())) {
            String w = subscribe(witness, "room1", null);
            assertTrue(w.startsWith("LHTTP/1.0 subscribed\r\nchannel:room1\r\nposition:"), w);
            String since;
            String one;
            try (SdkClient sub = SdkClient.connect(a.ws())) {
                String answer = subscribe(sub, "room1", null);
                assertTrue(answer.startsWith("LHTTP/1.0 subscribed\r\nchannel:room1\r\nposition:"), answer);
                publish(pubB, "room1", "one");
                one = sub.next();
                assertEquals("one", body(one));
                assertTrue(one.startsWith("LHTTP/1.0 chat\r\nposition:"), one);
                assertEquals(one, witness.next(), "every subscriber with positions gets the same frame");
                since = positionEpoch(one) + ":" + positionOffset(one);
            }
            publish(pubB, "room1", "two");
            publish(pubB, "room1", "three");
            String two = witness.next();
            String three = witness.next();
            try (SdkClient back = SdkClient.connect(b.ws())) {
                assertEquals(
                        two,
                        back.send("LHTTP/1.0 chat\r\nsince:" + since + "\r\nsubscribe:room1\r\n\r\n")
                                .next());
                assertEquals(three, back.next());
                assertEquals(
                        "LHTTP/1.0 subscribed\r\nchannel:room1\r\nposition:" + positionEpoch(three) + ":"
                                + positionOffset(three) + "\r\nrecovered:true\r\n\r\n",
                        back.next());
                publish(pubA, "room1", "four");
                String four = back.next();
                assertEquals("four", body(four));
                assertEquals(four, witness.next());
                assertTrue(
                        positionOffset(one) < positionOffset(two)
                                && positionOffset(two) < positionOffset(three)
                                && positionOffset(three) < positionOffset(four),
                        one + two + three + four);
                assertEquals(null, back.poll(), "nothing else: no duplicate");
            }
        }
    }

    @Test
    @Order(2)
    void noGapAndNoDuplicateAtTheSeamWhileMessagesKeepComing() throws Exception {
        int missed = 10;
        int during = 25;
        try (SdkClient pubB = SdkClient.connect(b.ws())) {
            String since;
            try (SdkClient sub = SdkClient.connect(a.ws())) {
                String answer = subscribe(sub, "room2", null);
                since = answer.substring(answer.indexOf("position:") + 9, answer.indexOf("\r\n\r\n"));
            }
            for (int i = 0; i < missed; i++) {
                publish(pubB, "room2", "m" + i);
            }
            try (SdkClient back = SdkClient.connect(b.ws())) {
                CompletableFuture<Void> publishing = CompletableFuture.runAsync(() -> {
                    try {
                        for (int i = missed; i < missed + during; i++) {
                            publish(pubB, "room2", "m" + i);
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                back.send("LHTTP/1.0 chat\r\nsince:" + since + "\r\nsubscribe:room2\r\n\r\n");
                List<String> bodies = new ArrayList<>();
                long previous = 0;
                String subscribed = null;
                while (bodies.size() < missed + during) {
                    String f = back.next();
                    if (f.startsWith("LHTTP/1.0 subscribed\r\n")) {
                        subscribed = f;
                        continue;
                    }
                    long offset = positionOffset(f);
                    assertTrue(offset > previous, "positions increase: " + previous + " then " + f);
                    previous = offset;
                    bodies.add(body(f));
                }
                publishing.get(60, TimeUnit.SECONDS);
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < missed + during; i++) {
                    expected.add("m" + i);
                }
                assertEquals(expected, bodies, "every message once, in order");
                assertTrue(subscribed != null && subscribed.contains("recovered:true\r\n"), String.valueOf(subscribed));
                assertTrue(positionOffset(subscribed) <= previous, subscribed);
                back.send("LHTTP/1.0 echo\r\n\r\nsync");
                assertEquals("LHTTP/1.0 echo\r\n\r\nsync", back.next(), "no duplicate after the last one");
            }
        }
    }

    @Test
    @Order(3)
    void beyondTheHistoryTheAnswerIsRecoveredFalse() throws Exception {
        try (SdkClient pubB = SdkClient.connect(b.ws())) {
            String since;
            try (SdkClient sub = SdkClient.connect(a.ws())) {
                subscribe(sub, "room3", null);
                publish(pubB, "room3", "first");
                String first = sub.next();
                since = positionEpoch(first) + ":" + positionOffset(first);
            }
            int published = SIZE + 3;
            for (int i = 0; i < published; i++) {
                publish(pubB, "room3", "n" + i);
            }
            try (SdkClient back = SdkClient.connect(b.ws())) {
                back.send("LHTTP/1.0 chat\r\nsince:" + since + "\r\nsubscribe:room3\r\n\r\n");
                List<String> bodies = new ArrayList<>();
                String f = back.next();
                while (!f.startsWith("LHTTP/1.0 subscribed\r\n")) {
                    bodies.add(body(f));
                    f = back.next();
                }
                List<String> kept = new ArrayList<>();
                for (int i = published - SIZE; i < published; i++) {
                    kept.add("n" + i);
                }
                assertEquals(kept, bodies, "what is kept: the newest " + SIZE + " (lhttp.history.size)");
                assertTrue(f.endsWith("recovered:false\r\n\r\n"), f);
            }
        }
    }

    @Test
    @Order(4)
    void plainChannelsOnTheSameClusterCarryNoPositionAndStayOutOfTheStream() throws Exception {
        try (SdkClient withPositions = SdkClient.connect(a.ws());
                SdkClient plain = SdkClient.connect(a.ws());
                SdkClient pubB = SdkClient.connect(b.ws())) {
            assertEquals("LHTTP/1.0 subscribed\r\nchannel:plain1\r\n\r\n", subscribe(withPositions, "plain1", null));
            plain.send("LHTTP/1.0 chat\r\nsubscribe:room4\r\n\r\n");
            plain.send("LHTTP/1.0 echo\r\n\r\nsync");
            assertEquals("LHTTP/1.0 echo\r\n\r\nsync", plain.next());
            long stored = streamMessages();
            publish(pubB, "plain1", "p");
            assertEquals("LHTTP/1.0 chat\r\npublish:plain1\r\n\r\np", withPositions.next());
            assertEquals(stored, streamMessages(), "a plain channel's message is not stored");
            publish(pubB, "room4", "h");
            assertEquals(
                    "LHTTP/1.0 chat\r\npublish:room4\r\n\r\nh",
                    plain.next(),
                    "a subscriber that did not ask for positions gets the frame as it was published");
            assertEquals(stored + 1, streamMessages(), "a history channel's message is stored");
        }
    }

    /** Messages in JetStream on the node, from its monitoring port. */
    private static long streamMessages() {
        return node.monitor("/jsz").map.get("messages").number.longValue();
    }

    @Test
    @Order(5)
    void theHistoryOutlivesARestartOfTheInstance() throws Exception {
        String since;
        try (SdkClient pubB = SdkClient.connect(b.ws())) {
            try (SdkClient sub = SdkClient.connect(a.ws())) {
                subscribe(sub, "room5", null);
                publish(pubB, "room5", "before");
                String before = sub.next();
                since = positionEpoch(before) + ":" + positionOffset(before);
            }
            int port = a.port();
            a.close();
            publish(pubB, "room5", "while-down-1");
            publish(pubB, "room5", "while-down-2");
            a = LhttpInstance.launchOnPort("js-A-again", port, options);
            a.awaitStarted();
            a.awaitHistory("room-probe");
        }
        try (SdkClient back = SdkClient.connect(a.ws())) {
            back.send("LHTTP/1.0 chat\r\nsince:" + since + "\r\nsubscribe:room5\r\n\r\n");
            assertEquals("while-down-1", body(back.next()));
            String last = back.next();
            assertEquals("while-down-2", body(last));
            assertEquals(
                    "LHTTP/1.0 subscribed\r\nchannel:room5\r\nposition:" + positionEpoch(last) + ":"
                            + positionOffset(last) + "\r\nrecovered:true\r\n\r\n",
                    back.next());
            assertEquals(
                    since.substring(0, since.indexOf(':')), positionEpoch(last), "the same stream: the same epoch");
        }
    }
}
