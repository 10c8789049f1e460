package io.lhttp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's bookkeeping of what to subscribe again after a reconnect, and its reconnect delays. */
class SubscriptionsTest {

    private static String text(Message m) {
        return MessageWriter.write(m.command(), m.headers(), m.body());
    }

    @Test
    void channelsSubscribedAlikeComeBackInOneFrameWithoutActionOrRequestHeaders() {
        Subscriptions s = new Subscriptions();
        s.sent(Message.of(
                "join",
                List.of(
                        new Header("auth", "t"),
                        new Header("request-id", "7"),
                        new Header("publish", "x"),
                        new Header("subscribe", "a b")),
                "hi"));
        s.sent(Message.of("join", List.of(new Header("auth", "t"), new Header("subscribe", "c")), ""));
        s.sent(Message.of("other", List.of(new Header("subscribe", "d")), ""));
        s.sent(Message.of("leave", List.of(new Header("unsubscribe", "b")), ""));

        assertEquals(List.of("a", "c", "d"), s.channels());
        List<String> frames =
                s.resubscription().stream().map(SubscriptionsTest::text).toList();
        assertEquals(
                List.of("LHTTP/1.0 join\r\nauth:t\r\nsubscribe:a c\r\n\r\n", "LHTTP/1.0 other\r\nsubscribe:d\r\n\r\n"),
                frames);
    }

    @Test
    void aPositionedChannelWithAPositionComesBackWithSinceAndAwaitsItsAnswer() {
        Subscriptions s = new Subscriptions();
        s.sent(Message.of("sub", List.of(new Header("positions", "true"), new Header("subscribe", "news sport")), ""));
        assertFalse(s.answered("news", "e1:3"), "no reconnect yet: nothing awaited");
        s.delivered(
                Message.of("chat", List.of(new Header("position", "e1:4"), new Header("publish", "news")), "x"),
                "e1:4");
        // A frame published to two positioned channels at once moves neither.
        s.delivered(
                Message.of("chat", List.of(new Header("position", "e1:5"), new Header("publish", "news sport")), "y"),
                "e1:5");
        assertEquals(Map.of("news", "e1:4"), s.positions());

        List<String> frames =
                s.resubscription().stream().map(SubscriptionsTest::text).toList();
        assertEquals(
                List.of(
                        "LHTTP/1.0 sub\r\nsince:e1:4\r\nsubscribe:news\r\n\r\n",
                        "LHTTP/1.0 sub\r\npositions:true\r\nsubscribe:sport\r\n\r\n"),
                frames);
        assertTrue(s.answered("news", "e1:9"));
        assertFalse(s.answered("news", "e1:9"), "answered once");
        assertTrue(s.answered("sport", null));
        assertEquals(Map.of("news", "e1:9"), s.positions());
    }

    @Test
    void onlyTheFirstHeaderIsTheServersPosition() {
        assertEquals("e:1", Subscriptions.position(Message.of("c", List.of(new Header("position", " e:1 ")), "")));
        assertNull(Subscriptions.position(
                Message.of("c", List.of(new Header("publish", "a"), new Header("position", "e:1")), "")));
        assertNull(Subscriptions.position(Message.of("c", List.of(), "")));
    }

    @Test
    void reconnectDelaysGrowToTheMaximumAndJitterOnlyShortensThem() {
        LhttpClient.Options o = new LhttpClient.Options()
                .initialDelay(Duration.ofMillis(100))
                .maxDelay(Duration.ofMillis(1000))
                .factor(2)
                .jitter(0.5);
        for (int i = 0; i < 200; i++) {
            long first = o.delayBefore(1);
            long fifth = o.delayBefore(5);
            assertTrue(first >= 50 && first <= 100, "first " + first);
            assertTrue(fifth >= 500 && fifth <= 1000, "fifth (capped at 1000) " + fifth);
        }
        LhttpClient.Options exact =
                new LhttpClient.Options().initialDelay(Duration.ofMillis(100)).jitter(0);
        assertEquals(400, exact.delayBefore(3));
    }
}
