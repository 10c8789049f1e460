package io.lhttp.it.uberjar;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged server as a user runs it ({@code java -jar target/lhttp.jar --port N}): LHTTP at
 * {@code ws://host:N/}, pages at {@code http://host:N/}, {@code POST /publish} open without a
 * token. Configured through environment-style -D options with a low message rate, so the rate
 * limit can be reached.
 */
class RunnableServerIT {

    private static final int RATE = 20;
    private static final int MAX_CONNECTIONS = 6;

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.max-messages-per-second=" + RATE, "-Dlhttp.max-connections=" + MAX_CONNECTIONS);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void servesPagesAndLhttpAtTheRoot() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(server.httpUri()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html")
                || page.body().contains("<!doctype")
                || page.body().contains("<!DOCTYPE"));
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            c.send("LHTTP/1.0 echo\r\n\r\nhello");
            assertEquals("LHTTP/1.0 echo\r\n\r\nhello", c.next());
        }
    }

    @Test
    void publishWithoutTokenConfiguredIsOpen() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri())) {
            sub.send(frame("chat", "subscribe:open\r\n", ""));
            sub.send(frame("echo", "", "ready"));
            assertEquals(frame("echo", "", "ready"), sub.next());
            String msg = frame("chat", "publish:open\r\n", "from curl");
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                                    .POST(HttpRequest.BodyPublishers.ofString(msg))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode());
            assertEquals(msg, sub.next());
        }
    }

    @Test
    void connectionsOverTheLimitAreClosedWith1013() throws Exception {
        java.util.List<SdkClient> clients = new ArrayList<>();
        try {
            LhttpClient.Close refused = null;
            // Earlier tests' connections may still be closing on the server: the limit is reached by MAX_CONNECTIONS at
            // most.
            for (int i = 0; i <= MAX_CONNECTIONS && refused == null; i++) {
                SdkClient c = SdkClient.connect(server.wsUri());
                clients.add(c);
                // The server may close a refused connection before this frame goes out.
                String reply = c.sendIfOpen(frame("echo", "", "in")) ? c.nextOrClose() : null;
                if (reply == null) {
                    refused = c.awaitClose();
                } else {
                    assertEquals(frame("echo", "", "in"), reply);
                }
            }
            assertTrue(refused != null, "a connection beyond " + MAX_CONNECTIONS + " is refused");
            assertEquals(1013 /* try again later */, refused.code());
        } finally {
            for (SdkClient c : clients) {
                c.close();
            }
        }
        // Once clients leave, new ones are accepted again.
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        boolean accepted = false;
        while (!accepted && Instant.now().isBefore(deadline)) {
            try (SdkClient c = SdkClient.connect(server.wsUri())) {
                accepted = c.sendIfOpen(frame("echo", "", "back"))
                        && frame("echo", "", "back").equals(c.nextOrClose());
            }
        }
        assertTrue(accepted, "connections accepted again after the others closed");
    }

    /**
     * The fan-out sends most frames through the session's stream writer between acknowledged
     * sends (lhttp.send-batch): every message must still arrive as one whole text frame, byte for
     * byte, in order, at every subscriber. Published over HTTP, so the per-connection rate limit
     * of this server does not apply.
     */
    @Test
    void batchedSendsArriveAsWholeFramesInOrderAtEverySubscriber() throws Exception {
        int subscribers = 3;
        int messages = 500; // well over lhttp.send-batch, and more than the rate limit would allow a client
        List<RawWebSocket> subs = new ArrayList<>();
        try {
            for (int i = 0; i < subscribers; i++) {
                subs.add(subscribed("batched"));
            }
            HttpClient http = HttpClient.newHttpClient();
            List<String> sent = new ArrayList<>();
            for (int n = 0; n < messages; n++) {
                String msg = frame("chat", "publish:batched\r\n", "m" + n + " é€😀 " + "x".repeat(n % 200));
                sent.add(msg);
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                                .POST(HttpRequest.BodyPublishers.ofString(msg))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(202, r.statusCode());
            }
            for (RawWebSocket ws : subs) {
                List<String> got = new ArrayList<>();
                while (got.size() < messages) {
                    String text = nextText(ws);
                    assertTrue(text != null, "connection closed after " + got.size() + " messages");
                    got.add(text);
                }
                assertEquals(sent, got, "every message, byte for byte, in order");
                assertEquals(0, ws.fragmentedMessages(), "each message in one frame");
            }
        } finally {
            for (RawWebSocket ws : subs) {
                ws.close();
            }
        }
    }

    /**
     * A raw connection subscribed to {@code channel}: its echo after the subscribe proves the
     * subscription (one connection's frames are handled in order). A connection refused because
     * an earlier test's are still closing (1013) is retried until a deadline.
     */
    private RawWebSocket subscribed(String channel) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            RawWebSocket ws = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(10));
            ws.readTimeout(Duration.ofSeconds(10));
            String ready = frame("echo", "", "subscribed");
            try {
                ws.send(frame("sub", "subscribe:" + channel + "\r\n", ""));
                ws.send(ready);
                if (ready.equals(nextText(ws))) {
                    return ws;
                }
            } catch (IOException refused) {
                // closed under us: refused, try again
            }
            ws.close();
            assertTrue(Instant.now().isBefore(deadline), "a subscriber connection is accepted");
            Thread.sleep(100);
        }
    }

    /** The next text message, or null when the connection closed. */
    private static String nextText(RawWebSocket ws) throws IOException {
        String[] text = {null};
        boolean open = ws.readFrame(
                (buffer, offset, length) -> text[0] = new String(buffer, offset, length, StandardCharsets.UTF_8));
        return open ? text[0] : null;
    }

    @Test
    void messagesOverTheRateAreRefusedWith429AndTheConnectionRecovers() throws Exception {
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            int frames = RATE * 3;
            for (int i = 0; i < frames; i++) {
                c.send(frame("echo", "", "m" + i));
            }
            int echoed = 0;
            int refused = 0;
            for (int i = 0; i < frames; i++) { // every frame is answered: by its echo or by 429
                String reply = c.next();
                if (reply.startsWith("LHTTP/1.0 echo")) {
                    echoed++;
                } else {
                    assertEquals(
                            "LHTTP/1.0 error\r\ncode:429\r\nreason:too many messages: at most " + RATE
                                    + " per second\r\n\r\n",
                            reply);
                    refused++;
                }
            }
            // At least the bucket's worth goes through and some are refused; how many of each depends
            // on how fast the server handles them (the bucket refills meanwhile).
            assertTrue(echoed >= RATE && refused > 0, "echoed " + echoed + ", refused " + refused);
            // The bucket refills: within a deadline an echo goes through again.
            Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
            boolean recovered = false;
            while (!recovered && Instant.now().isBefore(deadline)) {
                c.send(frame("echo", "", "again"));
                recovered = c.next().equals(frame("echo", "", "again"));
            }
            assertTrue(recovered, "the connection works again once under the rate");
        }
    }
}
