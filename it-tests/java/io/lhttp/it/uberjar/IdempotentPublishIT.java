package io.lhttp.it.uberjar;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotent publishes on the packaged server with the in-process bus (PROTOCOL.md §2.5): a publish
 * retried after its connection was cut lands once, over WebSocket and over {@code POST /publish},
 * on a plain channel and on a history channel; a bad key is refused with 400 and publishes nothing.
 */
class IdempotentPublishIT {

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.history.channels=hist*", "-Dlhttp.idempotency.max-keys=1000");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The frames {@code sub} receives up to and including the one whose body is {@code end}. */
    private static List<String> until(SdkClient sub, String end) throws InterruptedException {
        List<String> got = new ArrayList<>();
        String f;
        do {
            f = sub.next();
            got.add(f);
        } while (!f.endsWith("\r\n\r\n" + end));
        return got;
    }

    private static long count(List<String> frames, String body) {
        return frames.stream().filter(f -> f.endsWith("\r\n\r\n" + body)).count();
    }

    @Test
    void aWebSocketPublishRetriedAfterACutConnectionLandsOnce() throws Exception {
        for (String channel : new String[] {"plain-ws", "hist-ws"}) {
            try (SdkClient sub = SdkClient.connect(server.wsUri());
                    SdkClient pub = SdkClient.connect(server.wsUri())) {
                sub.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
                sub.send(frame("echo", "", "sync"));
                assertEquals(frame("echo", "", "sync"), sub.next());
                String keyed = frame("chat", "publish:" + channel + "\r\nidempotency-key:order-17\r\n", "paid");
                // The first try: sent, then the connection is cut before any answer could come.
                try (RawWebSocket cut = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(5))) {
                    cut.send(keyed);
                }
                // The client does not know whether it landed: it retries on a new connection, twice.
                pub.send(keyed);
                pub.send(keyed);
                pub.send(frame("chat", "publish:" + channel + "\r\nidempotency-key:order-18\r\n", "shipped"));
                pub.send(frame("chat", "publish:" + channel + "\r\n", "end"));
                List<String> got = until(sub, "end");
                assertEquals(1, count(got, "paid"), channel + ": once, whichever try came first: " + got);
                assertEquals(1, count(got, "shipped"), got.toString());
                assertEquals(keyed, got.get(0), "delivered as sent, the key included");
                pub.send(keyed);
                pub.send(frame("chat", "publish:" + channel + "\r\n", "end2"));
                assertEquals(List.of(frame("chat", "publish:" + channel + "\r\n", "end2")), until(sub, "end2"));
                assertNull(sub.poll(), "nothing more");
            }
        }
    }

    @Test
    void aBadKeyIsRefusedWith400AndPublishesNothing() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri());
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            sub.send(frame("chat", "subscribe:plain-bad\r\n", ""));
            sub.send(frame("echo", "", "sync"));
            assertEquals(frame("echo", "", "sync"), sub.next());
            for (String bad : new String[] {"has space", "x".repeat(65), "star*"}) {
                pub.send(frame("chat", "request-id:b1\r\npublish:plain-bad\r\nidempotency-key:" + bad + "\r\n", "x"));
                assertEquals(
                        frame(
                                "error",
                                "code:400\r\nreason:bad idempotency-key: 1-64 characters of A-Z a-z 0-9 _ - . :"
                                        + "\r\nrequest-id:b1\r\n",
                                ""),
                        pub.next(),
                        bad);
            }
            HttpResponse<String> r = post("LHTTP/1.0 chat\r\npublish:plain-bad\r\n\r\nx", "not ok");
            assertEquals(400, r.statusCode());
            assertEquals("bad idempotency-key: 1-64 characters of A-Z a-z 0-9 _ - . :\n", r.body());
            pub.send(frame("chat", "publish:plain-bad\r\n", "end"));
            assertEquals(List.of(frame("chat", "publish:plain-bad\r\n", "end")), until(sub, "end"), "nothing else");
        }
    }

    @Test
    void anHttpPublishRetriedAfterACutConnectionLandsOnceAndTheRepeatIsMarkedReplayed() throws Exception {
        for (String channel : new String[] {"plain-http", "hist-http"}) {
            try (SdkClient sub = SdkClient.connect(server.wsUri())) {
                sub.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
                sub.send(frame("echo", "", "sync"));
                assertEquals(frame("echo", "", "sync"), sub.next());
                String body = "LHTTP/1.0 chat\r\npublish:" + channel + "\r\n\r\ninvoice";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                // The first try: the whole request written, the connection closed before the answer.
                try (Socket s = new Socket(server.httpUri().getHost(), server.port())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                                    + "Idempotency-Key: inv-9\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    out.write(bytes);
                    out.flush();
                }
                HttpResponse<String> retry = post(body, "inv-9");
                assertEquals(202, retry.statusCode(), retry.body());
                HttpResponse<String> again = post(body, "inv-9");
                assertEquals(202, again.statusCode(), again.body());
                assertEquals(
                        "true",
                        again.headers().firstValue("Idempotent-Replayed").orElse(null),
                        "a repeat is answered 202, marked replayed");
                // The key may also travel inside the posted message, as on a WebSocket.
                String inside = "LHTTP/1.0 chat\r\npublish:" + channel + "\r\nidempotency-key:inv-10\r\n\r\nsecond";
                assertEquals(202, post(inside, null).statusCode());
                HttpResponse<String> insideAgain = post(inside, null);
                assertEquals(
                        "true",
                        insideAgain.headers().firstValue("Idempotent-Replayed").orElse(null));
                assertEquals(
                        202,
                        post("LHTTP/1.0 chat\r\npublish:" + channel + "\r\n\r\nend", null)
                                .statusCode());
                List<String> got = until(sub, "end");
                assertEquals(1, count(got, "invoice"), channel + ": " + got);
                assertEquals(1, count(got, "second"), channel + ": " + got);
                assertEquals(3, got.size(), got.toString());
            }
        }
    }

    private static HttpResponse<String> post(String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
