package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.Bus;
import io.lhttp.channel.History;
import io.lhttp.channel.Position;
import io.lhttp.cluster.JetStreamSettings;
import io.lhttp.cluster.NatsBus;
import io.lhttp.config.LhttpConfig;
import io.lhttp.it.support.Await;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The NATS bus's JetStream history alone against a real nats-server: without JetStream (fall back,
 * or refuse when required), a stream created again (new epoch, nothing wrongly replayed), and the
 * bound on recoveries running at once.
 */
class JetStreamBusIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Duration PINGS = Duration.ofMillis(LhttpConfig.DEFAULT_NATS_PING_INTERVAL_MS);
    private static final String FRAME = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";

    private static History history() {
        return new History("room", 10, 0, 100);
    }

    private static JetStreamSettings settings(boolean required, Duration timeout, int maxReplays) {
        return new JetStreamSettings("LHTTP_IT", "lhttp-history.", true, 1, required, timeout, maxReplays);
    }

    /** Delivered frames with their positions. */
    private record Got(String frame, Position position) {}

    /** A joiner that records the replay and the answer. */
    private static final class Recorder implements Bus.Joiner {
        final BlockingQueue<Got> replayed = new LinkedBlockingQueue<>();
        final CompletableFuture<Boolean> recovered = new CompletableFuture<>();
        volatile Position top;

        @Override
        public void replay(String frame, Position position) {
            replayed.add(new Got(frame, position));
        }

        @Override
        public void joined(Position top, Boolean recovered) {
            this.top = top;
            this.recovered.complete(recovered);
        }
    }

    @Test
    void withoutJetStreamHistoryChannelsWorkAsPlainOnesAndRecoverNothing() throws Exception {
        try (NatsNode node = NatsNode.standalone("js-bus-none").start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-1",
                    PINGS,
                    history(),
                    settings(false, Duration.ofSeconds(2), 4));
            try {
                await(bus::isConnected, "connected, and ready: JetStream is not required");
                BlockingQueue<Got> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", (Bus.Delivery) (f, p) -> got.add(new Got(f, p)));
                await(() -> node.subscriptions("js-bus-it-1", "lhttp.room") == 1, "subscribed");
                bus.publish("room", FRAME);
                assertEquals(new Got(FRAME, null), got.poll(10, TimeUnit.SECONDS), "carried as a plain channel");
                Recorder r = new Recorder();
                bus.join("room", new Position("abc", 1), r);
                assertEquals(Boolean.FALSE, r.recovered.get(10, TimeUnit.SECONDS));
                assertTrue(r.replayed.isEmpty());
                assertFalse(bus.historyReady());
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void whenJetStreamIsRequiredHistoryChannelsAreRefusedAndTheBusIsNotReady() throws Exception {
        try (NatsNode node = NatsNode.standalone("js-bus-required").start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-2",
                    PINGS,
                    history(),
                    settings(true, Duration.ofSeconds(2), 4));
            try {
                await(() -> node.hasConnection("js-bus-it-2"), "connected to NATS");
                assertFalse(bus.isConnected(), "readiness DOWN: the required stream is missing");
                assertEquals(
                        503,
                        assertThrows(ProtocolException.class, () -> bus.publish("room", FRAME))
                                .code());
                bus.publish("plain", FRAME); // plain channels are not affected
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void aStreamCreatedAgainHasANewEpochAndOldPositionsRecoverNothingWrong() throws Exception {
        try (NatsNode node = NatsNode.standalone("js-bus-again").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-3",
                    PINGS,
                    history(),
                    settings(true, Duration.ofSeconds(2), 4));
            try (Connection admin = Nats.connect(node.url())) {
                await(bus::historyReady, "stream created");
                assertTrue(bus.isConnected());
                BlockingQueue<Got> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", (Bus.Delivery) (f, p) -> got.add(new Got(f, p)));
                Recorder first = new Recorder();
                bus.join("room", null, first);
                assertNull(first.recovered.get(10, TimeUnit.SECONDS), "no since: no recovered");
                bus.publish("room", FRAME);
                Got old = got.poll(10, TimeUnit.SECONDS);
                assertTrue(old != null && old.position() != null, String.valueOf(old));

                admin.jetStreamManagement().deleteStream("LHTTP_IT");
                // The next publishes find the stream gone (503) and have it made again, with a new epoch.
                await(
                        () -> {
                            try {
                                bus.publish("room", FRAME);
                                return true;
                            } catch (ProtocolException e) {
                                assertEquals(503, e.code());
                                return false;
                            }
                        },
                        "publishing works again once the stream is made again");
                Got fresh = got.poll(10, TimeUnit.SECONDS);
                assertTrue(fresh != null && fresh.position() != null, String.valueOf(fresh));
                assertNotEquals(old.position().epoch(), fresh.position().epoch(), "a new stream, a new epoch");

                Recorder back = new Recorder();
                bus.join("room", old.position(), back);
                assertEquals(
                        Boolean.FALSE, back.recovered.get(10, TimeUnit.SECONDS), "the old epoch's history is gone");
                assertEquals(fresh.position().epoch(), back.top.epoch());
            } finally {
                bus.close();
            }
        }
    }

    /** Presence join/leave news: delivered live without a position, never stored, never replayed. */
    @Test
    void transientFramesReachSubscribersButNotTheStream() throws Exception {
        try (NatsNode node =
                NatsNode.standalone("js-bus-transient").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-t",
                    PINGS,
                    history(),
                    settings(true, Duration.ofSeconds(2), 4));
            try (Connection admin = Nats.connect(node.url())) {
                await(bus::historyReady, "stream created");
                BlockingQueue<Got> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", (Bus.Delivery) (f, p) -> got.add(new Got(f, p)));
                Recorder first = new Recorder();
                bus.join("room", null, first);
                assertNull(first.recovered.get(10, TimeUnit.SECONDS));
                bus.publish("room", FRAME + 1);
                Got kept = got.poll(10, TimeUnit.SECONDS);
                assertTrue(kept != null && kept.position() != null, String.valueOf(kept));
                String news = "LHTTP/1.0 presence\r\nevent:join\r\nchannel:room\r\nmember:x\r\n\r\n";
                bus.publishTransient("room", news);
                Got live = got.poll(10, TimeUnit.SECONDS);
                assertEquals(new Got(news, null), live, "delivered live, without a position");
                bus.publish("room", FRAME + 2);
                Got second = got.poll(10, TimeUnit.SECONDS);
                assertEquals(FRAME + 2, second.frame());
                assertEquals(
                        2,
                        admin.jetStreamManagement()
                                .getStreamInfo("LHTTP_IT")
                                .getStreamState()
                                .getMsgCount(),
                        "only the two messages are stored");

                Recorder back = new Recorder();
                bus.join("room", kept.position(), back);
                assertEquals(Boolean.TRUE, back.recovered.get(10, TimeUnit.SECONDS));
                assertEquals(
                        List.of(FRAME + 2),
                        back.replayed.stream().map(Got::frame).toList(),
                        "the replay has the messages and not the presence news");
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void withFileStorageTheHistoryOutlivesARestartOfNatsServer() throws Exception {
        try (NatsNode node =
                NatsNode.standalone("js-bus-restart").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-5",
                    PINGS,
                    history(),
                    new JetStreamSettings("LHTTP_IT", "lhttp-history.", false, 1, false, Duration.ofSeconds(2), 4));
            try {
                await(bus::historyReady, "stream created");
                BlockingQueue<Got> got = new LinkedBlockingQueue<>();
                bus.subscribe("room", (Bus.Delivery) (f, p) -> got.add(new Got(f, p)));
                Recorder first = new Recorder();
                bus.join("room", null, first);
                first.recovered.get(10, TimeUnit.SECONDS);
                bus.publish("room", FRAME);
                Position seen = got.poll(10, TimeUnit.SECONDS).position();

                node.kill();
                await(() -> !bus.isConnected(), "the outage is noticed");
                node.start();
                await(bus::isConnected, "reconnected");
                await(
                        () -> {
                            try {
                                bus.publish("room", FRAME + " after");
                                return true;
                            } catch (ProtocolException e) {
                                return false; // until JetStream has recovered its store
                            }
                        },
                        "published after the restart");
                Got after = got.poll(10, TimeUnit.SECONDS);
                assertTrue(after != null && after.position() != null, String.valueOf(after));
                assertEquals(seen.epoch(), after.position().epoch(), "the same stream: the same epoch");
                Recorder back = new Recorder();
                bus.join("room", seen, back);
                assertEquals(Boolean.TRUE, back.recovered.get(10, TimeUnit.SECONDS));
                assertEquals(List.of(new Got(FRAME + " after", after.position())), List.copyOf(back.replayed));
            } finally {
                bus.close();
            }
        }
    }

    /**
     * The seam made deterministic: messages published while the replay is being sent reach the
     * joining subscriber from the buffer, after the replay, each once; the ones after that live.
     */
    @Test
    void messagesPublishedDuringTheReplayFollowItOnceThenLiveOnes() throws Exception {
        try (NatsNode node = NatsNode.standalone("js-bus-seam").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-6",
                    PINGS,
                    history(),
                    settings(false, Duration.ofSeconds(2), 4));
            try {
                await(bus::historyReady, "stream created");
                java.util.concurrent.atomic.AtomicBoolean joined = new java.util.concurrent.atomic.AtomicBoolean();
                List<Long> subscriber = new java.util.concurrent.CopyOnWriteArrayList<>(); // what the joining one gets
                BlockingQueue<Got> everyone = new LinkedBlockingQueue<>(); // the channel's deliveries
                bus.subscribe("room", (Bus.Delivery) (f, p) -> {
                    if (joined.get()) {
                        subscriber.add(p.offset()); // the registry's fan-out to the joined subscriber
                    }
                    everyone.add(new Got(f, p)); // last: the test reads `subscriber` once it sees this
                });
                Recorder start = new Recorder();
                bus.join("room", null, start);
                start.recovered.get(10, TimeUnit.SECONDS);
                bus.publish("room", FRAME + 0);
                Position since = everyone.poll(10, TimeUnit.SECONDS).position();
                for (int i = 1; i <= 3; i++) {
                    bus.publish("room", FRAME + i); // missed
                }
                for (int i = 1; i <= 3; i++) {
                    everyone.poll(10, TimeUnit.SECONDS);
                }

                CountDownLatch replaying = new CountDownLatch(1);
                CountDownLatch goOn = new CountDownLatch(1);
                CompletableFuture<Boolean> recovered = new CompletableFuture<>();
                Thread joining = new Thread(() -> bus.join("room", since, new Bus.Joiner() {
                    @Override
                    public void replay(String frame, Position position) {
                        subscriber.add(position.offset());
                        replaying.countDown();
                        try {
                            goOn.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void joined(Position top, Boolean complete) {
                        joined.set(true);
                        recovered.complete(complete);
                    }
                }));
                joining.start();
                assertTrue(replaying.await(10, TimeUnit.SECONDS));
                for (int i = 4; i <= 6; i++) {
                    bus.publish("room", FRAME + i); // while the replay is being sent: buffered
                }
                List<Long> all = new java.util.ArrayList<>();
                for (int i = 4; i <= 6; i++) {
                    all.add(everyone.poll(10, TimeUnit.SECONDS).position().offset());
                }
                goOn.countDown();
                assertEquals(Boolean.TRUE, recovered.get(10, TimeUnit.SECONDS));
                joining.join(10_000);
                bus.publish("room", FRAME + 7); // live
                all.add(everyone.poll(10, TimeUnit.SECONDS).position().offset());
                assertEquals(7, subscriber.size(), "3 replayed, 3 buffered, 1 live: " + subscriber);
                for (int i = 1; i < subscriber.size(); i++) {
                    assertTrue(subscriber.get(i) > subscriber.get(i - 1), "in order, once: " + subscriber);
                }
                assertEquals(all, subscriber.subList(3, 7), "the buffered then the live ones: " + subscriber);
                assertTrue(subscriber.get(0) > since.offset());
            } finally {
                bus.close();
            }
        }
    }

    @Test
    void recoveriesAtOnceAreBoundedByMaxReplays() throws Exception {
        try (NatsNode node =
                NatsNode.standalone("js-bus-replays").withJetStream().start()) {
            NatsBus bus = new NatsBus(
                    List.of(node.url()),
                    "lhttp.",
                    "js-bus-it-4",
                    PINGS,
                    history(),
                    settings(false, Duration.ofMillis(300), 1));
            try {
                await(bus::historyReady, "stream created");
                bus.subscribe("room", (Bus.Delivery) (f, p) -> {});
                Recorder top = new Recorder();
                bus.join("room", null, top);
                top.recovered.get(10, TimeUnit.SECONDS);
                bus.publish("room", FRAME);
                bus.publish("room", FRAME);

                CountDownLatch replaying = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                CompletableFuture<Boolean> held = new CompletableFuture<>();
                Thread holder = new Thread(() -> bus.join("room", top.top, new Bus.Joiner() {
                    @Override
                    public void replay(String frame, Position position) {
                        replaying.countDown();
                        try {
                            release.await(30, TimeUnit.SECONDS); // holds the one permit meanwhile
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void joined(Position t, Boolean recovered) {
                        held.complete(recovered);
                    }
                }));
                holder.start();
                assertTrue(replaying.await(10, TimeUnit.SECONDS));
                Recorder refused = new Recorder();
                bus.join("room", top.top, refused);
                assertEquals(Boolean.FALSE, refused.recovered.get(10, TimeUnit.SECONDS), "no permit: recovered:false");
                assertTrue(refused.replayed.isEmpty(), "and nothing replayed");
                release.countDown();
                assertEquals(Boolean.TRUE, held.get(10, TimeUnit.SECONDS));
                holder.join(10_000);
                Recorder after = new Recorder();
                bus.join("room", top.top, after);
                assertEquals(Boolean.TRUE, after.recovered.get(10, TimeUnit.SECONDS), "the permit is back");
                assertEquals(2, after.replayed.size());
            } finally {
                bus.close();
            }
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Await.until(DEADLINE, condition, what);
    }
}
