package io.lhttp.it.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Await;
import io.lhttp.it.support.SseClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.security.Tokens;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * EventSource subscribers ({@code GET /events}, PROTOCOL.md §8) on the packaged server over real
 * sockets: delivery, ids and {@code Last-Event-ID} recovery on a history channel, the token,
 * origin, permission, channel-count and per-address refusals, keep-alive comments, and a client
 * that stops reading being closed. One server, with tokens required.
 */
class SseIT {

    static final String SECRET = "sse-it-secret-sse-it-secret-sse-it-secret";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final int PER_ADDRESS = 6;
    private static UberJarServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.auth=true",
                "-Dlhttp.auth.hmac-secret=" + SECRET,
                "-Dlhttp.history.channels=hist",
                "-Dlhttp.history.size=50",
                "-Dlhttp.max-channels=3",
                "-Dlhttp.max-connections-per-address=" + PER_ADDRESS,
                "-Dlhttp.ping-interval-ms=300",
                "-Dlhttp.send-queue-bytes=65536",
                "-Dlhttp.slow-consumer=close");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Streams a test left behind are gone (the keep-alive notices closed clients) before the next one counts. */
    @BeforeEach
    void noStreamsLeft() throws Exception {
        Await.until(WAIT, () -> status("\"sse\":\\{\"open\":(\\d+)") == 0, "no SSE stream open");
    }

    static String token(String user, String... channels) throws Exception {
        return Tokens.hmac(
                SECRET,
                Tokens.claims(user, Instant.now().plusSeconds(600), List.of(channels))
                        .build());
    }

    static SseClient open(String query, String... headers) throws Exception {
        return SseClient.open(server.httpUri(), "/events?" + query, headers);
    }

    static void publish(String channels, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "LHTTP/1.0 chat\r\npublish:" + channels + "\r\n\r\n" + body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    static long status(String regex) {
        try {
            String json = HTTP.send(
                            HttpRequest.newBuilder(server.httpUri().resolve("/publish/status"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = Pattern.compile(regex).matcher(json);
            if (!m.find()) {
                throw new AssertionError(regex + " not in " + json);
            }
            return Long.parseLong(m.group(1));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void eachPublishedMessageIsOneEventNamedByItsChannel() throws Exception {
        String t = token("ann", "room", "news");
        try (SseClient c = open("channel=room&channel=news&token=" + t)) {
            assertEquals(200, c.status(), c.refusal());
            assertTrue(c.header("content-type").startsWith("text/event-stream"), c.header("content-type"));
            SseClient.Event a = c.next(WAIT);
            SseClient.Event b = c.next(WAIT);
            assertEquals("#subscribed", a.name());
            assertEquals("LHTTP/1.0 subscribed\nchannel:room", a.data());
            assertEquals("LHTTP/1.0 subscribed\nchannel:news", b.data());
            assertNull(a.id(), "a stream of two channels has no ids");
            publish("news", "first\r\nsecond line");
            SseClient.Event e = c.next(WAIT);
            assertEquals("news", e.name());
            assertEquals("LHTTP/1.0 chat\npublish:news\n\nfirst\nsecond line", e.data());
            publish("room news", "both");
            List<String> names = List.of(c.next(WAIT).name(), c.next(WAIT).name());
            assertTrue(names.containsAll(List.of("room", "news")), names.toString());
            assertTrue(status("\"sse\":\\{\"open\":(\\d+)") >= 1, "counted on the status page");
        }
        try (SseClient h = open("channel=room", "Authorization: Bearer " + t)) {
            assertEquals(200, h.status(), "the token in the Authorization header: " + h.refusal());
            assertEquals("#subscribed", h.next(WAIT).name());
        }
    }

    @Test
    void lastEventIdRecoversExactlyWhatWasMissedThenLive() throws Exception {
        String t = token("bob", "hist");
        List<String> ids = new ArrayList<>();
        try (SseClient c = open("channel=hist&token=" + t)) {
            SseClient.Event answer = c.next(WAIT);
            assertEquals("#subscribed", answer.name());
            assertTrue((answer.data() + "\n").contains("\nposition:" + answer.id() + "\n"), answer.toString());
            publish("hist", "one");
            SseClient.Event one = c.next(WAIT);
            assertEquals("hist", one.name());
            assertTrue(one.data().startsWith("LHTTP/1.0 chat\nposition:" + one.id() + "\n"), one.toString());
            assertTrue(one.data().endsWith("\n\none"), one.data());
            ids.add(one.id());
        }
        publish("hist", "two");
        publish("hist", "three");
        try (SseClient back = open("channel=hist&token=" + t, "Last-Event-ID: " + ids.get(0))) {
            SseClient.Event answer = back.next(WAIT);
            assertEquals("#subscribed", answer.name(), "the answer comes first");
            assertTrue((answer.data() + "\n").contains("\nrecovered:true\n"), answer.data());
            assertNull(answer.id(), "no id before the replay: a break now keeps the client's Last-Event-ID");
            SseClient.Event two = back.next(WAIT);
            SseClient.Event three = back.next(WAIT);
            assertTrue(two.data().endsWith("two") && three.data().endsWith("three"), two + " " + three);
            assertTrue(
                    (answer.data() + "\n").contains("\nposition:" + three.id() + "\n"),
                    "the answer's top is the last replayed");
            publish("hist", "four");
            SseClient.Event four = back.next(WAIT);
            assertTrue(four.data().endsWith("four"), four.toString());
            assertEquals(
                    Long.parseLong(three.id().split(":")[1]) + 1,
                    Long.parseLong(four.id().split(":")[1]),
                    "no gap and no duplicate at the seam");
            ids.add(four.id());
        }
        try (SseClient q = open("channel=hist&token=" + t + "&lastEventId=" + ids.get(1))) {
            SseClient.Event answer = q.next(WAIT);
            assertTrue((answer.data() + "\n").contains("\nrecovered:true\n"), "the lastEventId parameter: " + answer);
            publish("hist", "five");
            assertTrue(q.next(WAIT).data().endsWith("five"), "nothing replayed, then live");
        }
        try (SseClient other = open("channel=hist&token=" + t, "Last-Event-ID: otherepoch:3")) {
            assertTrue(
                    (other.next(WAIT).data() + "\n").contains("\nrecovered:false\n"), "another epoch cannot recover");
        }
        try (SseClient bad = open("channel=hist&token=" + t, "Last-Event-ID: not a position")) {
            assertEquals(400, bad.status());
        }
    }

    @Test
    void refusalsAreHttpAnswersWithClearStatuses() throws Exception {
        String t = token("cat", "room");
        try (SseClient c = open("channel=room")) {
            assertEquals(401, c.status(), "no token");
            assertTrue(c.refusal().contains("token required"), c.refusal());
        }
        try (SseClient c = open("channel=room&token="
                + Tokens.hmac(
                        "another-secret-another-secret-another!!",
                        Tokens.claims("cat", Instant.now().plusSeconds(600), List.of("room"))
                                .build()))) {
            assertEquals(401, c.status(), "a token signed by someone else");
        }
        try (SseClient c = open("channel=secret&token=" + t)) {
            assertEquals(403, c.status(), "a channel the token does not grant");
            assertTrue(c.refusal().contains("not permitted to subscribe to 'secret'"), c.refusal());
        }
        try (SseClient c = open("channel=room&token=" + t, "Origin: http://evil.example")) {
            assertEquals(403, c.status(), "a page of another origin");
            assertTrue(c.refusal().contains("origin not allowed"), c.refusal());
        }
        try (SseClient c = open("channel=room&token=" + t, "Origin: http://127.0.0.1:" + server.port())) {
            assertEquals(200, c.status(), "the server's own origin: " + c.refusal());
        }
        String many = token("dan", "a", "b", "c", "d");
        try (SseClient c = open("channel=a&channel=b&channel=c&channel=d&token=" + many)) {
            assertEquals(429, c.status(), "more channels than lhttp.max-channels");
            assertTrue(c.refusal().contains("at most 3"), c.refusal());
        }
        try (SseClient c = open("channel=a&channel=b&channel=c&token=" + many)) {
            assertEquals(200, c.status(), "as many as lhttp.max-channels: " + c.refusal());
        }
        try (SseClient c = open("channel=a..b&token=" + many)) {
            assertEquals(400, c.status(), "not a channel name");
        }
        try (SseClient c = open("token=" + many)) {
            assertEquals(400, c.status(), "no channel");
        }
    }

    @Test
    void anAddressHoldsAtMostItsShareOfStreams() throws Exception {
        String t = token("eve", "room");
        List<SseClient> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) {
                SseClient c = open("channel=room&token=" + t);
                held.add(c);
                assertEquals(200, c.status(), "stream " + i + ": " + c.refusal());
                c.next(WAIT);
            }
            try (SseClient over = open("channel=room&token=" + t)) {
                assertEquals(503, over.status(), "one more than lhttp.max-connections-per-address");
                assertTrue(over.refusal().contains("too many connections from your address"), over.refusal());
            }
        } finally {
            for (SseClient c : held) {
                c.close();
            }
        }
    }

    @Test
    void aQuietStreamGetsKeepAliveComments() throws Exception {
        try (SseClient c = open("channel=room&token=" + token("fay", "room"))) {
            assertEquals("#subscribed", c.next(WAIT).name());
            c.awaitComments(3, Duration.ofSeconds(5)); // lhttp.ping-interval-ms=300
        }
    }

    /**
     * The container takes some megabytes of a stalled stream's events before its writes block
     * (Grizzly's write queue on Payara: about 8 MiB measured), then the stream's own queue fills
     * ({@code lhttp.send-queue-bytes}) and the close policy ends it.
     */
    @Test
    void aClientThatStopsReadingIsClosed() throws Exception {
        long before = status("\"closedSlow\":(\\d+)");
        int most = 1000;
        String body = "x".repeat(60_000);
        try (SseClient slow =
                SseClient.open(server.httpUri(), "/events?channel=slow&token=" + token("gus", "slow"), 4096)) {
            assertEquals(200, slow.status());
            int published = 0;
            while (published < most && (published % 20 != 0 || status("\"closedSlow\":(\\d+)") == before)) {
                publish("slow", body);
                published++;
            }
            Await.until(WAIT, () -> status("\"closedSlow\":(\\d+)") > before, "the slow stream closed");
            int read = slow.drainToEnd(WAIT);
            assertTrue(read < published, "the stream ended before all " + published + " events: " + read);
        }
        Await.until(WAIT, () -> status("\"sse\":\\{\"open\":(\\d+)") == 0, "its place is given back");
    }

    /**
     * The JS SDK's {@code sseFallback} in Chromium: its WebSocket cannot connect (the page's
     * WebSocket class is pointed at a loopback port where nothing listens, as a proxy that refuses
     * upgrades would leave it), so it subscribes over an EventSource with its token, receives what
     * is published, and refuses to send anything else.
     */
    @Test
    void theJsSdkFallsBackToEventSourceWhenWebSocketIsBlocked() throws Exception {
        org.openqa.selenium.chrome.ChromeDriver chrome = io.lhttp.it.browser.Chromium.open();
        try {
            chrome.get(server.httpUri().resolve("/lhttp.js").toString());
            Object opened = chrome.executeAsyncScript("""
                    const done = arguments[arguments.length - 1];
                    const [token, port] = [arguments[0], arguments[1]];
                    import("/lhttp.js").then((m) => {
                        class Blocked extends WebSocket {
                            constructor(url, protocols) { super("ws://127.0.0.1:" + port + "/", protocols); }
                        }
                        window.got = [];
                        window.answers = [];
                        const c = m.connect(undefined, { WebSocket: Blocked, sseFallback: true, token, recover: true });
                        window.client = c;
                        c.on("message", ({ message }) => window.got.push(message.body));
                        c.on("subscribed", ({ channel, position }) => window.answers.push(channel + " " + position));
                        c.on("open", ({ transport }) => done(transport + " " + c.transport));
                        c.subscribe("sse-room");
                    }, (e) => done("import failed: " + e));
                    """, token("hal", "sse-room"), io.lhttp.it.support.Ports.free());
            assertEquals("sse sse", opened);
            Await.until(
                    WAIT,
                    () -> chrome.executeScript("return window.answers.length")
                            .toString()
                            .equals("1"),
                    "the subscribed answer reached the page");
            assertTrue(
                    chrome.executeScript("return window.answers[0]").toString().startsWith("sse-room "));
            publish("sse-room", "hello browser");
            Await.until(
                    WAIT,
                    () -> chrome.executeScript("return window.got.join('|')")
                            .toString()
                            .equals("hello browser"),
                    "the published message reached the page");
            Object refused = chrome.executeScript(
                    "try { client.publish('sse-room', 'chat', null, 'x'); return 'sent'; } catch (e) { return e.message; }");
            assertTrue(refused.toString().contains("read-only"), refused.toString());
            chrome.executeScript("client.close()");
        } finally {
            io.lhttp.it.browser.Chromium.quit(chrome);
        }
    }
}
