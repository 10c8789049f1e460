package io.lhttp.it.proxy;

import static io.lhttp.it.support.Frames.assertError;
import static io.lhttp.it.support.Frames.frame;
import static io.lhttp.it.support.Frames.subscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.security.RawHttp;
import io.lhttp.it.support.Ports;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connect and subscribe proxies (docs/PROXY.md) on the packaged server, asking a real HTTP
 * backend on loopback: allow with user and channels, deny with a close code, and every way the
 * backend can fail (down, slow, oversized, malformed, busy) refusing the connection, never allowing it.
 */
class ProxyIT {

    private static ProxyBackend backend;
    private static UberJarServer server;

    @BeforeAll
    static void start() throws Exception {
        backend = new ProxyBackend(Ports.free());
        server = UberJarServer.start(
                "-Dlhttp.proxy.connect-url=" + backend.connectUrl(),
                "-Dlhttp.proxy.subscribe-url=" + backend.subscribeUrl(),
                "-Dlhttp.proxy.subscribe-channels=private-*",
                "-Dlhttp.proxy.timeout=2000",
                "-Dlhttp.proxy.max-response-bytes=1024",
                "-Dlhttp.proxy.max-in-flight=2");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static SdkClient as(String who) throws Exception {
        return SdkClient.connect(
                server.wsUri(), Map.of("Cookie", "session=s1; who=" + who, "X-Secret", "not-for-the-backend"));
    }

    @Test
    void anAllowedConnectionHasTheUserAndOnlyTheChannelsOfTheAnswer() throws Exception {
        backend.connects.clear();
        try (SdkClient alice = as("alice")) {
            String asked = backend.connects.poll(10, TimeUnit.SECONDS);
            assertTrue(asked.contains("\"cookie\":\"session=s1; who=alice\""), asked);
            assertFalse(asked.toLowerCase().contains("x-secret"), "only allow-listed headers go: " + asked);
            assertTrue(asked.contains("\"address\":\"127.0.0.1\""), asked);

            subscribe(alice, "room-1");
            String hello = frame("chat", "publish:room-1\r\n", "hello");
            alice.send(hello);
            assertEquals(hello, alice.next());
            alice.send(frame("join", "subscribe:lobby\r\n", ""));
            assertError(403, alice.next());
            alice.send(frame("chat", "publish:private-1\r\n", "not hers to publish"));
            assertError(403, alice.next());
        }
    }

    @Test
    void theBackendsInfoIsShownInPresenceAndTheClientCannotChangeIt() throws Exception {
        try (SdkClient alice = as("alice")) {
            subscribe(alice, "room-info");
            alice.send(frame("who", "presence:room-info\r\npresence-info:true\r\n", ""));
            String answer = alice.next();
            String id = answer.replaceAll("(?s).*\r\nyou:([^\r]+)\r\n.*", "$1");
            assertTrue(answer.endsWith("\r\n\r\n" + id + " alice\t{\"name\":\"Alice\"}"), answer);
            alice.send(frame("nick", "conn-info:{\"name\":\"Mallory\"}\r\n", ""));
            assertError(403, alice.next());
        }
    }

    @Test
    void aDeniedConnectionIsClosedWithTheBackendsCodeAndReason() throws Exception {
        try (SdkClient banned = as("banned")) {
            LhttpClient.Close close = banned.awaitClose();
            assertEquals(4001, close.code());
            assertEquals("banned until tomorrow", close.reason());
        }
        try (SdkClient nobody = SdkClient.connect(server.wsUri())) {
            assertEquals(4401, nobody.awaitClose().code());
        }
    }

    @Test
    void aBackendThatIsDownRefusesTheHandshake() throws Exception {
        backend.stop();
        try {
            RawHttp.Response r = RawHttp.upgrade(server.wsUri(), "Cookie: who=alice");
            assertEquals(503, r.status());
            assertNull(r.headers().get("sec-websocket-accept"));
            assertTrue(r.body().contains("backend unreachable"), r.body());
        } finally {
            backend.start();
        }
        try (SdkClient alice = as("alice")) {
            subscribe(alice, "room-1"); // back up: allowed again
        }
    }

    @Test
    void aSlowBackendTimesOutAndRefuses() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend.release.set(release);
        long started = System.nanoTime();
        RawHttp.Response r;
        try {
            r = RawHttp.upgrade(server.wsUri(), "Cookie: who=slow");
        } finally {
            release.countDown();
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(503, r.status());
        assertTrue(r.body().contains("did not answer within 2000 ms"), r.body());
        assertTrue(ms >= 1900 && ms < 10000, "refused after the 2000 ms deadline, not " + ms + " ms");
    }

    @Test
    void anOversizedOrMalformedAnswerRefuses() throws Exception {
        RawHttp.Response big = RawHttp.upgrade(server.wsUri(), "Cookie: who=big");
        assertEquals(503, big.status());
        assertTrue(big.body().contains("larger than 1024 bytes"), big.body());
        RawHttp.Response broken = RawHttp.upgrade(server.wsUri(), "Cookie: who=broken");
        assertEquals(503, broken.status());
        assertNull(broken.headers().get("sec-websocket-accept"));
    }

    @Test
    void theSubscribeProxyDecidesItsChannels() throws Exception {
        try (SdkClient alice = as("alice")) {
            backend.subscribes.clear();
            subscribe(alice, "room-2"); // not a private-* channel: the backend is not asked
            subscribe(alice, "private-alice");
            String asked = backend.subscribes.poll(10, TimeUnit.SECONDS);
            assertTrue(
                    asked.contains("\"channels\":[\"private-alice\"]") && asked.contains("\"user\":\"alice\""), asked);
            assertNull(backend.subscribes.poll(), "room-2 was not asked about");

            alice.send(frame("join", "subscribe:room-3 private-nope\r\n", ""));
            String refused = alice.next();
            assertError(403, refused);
            assertTrue(refused.contains("not your channel"), refused);

            // Nothing of the refused frame was joined: room-3 delivers nothing to alice.
            try (SdkClient bob = as("bob")) {
                subscribe(bob, "room-3");
                bob.send(frame("chat", "publish:room-3\r\n", "bob in room-3"));
                assertEquals(frame("chat", "publish:room-3\r\n", "bob in room-3"), bob.next());
                bob.send(frame("chat", "publish:room-2\r\n", "bob in room-2"));
                assertEquals(frame("chat", "publish:room-2\r\n", "bob in room-2"), alice.next());
            }
        }
    }

    @Test
    void theSubscribeProxyRefusesWhenTheBackendIsDown() throws Exception {
        try (SdkClient alice = as("alice")) {
            backend.stop();
            try {
                alice.send(frame("join", "subscribe:private-alice-2\r\n", ""));
                assertError(503, alice.next());
            } finally {
                backend.start();
            }
            subscribe(alice, "private-alice-2");
        }
    }

    @Test
    void atMostMaxInFlightCallsRunAndOneMoreIsRefusedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        backend.release.set(release);
        List<CompletableFuture<RawHttp.Response>> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                held.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return RawHttp.upgrade(server.wsUri(), "Cookie: who=hold");
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            assertTrue(backend.holding.tryAcquire(2, 10, TimeUnit.SECONDS), "both calls reached the backend");
            long started = System.nanoTime();
            RawHttp.Response third = RawHttp.upgrade(server.wsUri(), "Cookie: who=alice");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(503, third.status());
            assertTrue(third.body().contains("too many backend calls running: at most 2"), third.body());
            assertTrue(ms < 1900, "refused at once, without waiting for the backend: " + ms + " ms");
            for (CompletableFuture<RawHttp.Response> h : held) {
                assertEquals(503, h.get(10, TimeUnit.SECONDS).status(), "the held calls ran past the deadline");
            }
        } finally {
            release.countDown();
        }
        try (SdkClient alice = as("alice")) {
            subscribe(alice, "room-1"); // the slots came back
        }
    }
}
