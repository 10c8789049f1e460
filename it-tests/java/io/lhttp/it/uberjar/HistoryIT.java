package io.lhttp.it.uberjar;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request ids and channel history with recovery on the packaged server with the in-process bus
 * (PROTOCOL.md §2.1, §2.2): real sockets, real server.
 */
class HistoryIT {

    private static final int SIZE = 5;
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.history.channels=room,hist.*", "-Dlhttp.history.size=" + SIZE);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Publishes and waits until the server has handled it: a connection's frames are handled in order. */
    private static void publish(SdkClient publisher, String channel, String body) throws Exception {
        publisher.send(frame("chat", "publish:" + channel + "\r\n", body));
        publisher.send(frame("echo", "", "sync"));
        assertEquals(frame("echo", "", "sync"), publisher.next());
    }

    @Test
    void answersAndErrorsCarryTheRequestId() throws Exception {
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            c.send(frame("echo", "request-id:r-1.a:b\r\n", "hi"));
            assertEquals(frame("echo", "request-id:r-1.a:b\r\n", "hi"), c.next());
            c.send(frame("chat", "request-id:42\r\nsubscribe:a..b\r\n", ""));
            assertEquals(
                    frame("error", "code:400\r\nreason:bad channel name 'a..b'\r\nrequest-id:42\r\n", ""), c.next());
            c.send(frame("chat", "request-id:" + "x".repeat(65) + "\r\n", ""));
            String refused = c.next();
            assertTrue(refused.startsWith("LHTTP/1.0 error\r\ncode:400\r\nreason:bad request-id"), refused);
            assertTrue(!refused.contains("request-id:x"), "an invalid id is not echoed: " + refused);
            c.send(frame("chat", "request-id:s1\r\npositions:true\r\nsubscribe:plain\r\n", ""));
            assertEquals(
                    frame("subscribed", "channel:plain\r\nrequest-id:s1\r\n", ""),
                    c.next(),
                    "a channel without history: answered, no position");
        }
    }

    @Test
    void aSubscriberThatWasAwayGetsExactlyWhatItMissedThenLive() throws Exception {
        String epoch;
        try (SdkClient pub = SdkClient.connect(server.wsUri())) {
            long start;
            try (SdkClient a = SdkClient.connect(server.wsUri())) {
                a.send(frame("chat", "positions:true\r\nsubscribe:room\r\n", ""));
                String answer = a.next();
                Matcher m = Pattern.compile(
                                "^LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:([A-Za-z0-9]+):(\\d+)\r\n\r\n$")
                        .matcher(answer);
                assertTrue(m.matches(), answer);
                epoch = m.group(1);
                start = Long.parseLong(m.group(2));
                publish(pub, "room", "one");
                assertEquals(
                        frame("chat", "position:" + epoch + ":" + (start + 1) + "\r\npublish:room\r\n", "one"),
                        a.next());
            }
            publish(pub, "room", "two");
            publish(pub, "room", "three");
            try (SdkClient back = SdkClient.connect(server.wsUri())) {
                back.send(frame(
                        "chat", "request-id:b\r\nsince:" + epoch + ":" + (start + 1) + "\r\nsubscribe:room\r\n", ""));
                assertEquals(
                        frame("chat", "position:" + epoch + ":" + (start + 2) + "\r\npublish:room\r\n", "two"),
                        back.next());
                assertEquals(
                        frame("chat", "position:" + epoch + ":" + (start + 3) + "\r\npublish:room\r\n", "three"),
                        back.next());
                assertEquals(
                        frame(
                                "subscribed",
                                "channel:room\r\nposition:" + epoch + ":" + (start + 3)
                                        + "\r\nrecovered:true\r\nrequest-id:b\r\n",
                                ""),
                        back.next());
                publish(pub, "room", "four");
                assertEquals(
                        frame("chat", "position:" + epoch + ":" + (start + 4) + "\r\npublish:room\r\n", "four"),
                        back.next());
                assertNull(back.poll(), "nothing twice");
            }
            for (int i = 0; i < SIZE + 1; i++) {
                publish(pub, "room", "flood" + i);
            }
            try (SdkClient late = SdkClient.connect(server.wsUri())) {
                late.send(frame("chat", "since:" + epoch + ":" + (start + 4) + "\r\nsubscribe:room\r\n", ""));
                for (int i = 1; i <= SIZE; i++) {
                    assertTrue(late.next().endsWith("flood" + i), "what is still kept is replayed");
                }
                assertEquals(
                        frame(
                                "subscribed",
                                "channel:room\r\nposition:" + epoch + ":" + (start + 4 + SIZE + 1)
                                        + "\r\nrecovered:false\r\n",
                                ""),
                        late.next(),
                        "history no longer reaches back");
            }
            try (SdkClient other = SdkClient.connect(server.wsUri())) {
                other.send(frame("chat", "since:nosuchepoch:3\r\nsubscribe:hist.x\r\n", ""));
                String answer = other.next();
                assertTrue(
                        answer.startsWith("LHTTP/1.0 subscribed\r\nchannel:hist.x\r\nposition:")
                                && answer.endsWith("recovered:false\r\n\r\n"),
                        "another epoch: " + answer);
                other.send(frame("chat", "since:e:1\r\nsubscribe:hist.y hist.z\r\n", ""));
                assertTrue(other.next()
                        .startsWith("LHTTP/1.0 error\r\ncode:400\r\nreason:since needs exactly one channel"));
            }
        }
    }
}
