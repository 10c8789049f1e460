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
    void aKeyedPublishRetriedAfterACutConnectionIsStoredOnceByTheStream() throws Exception {
        String keyed = "LHTTP/1.0 chat\r\npublish:room-idem\r\nidempotency-key:pay-1\r\n\r\npaid";
        try (Connection admin = Nats.connect(node.url());
                SdkClient sub = SdkClient.connect(a.ws());
                SdkClient pub = SdkClient.connect(a.ws())) {
            JetStreamManagement jsm = admin.jetStreamManagement();
            assertEquals(
                    java.time.Duration.ofMinutes(2),
                    jsm.getStreamInfo(STREAM).getConfiguration().getDuplicateWindow(),
                    "the stream's duplicate window is lhttp.idempotency.window-ms");
            sub.send("LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:room-idem\r\n\r\n");
            assertTrue(sub.next().startsWith("LHTTP/1.0 subscribed\r\nchannel:room-idem\r\n"));
            // The first try: sent to the stream without waiting, then the connection is cut: the
            // client never learns whether it was stored.
            try (io.lhttp.testkit.RawWebSocket cut =
                    io.lhttp.testkit.RawWebSocket.connect(a.ws(), java.time.Duration.ofSeconds(5))) {
                cut.send(keyed);
            }
            pub.send(keyed);
            pub.send(keyed);
            // Over HTTP too, with the same key on the same channel: 202, marked as a repeat.
            HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(a.http("/publish"))
                                    .header("Idempotency-Key", "pay-1")
                                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                            "LHTTP/1.0 chat\r\npublish:room-idem\r\n\r\npaid"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            assertEquals("true", r.headers().firstValue("Idempotent-Replayed").orElse(null));
            pub.send("LHTTP/1.0 chat\r\npublish:room-idem\r\n\r\nend");
            List<String> got = new ArrayList<>();
            String f;
            do {
                f = sub.next();
                got.add(f);
            } while (!f.endsWith("\r\n\r\nend"));
            assertEquals(2, got.size(), "the keyed message once, then end: " + got);
            assertTrue(got.get(0).endsWith("idempotency-key:pay-1\r\n\r\npaid"), got.get(0));
            assertEquals(null, pub.poll(), "a duplicate is acknowledged like a new message: no error frame");
            // Stored once: the channel's previous message before 'end' is the one 'paid'.
            MessageInfo last = jsm.getLastMessage(STREAM, "lhttp-history.room-idem");
            assertEquals(positionOffset(got.get(1)), last.getSeq());
            assertEquals(
                    positionOffset(got.get(0)),
                    jsm.getStreamInfo(STREAM).getStreamState().getLastSequence() - 1);
        }
    }

    @Test
    @Order(4)
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
