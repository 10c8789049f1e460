package io.lhttp.it.server;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every pub/sub behaviour of PROTOCOL.md §2, against a real Payara Micro over loopback. */
@ExtendWith(ArquillianExtension.class)
class PubSubIT extends ServerTestBase {

    @Test
    void subscriberReceivesThePublishedFrameByteForByte() throws Exception {
        try (SdkClient jack = client();
                SdkClient mike = client()) {
            jack.send(frame("chat", "subscribe:channel_jack\r\n", ""));
            assertNothingBefore(jack, "subscribed");
            // PROTOCOL.md §6, first example, exactly.
            String example = "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_jack\r\n\r\n{to:jack,from:mike}";
            mike.send(example);
            assertEquals(example, jack.next());
            assertNothingBefore(mike, "publisher not subscribed: gets nothing back");
        }
    }

    @Test
    void oneHeaderNamesSeveralChannels() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:multi-a multi-b  multi-c\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            String toAandC = frame("chat", "publish:multi-a multi-c\r\n", "twice");
            pub.send(toAandC);
            assertEquals(toAandC, sub.next());
            assertEquals(toAandC, sub.next());
            String toB = frame("chat", "publish:multi-b\r\n", "once");
            pub.send(toB);
            assertEquals(toB, sub.next());
        }
    }

    @Test
    void unsubscribeStopsDeliveryOfThatChannelOnly() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:unsub-a unsub-b\r\n", ""));
            sub.send(frame("chat", "unsubscribe:unsub-a\r\n", ""));
            assertNothingBefore(sub, "ready");
            pub.send(frame("chat", "publish:unsub-a\r\n", "gone"));
            String kept = frame("chat", "publish:unsub-b\r\n", "kept");
            pub.send(kept);
            // The publisher's frames reach subscribers in order: had unsub-a still been delivered, it came first.
            assertEquals(kept, sub.next());
        }
    }

    @Test
    void publisherSubscribedToItsChannelReceivesItsOwnMessage() throws Exception {
        try (SdkClient me = client()) {
            me.send(frame("chat", "subscribe:self\r\n", ""));
            String msg = frame("chat", "publish:self\r\n", "to myself");
            me.send(msg);
            assertEquals(msg, me.next());
        }
    }

    @Test
    void subscribeAndPublishInOneFrameEchoesThenUnsubscribeComesLast() throws Exception {
        try (SdkClient me = client();
                SdkClient other = client()) {
            // Order of PROTOCOL.md §2: subscribe, then publish, then unsubscribe.
            String all = frame("chat", "subscribe:order\r\npublish:order\r\nunsubscribe:order\r\n", "hi");
            me.send(all);
            assertEquals(all, me.next());
            // The echo left during the publish step and the unsubscribe runs after it: the client may
            // see the echo first. A later frame of the same connection is handled after the whole first one.
            me.send(frame("chat", "subscribe:order-kept\r\n", ""));
            assertNothingBefore(me, "the first frame is complete");
            other.send(frame("chat", "publish:order\r\n", "after"));
            String kept = frame("chat", "publish:order-kept\r\n", "kept");
            other.send(kept);
            // The publisher's frames reach subscribers in order: had "order" still been delivered, it came first.
            assertEquals(kept, me.next(), "unsubscribed after publishing");
        }
    }

    @Test
    void thousandMessagesFromOnePublisherArriveInOrder() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:ordered\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            for (int i = 0; i < 1000; i++) {
                pub.send(frame("chat", "publish:ordered\r\n", "m" + i));
            }
            for (int i = 0; i < 1000; i++) {
                assertEquals(frame("chat", "publish:ordered\r\n", "m" + i), sub.next());
            }
        }
    }

    @Test
    void subscribingTwiceDeliversOnce() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:twice\r\n", ""));
            sub.send(frame("chat", "subscribe:twice twice\r\n", ""));
            assertNothingBefore(sub, "subscribed twice");
            String msg = frame("chat", "publish:twice\r\n", "once please");
            pub.send(msg);
            assertEquals(msg, sub.next());
            assertNothingBefore(sub, "no second copy");
        }
    }

    @Test
    void closingAConnectionFreesAllItsSubscriptions() throws Exception {
        try (SdkClient observer = client()) {
            List<SdkClient> leavers = new ArrayList<>();
            for (int c = 0; c < 5; c++) {
                SdkClient leaver = client();
                leaver.send(frame("chat", "subscribe:leak-0 leak-1 leak-2 leak-3\r\n", ""));
                assertNothingBefore(leaver, "subscribed");
                leavers.add(leaver);
            }
            for (int ch = 0; ch < 4; ch++) {
                assertTrue(stats(observer, "leak-" + ch).endsWith(" subscribers=5"), "5 subscribers while open");
            }
            for (SdkClient leaver : leavers) {
                leaver.close();
            }
            // The server learns of the closes asynchronously: poll with a deadline. A channel with
            // no subscriber left is removed from the registry (and from the bus) entirely.
            for (int ch = 0; ch < 4; ch++) {
                Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
                String now = stats(observer, "leak-" + ch);
                while (!now.endsWith(" subscribers=0") && Instant.now().isBefore(deadline)) {
                    now = stats(observer, "leak-" + ch);
                }
                assertTrue(now.endsWith(" subscribers=0"), "leak-" + ch + " freed: " + now);
            }
        }
    }

    private static String stats(SdkClient client, String channel) throws Exception {
        client.send(frame("stats", "channel:" + channel + "\r\n", ""));
        String reply = client.next();
        return reply.substring(reply.indexOf("\r\n\r\n") + 4);
    }
}
