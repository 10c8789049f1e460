package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.Bus;
import io.lhttp.cluster.NatsBus;
import io.lhttp.config.LhttpConfig;
import io.lhttp.it.support.Await;
import io.lhttp.protocol.ProtocolException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The NATS bus adapter alone against a real nats-server: start while down, outage, accounting, drain. */
class NatsBusIT {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final String FRAME = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhällo";
    private static final Duration PINGS = Duration.ofMillis(LhttpConfig.DEFAULT_NATS_PING_INTERVAL_MS);

    @Test
    void startsWhileNatsIsDownRefusesPublishesAndSubscribesOnceItComes() throws Exception {
        try (NatsNode node = NatsNode.standalone("bus-1")) {
            NatsBus bus = new NatsBus(List.of(node.url()), "t.", "bus-it-1", PINGS);
            try {
                assertFalse(bus.isConnected());
                ProtocolException refused = assertThrows(ProtocolException.class, () -> bus.publish("room", FRAME));
                assertEquals(503, refused.code());

                BlockingQueue<String> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", got::add); // taken while down, sent when connected
                node.start();
                await(bus::isConnected, "bus connects once the server is up");
                await(() -> node.subscriptions("bus-it-1", "t.room") == 1, "one subscription for t.room");

                bus.publish("room", FRAME);
                assertEquals(FRAME, got.poll(10, TimeUnit.SECONDS), "delivered byte for byte, UTF-8 intact");
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void outageRefusesWithStatus503AndSubscriptionsComeBackAfterReconnect() throws Exception {
        try (NatsNode node = NatsNode.standalone("bus-2").start()) {
            NatsBus bus = new NatsBus(List.of(node.url()), "t.", "bus-it-2", PINGS);
            try {
                await(bus::isConnected, "connected");
                BlockingQueue<String> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", got::add);
                await(() -> node.subscriptions("bus-it-2", "t.room") == 1, "subscribed");

                node.kill();
                await(() -> !bus.isConnected(), "bus notices the outage");
                assertEquals(
                        503,
                        assertThrows(ProtocolException.class, () -> bus.publish("room", FRAME))
                                .code());

                node.start();
                await(bus::isConnected, "bus reconnects");
                await(() -> node.subscriptions("bus-it-2", "t.room") == 1, "resubscribed after reconnect");
                bus.publish("room", FRAME);
                assertEquals(FRAME, got.poll(10, TimeUnit.SECONDS));
                assertNull(got.poll(200, TimeUnit.MILLISECONDS), "nothing refused during the outage arrives late");
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void cancelRemovesTheSubscriptionAndCloseDrainsTheConnection() throws Exception {
        try (NatsNode node = NatsNode.standalone("bus-3").start()) {
            NatsBus bus = new NatsBus(List.of(node.url()), "t.", "bus-it-3", PINGS);
            try {
                await(bus::isConnected, "connected");
                BlockingQueue<String> got = new LinkedBlockingQueue<>();
                Bus.Subscription sub = bus.subscribe("room", got::add);
                await(() -> node.subscriptions("bus-it-3", "t.room") == 1, "subscribed");
                sub.cancel();
                await(() -> node.subscriptions("bus-it-3", "t.room") == 0, "unsubscribed on the server");
                bus.publish("room", FRAME);
                // The publish went through the server after the unsubscribe: a flush round trip proves it.
                bus.subscribe("other", got::add);
                await(() -> node.subscriptions("bus-it-3", "t.other") == 1, "second subscription seen");
                assertNull(got.poll(), "a cancelled channel delivers nothing");
            } finally {
                bus.close();
            }
            await(() -> !node.hasConnection("bus-it-3"), "closed bus leaves the server");
        }
    }

    @Test
    void aNodeThatHangsWithItsSocketsOpenIsGivenUpAfterUnansweredPings() throws Exception {
        Duration pings = Duration.ofMillis(500);
        try (NatsNode node = NatsNode.standalone("bus-4").start()) {
            NatsBus bus = new NatsBus(List.of(node.url()), "t.", "bus-it-4", pings);
            try {
                await(bus::isConnected, "connected");
                BlockingQueue<String> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", got::add);
                await(() -> node.subscriptions("bus-it-4", "t.room") == 1, "subscribed");

                long frozen = System.nanoTime();
                node.freeze(); // the TCP connection stays up; nothing answers
                await(() -> !bus.isConnected(), "pings notice the hung node");
                long noticedMs = (System.nanoTime() - frozen) / 1_000_000;
                assertTrue(noticedMs < 10_000, "noticed after " + noticedMs + " ms, not jnats's default minutes");
                assertEquals(
                        503,
                        assertThrows(ProtocolException.class, () -> bus.publish("room", FRAME))
                                .code());

                node.thaw();
                await(bus::isConnected, "reconnects once the node answers again");
                await(() -> node.subscriptions("bus-it-4", "t.room") == 1, "resubscribed");
                bus.publish("room", FRAME);
                assertEquals(FRAME, got.poll(10, TimeUnit.SECONDS));
            } finally {
                bus.close();
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(DEADLINE, condition, what);
    }
}
