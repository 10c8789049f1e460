package io.lhttp.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client recovers by itself (option {@code recover}, PROTOCOL.md §2.2), like the JS SDK:
 * its connection is cut by a relay while another client keeps publishing on a server that keeps the
 * channel's history in process; when it is let back it receives exactly the missed messages, once,
 * in order, before the live ones, and its {@code recovered} event says true, or false once the
 * history no longer reaches back.
 */
class ClientRecoveryIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int SIZE = 5;
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.history.channels=rec-*", "-Dlhttp.history.size=" + SIZE);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static <T> T next(LinkedBlockingQueue<T> queue, String what) throws InterruptedException {
        T item = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertNotNull(item, "no " + what + " within " + WAIT);
        return item;
    }

    /** Publishes and waits for the publisher's own copy: then the server has handled (and kept) it. */
    private static void publish(LhttpClient publisher, LinkedBlockingQueue<Message> echoes, String channel, String body)
            throws InterruptedException {
        publisher.publish(channel, "chat", body);
        assertEquals(body, next(echoes, "echo of " + body).body());
    }

    private static List<String> bodies(LinkedBlockingQueue<Message> messages, int n) throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(next(messages, "message " + (i + 1) + " of " + n).body());
        }
        return out;
    }

    @Test
    void missedMessagesArriveExactlyOnceAndTheEventSaysWhetherAllWereRecovered() throws Exception {
        String channel = "rec-" + System.nanoTime();
        LhttpClient.Options options = new LhttpClient.Options()
                .recover(true)
                .initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(500));
        try (DroppingRelay relay = new DroppingRelay(server.port());
                LhttpClient publisher = LhttpClient.connect(server.wsUri());
                LhttpClient client = LhttpClient.connect(relay.wsUri(), options)) {
            LinkedBlockingQueue<Message> echoes = new LinkedBlockingQueue<>();
            publisher.onMessage(echoes::add);
            publisher.subscribe(channel);
            assertTrue(publisher.awaitOpen(WAIT));

            LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<LhttpClient.Subscribed> answers = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<LhttpClient.Recovered> recoveries = new LinkedBlockingQueue<>();
            LinkedBlockingQueue<LhttpClient.State> states = new LinkedBlockingQueue<>();
            client.onMessage(messages::add);
            client.onSubscribed(answers::add);
            client.onRecovered(recoveries::add);
            client.onStateChange(states::add);
            client.subscribe(channel);
            LhttpClient.Subscribed first = next(answers, "subscribed answer");
            assertEquals(channel, first.channel());
            assertNotNull(first.position(), "a history channel has a position: " + first);
            assertNull(first.recovered(), "no since on a first subscribe");
            publish(publisher, echoes, channel, "one");
            Message one = next(messages, "live message");
            assertEquals("one", one.body());
            assertEquals("position", one.headers().get(0).key(), "positions asked for: " + one.headers());
            assertEquals(one.headers().get(0).value(), client.positions().get(channel));

            // Away: everything published meanwhile is kept by the server and must come back once.
            relay.drop();
            awaitState(states, LhttpClient.State.RECONNECTING);
            publish(publisher, echoes, channel, "two");
            publish(publisher, echoes, channel, "three");
            relay.resume();
            LhttpClient.Recovered back = next(recoveries, "recovered event");
            assertEquals(new LhttpClient.Recovered(channel, true), back);
            publish(publisher, echoes, channel, "four");
            assertEquals(
                    List.of("two", "three", "four"), bodies(messages, 3), "the missed ones once, in order, then live");
            assertTrue(messages.isEmpty(), "nothing twice: " + messages);

            // Away for longer than the history reaches: what is kept comes, and the event says false.
            relay.drop();
            awaitState(states, LhttpClient.State.RECONNECTING);
            for (int i = 1; i <= SIZE + 1; i++) {
                publish(publisher, echoes, channel, "flood" + i);
            }
            relay.resume();
            assertEquals(new LhttpClient.Recovered(channel, false), next(recoveries, "recovered event"));
            publish(publisher, echoes, channel, "live again");
            List<String> expected = new ArrayList<>();
            for (int i = 2; i <= SIZE + 1; i++) {
                expected.add("flood" + i);
            }
            expected.add("live again");
            assertEquals(expected, bodies(messages, SIZE + 1), "what the server still keeps, then live");
            assertTrue(messages.isEmpty(), "nothing twice: " + messages);
            assertTrue(recoveries.isEmpty(), "one event per reconnect: " + recoveries);
        }
    }

    private static void awaitState(LinkedBlockingQueue<LhttpClient.State> states, LhttpClient.State wanted)
            throws InterruptedException {
        LhttpClient.State s;
        do {
            s = next(states, "state " + wanted);
        } while (s != wanted);
    }
}
