package io.lhttp.it.cluster;

import static io.lhttp.it.support.Frames.positionOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.MessageInfo;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Publishing to a history channel on one lhttp instance over nats-server {@code -js}: a WebSocket
 * client's publishes are pipelined to the stream (not one acknowledgement each) and still stored in
 * its order, each once; a frame the stream refuses comes back later as the 503 error frame with that
 * frame's {@code request-id}; {@code POST /publish} answers 202 only once the stream has the message,
 * 503 when it cannot.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JetStreamPublishIT {

    private static final String STREAM = "LHTTP";
    private static NatsNode node;
    private static LhttpInstance a;

    @BeforeAll
    static void start() throws Exception {
        node = NatsNode.standalone("js-publish").withJetStream().start();
        a = LhttpInstance.startAllWithHistory(
                        node,
                        "room-probe",
                        new LhttpInstance.Launch(
                                "js-pub-A",
                                "-Dlhttp.nats.url=" + node.url(),
                                "-Dlhttp.history.channels=room*",
                                "-Dlhttp.history.size=1000",
                                "-Dlhttp.jetstream.required=true",
                                "-Dlhttp.jetstream.max-pending-per-connection=16",
                                "-Dlhttp.max-messages-per-second=0"))
                .get(0);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, node);
    }

    @Test
    @Order(1)
    void oneClientsManyPublishesArriveInItsOrderEachOnceWithIncreasingPositions() throws Exception {
        int n = 500;
        try (SdkClient sub = SdkClient.connect(a.ws());
                SdkClient pub = SdkClient.connect(a.ws())) {
            sub.send("LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:room-order\r\n\r\n");
            assertTrue(sub.next().startsWith("LHTTP/1.0 subscribed\r\nchannel:room-order\r\nposition:"));
            for (int i = 0; i < n; i++) {
                pub.send("LHTTP/1.0 chat\r\npublish:room-order\r\nrequest-id:m" + i + "\r\n\r\n" + i);
            }
            long previous = 0;
            for (int i = 0; i < n; i++) {
                String f = sub.next();
                assertTrue(f.endsWith("\r\n\r\n" + i), "frame " + i + " in order, got " + f);
                long offset = positionOffset(f);
                assertTrue(offset > previous, offset + " after " + previous);
                previous = offset;
            }
            pub.send("LHTTP/1.0 echo\r\n\r\nsync");
            assertEquals("LHTTP/1.0 echo\r\n\r\nsync", pub.next(), "no error frame for any of them");
            assertEquals(null, sub.poll(), "no duplicate");
        }
    }

    @Test
    @Order(2)
    void postPublishAnswers202OnlyOnceTheStreamHasTheMessage() throws Exception {
        try (Connection admin = Nats.connect(node.url())) {
            JetStreamManagement jsm = admin.jetStreamManagement();
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = a.post("/publish", "LHTTP/1.0 chat\r\npublish:room-http\r\n\r\nposted " + i);
                assertEquals(202, r.statusCode(), r.body());
                MessageInfo last = jsm.getLastMessage(STREAM, "lhttp-history.room-http");
                assertTrue(
                        new String(last.getData(), StandardCharsets.UTF_8).endsWith("posted " + i),
                        "stored before the 202: " + new String(last.getData(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    @Order(3)
    void aFrameTheStreamRefusesComesBackLaterAs503WithItsRequestIdAndPostPublishAnswers503() throws Exception {
        try (Connection admin = Nats.connect(node.url());
                SdkClient pub = SdkClient.connect(a.ws())) {
            admin.jetStreamManagement().deleteStream(STREAM);
            pub.send("LHTTP/1.0 chat\r\npublish:room-gone\r\nrequest-id:late-1\r\n\r\nlost");
            pub.send("LHTTP/1.0 echo\r\nrequest-id:after-1\r\n\r\nsync");
            List<String> frames = new ArrayList<>();
            frames.add(pub.next());
            frames.add(pub.next());
            String error = frames.stream()
                    .filter(f -> f.startsWith("LHTTP/1.0 error\r\n"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no error frame: " + frames));
            assertEquals(
                    "LHTTP/1.0 error\r\ncode:503\r\nreason:history store refused the message\r\nrequest-id:late-1\r\n\r\n",
                    error);
            assertTrue(frames.contains("LHTTP/1.0 echo\r\nrequest-id:after-1\r\n\r\nsync"), frames.toString());
            // The stream is known gone now (required): HTTP is refused, not accepted and lost.
            HttpResponse<String> r = a.post("/publish", "LHTTP/1.0 chat\r\npublish:room-gone\r\n\r\nposted");
            assertEquals(503, r.statusCode(), r.body());
        }
    }
}
