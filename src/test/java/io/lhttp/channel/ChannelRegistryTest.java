package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The channel registry on the real in-process bus: subscriptions, fan-out, limits, and no leaks. */
class ChannelRegistryTest {

    /** Records what it is sent; stands in for a connection, which the registry only knows as a Subscriber. */
    static class RecordingSubscriber implements Subscriber {
        private final Set<String> channels = new HashSet<>();
        final List<String> frames = Collections.synchronizedList(new ArrayList<>());
        volatile boolean accept = true;

        @Override
        public Set<String> channels() {
            return channels;
        }

        @Override
        public boolean sendFrame(String frame) {
            frames.add(frame);
            return accept;
        }
    }

    /** The real in-process bus, with a count of the subscriptions it holds, to prove nothing leaks. */
    static final class CountingBus implements Bus {
        final InProcessBus bus = new InProcessBus();
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger taken = new AtomicInteger();

        @Override
        public void publish(String channel, String frame) {
            bus.publish(channel, frame);
        }

        @Override
        public Subscription subscribe(String channel, Consumer<String> deliver) {
            Subscription s = bus.subscribe(channel, deliver);
            active.incrementAndGet();
            taken.incrementAndGet();
            return () -> {
                active.decrementAndGet();
                s.cancel();
            };
        }

        @Override
        public String describe() {
            return "counting " + bus.describe();
        }
    }

    private static final int MAX = 256;

    private ChannelRegistry registry;
    private CountingBus bus;

    @BeforeEach
    void setUp() {
        bus = new CountingBus();
        registry = new ChannelRegistry();
        registry.bus = bus;
    }

    @Test
    void subscriberReceivesWhatIsPublishedToItsChannel() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a"), MAX);
        bus.publish("a", "frame-a");
        bus.publish("b", "frame-b");
        assertEquals(List.of("frame-a"), s.frames);
        assertEquals(Set.of("a"), s.channels());
        assertEquals(1, registry.channelCount());
        assertEquals(1, registry.subscriberCount("a"));
        assertEquals(0, registry.subscriberCount("b"));
    }

    @Test
    void severalChannelsInOneCall() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "b", "c"), MAX);
        bus.publish("c", "3");
        bus.publish("a", "1");
        bus.publish("b", "2");
        assertEquals(List.of("3", "1", "2"), s.frames);
        assertEquals(3, registry.channelCount());
        assertEquals(3, bus.active.get());
    }

    @Test
    void oneBusSubscriptionPerChannelWhateverTheNumberOfLocalSubscribers() throws Exception {
        for (int i = 0; i < 10; i++) {
            registry.subscribe(new RecordingSubscriber(), List.of("a"), MAX);
        }
        assertEquals(1, bus.taken.get());
        assertEquals(1, bus.active.get());
        assertEquals(10, registry.subscriberCount("a"));
    }

    @Test
    void fanOutSendsTheIdenticalStringToEverySubscriber() throws Exception {
        List<RecordingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            RecordingSubscriber s = new RecordingSubscriber();
            subscribers.add(s);
            registry.subscribe(s, List.of("a"), MAX);
        }
        String frame = new String("LHTTP/1.0 chat\r\npublish:a\r\n\r\nhello"); // a fresh instance, not interned
        bus.publish("a", frame);
        for (RecordingSubscriber s : subscribers) {
            assertEquals(1, s.frames.size());
            assertSame(frame, s.frames.get(0), "encoded once: the same String to everyone");
        }
    }

    @Test
    void aSubscriberThatRefusesAFrameDoesNotStopTheFanOut() throws Exception {
        RecordingSubscriber full = new RecordingSubscriber();
        full.accept = false;
        RecordingSubscriber other = new RecordingSubscriber();
        registry.subscribe(full, List.of("a"), MAX);
        registry.subscribe(other, List.of("a"), MAX);
        bus.publish("a", "x");
        assertEquals(List.of("x"), other.frames);
    }

    @Test
    void subscribingTwiceIsANoOp() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a"), MAX);
        registry.subscribe(s, List.of("a"), MAX);
        registry.subscribe(s, List.of("a", "b"), MAX);
        bus.publish("a", "once");
        assertEquals(List.of("once"), s.frames);
        assertEquals(1, registry.subscriberCount("a"));
        assertEquals(Set.of("a", "b"), s.channels());
    }

    @Test
    void aChannelRepeatedInOneCallIsSubscribedOnce() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "a"), MAX);
        bus.publish("a", "once");
        assertEquals(List.of("once"), s.frames);
        assertEquals(1, registry.subscriberCount("a"));
        registry.unsubscribe(s, List.of("a"));
        assertEquals(0, registry.channelCount());
        assertEquals(0, bus.active.get());
    }

    @Test
    void aChannelRepeatedInOneCallCountsOnceAgainstTheLimit() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "a", "b"), 2);
        assertEquals(Set.of("a", "b"), s.channels());
    }

    @Test
    void unsubscribeStopsDeliveryAndTheLastOneOutCancelsTheBusSubscription() throws Exception {
        RecordingSubscriber s1 = new RecordingSubscriber();
        RecordingSubscriber s2 = new RecordingSubscriber();
        registry.subscribe(s1, List.of("a"), MAX);
        registry.subscribe(s2, List.of("a"), MAX);
        registry.unsubscribe(s1, List.of("a"));
        bus.publish("a", "x");
        assertEquals(List.of(), s1.frames);
        assertEquals(List.of("x"), s2.frames);
        assertEquals(1, bus.active.get());
        assertEquals(Set.of(), s1.channels());

        registry.unsubscribe(s2, List.of("a"));
        assertEquals(0, registry.channelCount());
        assertEquals(0, bus.active.get());
        bus.publish("a", "y");
        assertEquals(List.of("x"), s2.frames);
    }

    @Test
    void resubscribingAfterTheChannelWasDroppedWorks() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a"), MAX);
        registry.unsubscribe(s, List.of("a"));
        registry.subscribe(s, List.of("a"), MAX);
        bus.publish("a", "again");
        assertEquals(List.of("again"), s.frames);
        assertEquals(1, bus.active.get());
        assertEquals(2, bus.taken.get());
    }

    @Test
    void unsubscribeOfUnknownChannelsIsIgnored() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        RecordingSubscriber other = new RecordingSubscriber();
        registry.unsubscribe(s, List.of("never"));
        registry.subscribe(other, List.of("b"), MAX);
        registry.subscribe(s, List.of("a"), MAX);
        registry.unsubscribe(s, List.of("b", "never", "a"));
        assertEquals(1, registry.subscriberCount("b"), "another subscriber's channel is not touched");
        assertEquals(0, registry.subscriberCount("a"));
        assertEquals(1, registry.channelCount());
        assertEquals(1, bus.active.get());
        bus.publish("b", "x");
        assertEquals(List.of("x"), other.frames);
    }

    @Test
    void channelLimitAllowsExactlyTheMaximum() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "b", "c"), 3);
        assertEquals(3, s.channels().size());
        ProtocolException e = assertThrows(ProtocolException.class, () -> registry.subscribe(s, List.of("d"), 3));
        assertEquals(429, e.code());
        assertEquals(Set.of("a", "b", "c"), s.channels());
        assertEquals(3, registry.channelCount());
        registry.subscribe(s, List.of("c", "b"), 3); // nothing new: within the limit
        registry.unsubscribe(s, List.of("a"));
        registry.subscribe(s, List.of("d"), 3);
        assertEquals(Set.of("b", "c", "d"), s.channels());
    }

    @Test
    void channelLimitIsAllOrNothing() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        registry.subscribe(s, List.of("a"), 3);
        ProtocolException e =
                assertThrows(ProtocolException.class, () -> registry.subscribe(s, List.of("b", "c", "d"), 3));
        assertEquals(429, e.code());
        assertEquals(Set.of("a"), s.channels(), "none of the three was added");
        assertEquals(1, registry.channelCount());
        assertEquals(1, bus.active.get());
        assertEquals(0, registry.subscriberCount("b"));

        registry.subscribe(s, List.of("a", "b", "c"), 3); // a is already there: two new fit
        assertEquals(3, s.channels().size());
    }

    @Test
    void channelLimitFromScratch() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        List<String> max = new ArrayList<>();
        for (int i = 0; i < MAX; i++) {
            max.add("c" + i);
        }
        registry.subscribe(s, max, MAX);
        assertEquals(MAX, s.channels().size());

        RecordingSubscriber t = new RecordingSubscriber();
        List<String> over = new ArrayList<>(max);
        over.add("one-more");
        assertEquals(
                429,
                assertThrows(ProtocolException.class, () -> registry.subscribe(t, over, MAX))
                        .code());
        assertEquals(Set.of(), t.channels());
        assertEquals(MAX, registry.channelCount());
        assertEquals(MAX, bus.active.get());
    }

    @Test
    void limitIsPerSubscriber() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        RecordingSubscriber t = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "b"), 2);
        registry.subscribe(t, List.of("c", "d"), 2);
        assertEquals(4, registry.channelCount());
    }

    @Test
    void removeAllLeavesNothingBehind() throws Exception {
        RecordingSubscriber s = new RecordingSubscriber();
        RecordingSubscriber stays = new RecordingSubscriber();
        registry.subscribe(s, List.of("a", "b", "c"), MAX);
        registry.subscribe(stays, List.of("c"), MAX);
        registry.removeAll(s);
        assertEquals(Set.of(), s.channels());
        assertEquals(1, registry.channelCount());
        assertEquals(1, bus.active.get());
        bus.publish("a", "x");
        bus.publish("c", "y");
        assertEquals(List.of(), s.frames);
        assertEquals(List.of("y"), stays.frames);
        registry.removeAll(stays);
        registry.removeAll(stays); // closing twice is harmless
        assertEquals(0, registry.channelCount());
        assertEquals(0, bus.active.get());
    }

    @Test
    void thousandSubscribersOnHundredChannelsLeaveNoTraceWhenTheyClose() throws Exception {
        int subscribers = 1000;
        int channels = 100;
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<RecordingSubscriber> all = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                all.add(new RecordingSubscriber());
            }
            // Each subscriber takes 10 channels, spread so every channel has many subscribers.
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                RecordingSubscriber s = all.get(i);
                int first = i % channels;
                done.add(pool.submit(() -> {
                    List<String> names = new ArrayList<>();
                    for (int k = 0; k < 10; k++) {
                        names.add("ch" + ((first + k * 7) % channels));
                    }
                    registry.subscribe(s, names, MAX);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(channels, registry.channelCount());
            assertEquals(channels, bus.active.get());
            int total = 0;
            for (int c = 0; c < channels; c++) {
                total += registry.subscriberCount("ch" + c);
            }
            assertEquals(subscribers * 10, total);

            bus.publish("ch0", "ping");
            int receivers = 0;
            for (RecordingSubscriber s : all) {
                receivers += s.frames.size();
            }
            assertEquals(registry.subscriberCount("ch0"), receivers);

            done.clear();
            for (RecordingSubscriber s : all) {
                done.add(pool.submit(() -> registry.removeAll(s)));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, registry.channelCount());
            assertEquals(0, bus.active.get(), "every bus subscription cancelled");
            assertEquals(channels, bus.taken.get(), "one bus subscription per channel, never more");
            for (RecordingSubscriber s : all) {
                assertTrue(s.channels().isEmpty());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentChurnOnOneChannelEndsConsistent() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            List<RecordingSubscriber> keepers = Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 2000; i++) {
                        RecordingSubscriber s = new RecordingSubscriber();
                        registry.subscribe(s, List.of("hot"), MAX);
                        if (i % 100 == 0) {
                            keepers.add(s);
                        } else {
                            registry.removeAll(s);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(keepers.size(), registry.subscriberCount("hot"));
            assertEquals(1, bus.active.get());
            bus.publish("hot", "x");
            for (RecordingSubscriber s : keepers) {
                assertEquals(List.of("x"), s.frames);
            }
            for (RecordingSubscriber s : keepers) {
                registry.removeAll(s);
            }
            assertEquals(0, registry.channelCount());
            assertEquals(0, bus.active.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
