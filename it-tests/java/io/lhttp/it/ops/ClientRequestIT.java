package io.lhttp.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java client's {@code request} (the JS SDK's): a fresh {@code request-id} per frame, the
 * answer carrying it, an error frame carrying it as a failure, no answer as a timeout; and a
 * frame parsed from text goes out byte for byte, as the CLI's raw frames do.
 */
class ClientRequestIT {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static LhttpClient open() throws InterruptedException {
        LhttpClient client = LhttpClient.connect(server.wsUri(), new LhttpClient.Options().reconnect(false));
        assertTrue(client.awaitOpen(WAIT), "connected");
        return client;
    }

    @Test
    void requestCompletesWithTheAnswerCarryingItsId() throws Exception {
        try (LhttpClient client = open()) {
            LinkedBlockingQueue<Message> all = new LinkedBlockingQueue<>();
            client.onMessage(all::add);
            CompletableFuture<Message> first = client.request("echo", List.of(new Header("request-id", "mine")), "one");
            CompletableFuture<Message> second = client.request("echo", List.of(), "two");
            Message a = first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Message b = second.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals("one", a.body());
            assertEquals("two", b.body());
            assertNotEquals("mine", a.header("request-id"), "a given request-id is replaced by a fresh one");
            assertNotEquals(a.header("request-id"), b.header("request-id"));
            assertEquals(
                    1,
                    a.headers().stream()
                            .filter(h -> h.key().equals("request-id"))
                            .count());
            assertEquals(a, all.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the answer reaches the listeners too");
        }
    }

    @Test
    void aSubscribeWithPositionsIsAnsweredBySubscribed() throws Exception {
        try (LhttpClient client = open()) {
            Message answer = client.request(
                            "chat", List.of(new Header("positions", "true"), new Header("subscribe", "asked")), "")
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals("subscribed", answer.command());
            assertEquals("asked", answer.header("channel"));
        }
    }

    @Test
    void anErrorFrameCarryingTheIdFailsTheRequest() throws Exception {
        try (LhttpClient client = open()) {
            CompletableFuture<Message> refused = client.request("chat", List.of(new Header("subscribe", "a..b")), "");
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> refused.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            LhttpClient.RequestException r = assertInstanceOf(LhttpClient.RequestException.class, e.getCause());
            assertEquals(400, r.code());
            assertEquals("bad channel name 'a..b'", r.reason());
            assertEquals("error", r.frame().command());
        }
    }

    @Test
    void noAnswerIsATimeoutAndClosingFailsWhatIsPending() throws Exception {
        try (LhttpClient client = open()) {
            // A publish to a channel nobody holds is not answered.
            CompletableFuture<Message> silent =
                    client.request("chat", List.of(new Header("publish", "nobody-here")), "x", Duration.ofMillis(300));
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> silent.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            LhttpClient.RequestException r = assertInstanceOf(LhttpClient.RequestException.class, e.getCause());
            assertEquals(0, r.code());
            assertNull(r.frame());
            assertTrue(r.reason().contains("300 ms"), r.reason());

            CompletableFuture<Message> pending =
                    client.request("chat", List.of(new Header("publish", "nobody-here")), "y");
            client.close();
            e = assertThrows(ExecutionException.class, () -> pending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertEquals(
                    0,
                    assertInstanceOf(LhttpClient.RequestException.class, e.getCause())
                            .code());
        }
    }

    @Test
    void aFrameParsedFromTextGoesOutByteForByte() throws Exception {
        try (LhttpClient client = open()) {
            LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
            client.onMessage(m -> frames.add(m.frame()));
            client.subscribe("bytes", "sub", List.of(), "");
            assertEquals(
                    "ok",
                    client.request("echo", List.of(), "ok")
                            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                            .body());
            frames.clear();
            // Spaces around key and value, a repeated key: the server reads them one way, keeps them as written.
            String text = "LHTTP/1.0 chat\r\n publish : bytes \r\nx:1\r\nx:2\r\n\r\nbody";
            client.send(new MessageParser(new Limits(65536, 32)).parse(text));
            assertEquals(text, frames.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS), "delivered as written");
        }
    }
}
