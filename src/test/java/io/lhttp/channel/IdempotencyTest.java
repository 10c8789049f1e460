package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.IdempotencyKey;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Idempotent publishes (PROTOCOL.md §2.5) over the in-process bus: the bounded in-memory window. */
class IdempotencyTest {

    @Test
    void aKeyIsRememberedForItsWindowThenForgotten() {
        AtomicLong now = new AtomicLong(1_000);
        IdempotencyWindow w = new IdempotencyWindow(100, 10, now::get);
        assertTrue(w.claim("a k1"));
        assertFalse(w.claim("a k1"), "a repeat within the window");
        assertTrue(w.claim("b k1"), "keys act per channel");
        now.addAndGet(99);
        assertFalse(w.claim("a k1"));
        now.addAndGet(1);
        assertTrue(w.claim("a k1"), "past the window it lands again");
    }

    @Test
    void atMostMaxKeysAreKeptTheOldestForgottenFirst() {
        IdempotencyWindow w = new IdempotencyWindow(60_000, 3, () -> 0L);
        for (int i = 0; i < 1000; i++) {
            assertTrue(w.claim("c k" + i));
            assertTrue(w.size() <= 3, "bounded: " + w.size());
        }
        assertEquals(997, w.forgottenEarly());
        assertFalse(w.claim("c k999"), "the newest are kept");
        assertTrue(w.claim("c k0"), "the oldest was forgotten early");
    }

    @Test
    void keysAreValidatedAsRequestIds() throws ProtocolException {
        assertEquals("abc-1.2:3_X", IdempotencyKey.check(" abc-1.2:3_X "));
        assertEquals(null, IdempotencyKey.check(null));
        for (String bad : new String[] {"", " ", "a b", "x".repeat(65), "a\r\nb", "é", "a*", "a>"}) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> IdempotencyKey.check(bad), bad);
            assertEquals(400, e.code());
            assertEquals("bad idempotency-key: 1-64 characters of A-Z a-z 0-9 _ - . :", e.reason());
        }
        assertEquals("x".repeat(64), IdempotencyKey.check("x".repeat(64)));
    }

    @Test
    void aRetriedPublishLandsOncePerChannel() {
        InProcessBus bus = new InProcessBus();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        bus.subscribe("a", (Consumer<String>) a::add);
        bus.subscribe("b", (Consumer<String>) b::add);
        Channels channels = new Channels(bus, new IdempotencyWindow(60_000, 100));
        assertTrue(channels.publish(List.of("a"), Message.of("m", "1"), "key-1"));
        assertTrue(channels.publish(List.of("a", "b"), Message.of("m", "1"), "key-1"), "a duplicate counts as taken");
        assertEquals(List.of("LHTTP/1.0 m\r\n\r\n1"), a, "once on a");
        assertEquals(List.of("LHTTP/1.0 m\r\n\r\n1"), b, "and once on b, which had not had it");
        assertTrue(channels.publish(List.of("a"), Message.of("m", "2"), "key-2"));
        assertTrue(channels.publish(List.of("a"), Message.of("m", "3")));
        assertTrue(channels.publish(List.of("a"), Message.of("m", "3")), "without a key every publish lands");
        assertEquals(4, a.size());
        assertThrows(
                IllegalArgumentException.class,
                () -> channels.publish(List.of("a"), Message.of("m", "x"), "bad key"),
                "a bad key publishes nothing");
        assertEquals(4, a.size());
    }

    @Test
    void aKeyWhosePublishFailedIsForgottenSoTheRetryLands() throws ProtocolException {
        AtomicBoolean down = new AtomicBoolean(true);
        List<String> got = new ArrayList<>();
        Bus flaky = new Bus() {
            @Override
            public void publish(String channel, String frame) throws ProtocolException {
                if (down.get()) {
                    throw new ProtocolException(503, "bus not connected");
                }
                got.add(frame);
            }

            @Override
            public Subscription subscribe(String channel, Consumer<String> deliver) {
                return () -> {};
            }

            @Override
            public String describe() {
                return "flaky";
            }
        };
        Channels channels = new Channels(flaky, new IdempotencyWindow(60_000, 100));
        Message m = Message.of("m", "x");
        assertThrows(ProtocolException.class, () -> channels.publish(null, true, List.of("a"), m, m::frame, null, "k"));
        down.set(false);
        assertTrue(channels.publish(null, true, List.of("a"), m, m::frame, null, "k"), "the retry lands");
        assertFalse(channels.publish(null, true, List.of("a"), m, m::frame, null, "k"), "then it is a duplicate");
        assertEquals(1, got.size());
    }

    @Test
    void aBusThatDeduplicatesGetsTheChannelScopedKeyAsMessageId() throws ProtocolException {
        List<String> ids = new ArrayList<>();
        Bus dedup = new Bus() {
            @Override
            public void publish(String channel, String frame) {
                throw new AssertionError("keyed publishes go with their id");
            }

            @Override
            public boolean deduplicates(String channel) {
                return true;
            }

            @Override
            public boolean publish(String channel, String frame, String messageId) {
                boolean fresh = !ids.contains(messageId);
                ids.add(messageId);
                return fresh;
            }

            @Override
            public Subscription subscribe(String channel, Consumer<String> deliver) {
                return () -> {};
            }

            @Override
            public String describe() {
                return "dedup";
            }
        };
        Channels channels = new Channels(dedup, new IdempotencyWindow(60_000, 100));
        Message m = Message.of("m", "x");
        assertTrue(channels.publish(null, true, List.of("a", "b"), m, m::frame, null, "k"));
        assertFalse(channels.publish(null, true, List.of("a", "b"), m, m::frame, null, "k"));
        assertEquals(List.of("a k", "b k", "a k", "b k"), ids);
    }
}
