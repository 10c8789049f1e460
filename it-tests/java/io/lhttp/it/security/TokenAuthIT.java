package io.lhttp.it.security;

import static io.lhttp.it.support.Frames.assertError;
import static io.lhttp.it.support.Frames.frame;
import static io.lhttp.it.support.Frames.subscribe;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.security.Tokens;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lhttp.auth=true} with an HMAC secret, over real sockets on the packaged server:
 * tokens at the handshake (query parameter, cookie) and on frames, channel claims, refresh and
 * expiry (docs/SECURITY.md).
 */
class TokenAuthIT {

    static final String SECRET = "it-secret-it-secret-it-secret-it-secret!";
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        // strip-headers=none: the token filter itself must keep tokens from subscribers.
        server = UberJarServer.start(
                "-Dlhttp.auth=true",
                "-Dlhttp.auth.hmac-secret=" + SECRET,
                "-Dlhttp.auth.clock-skew-seconds=1",
                "-Dlhttp.publish.strip-headers=none");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String token(String user, long seconds, String... channels) throws Exception {
        return Tokens.hmac(
                SECRET,
                Tokens.claims(user, Instant.now().plusSeconds(seconds), List.of(channels))
                        .build());
    }

    static URI withToken(String token) {
        return URI.create(server.wsUri() + "?token=" + token);
    }

    @Test
    void badTokensAreRefusedAtTheHandshakeWith401() throws Exception {
        String expired = token("alice", -3600, "room-1");
        String wronglySigned = Tokens.hmac(
                "another-secret-another-secret-another!!",
                Tokens.claims("alice", Instant.now().plusSeconds(600), List.of("room-1"))
                        .build());
        for (String bad : new String[] {expired, wronglySigned, "garbage"}) {
            RawHttp.Response r = RawHttp.upgrade(withToken(bad));
            assertEquals(401, r.status(), bad);
            assertNull(r.headers().get("sec-websocket-accept"));
        }
        assertTrue(RawHttp.upgrade(withToken(expired)).body().contains("token expired"));
        RawHttp.Response cookie = RawHttp.upgrade(server.wsUri(), "Cookie: lhttp-token=" + expired);
        assertEquals(401, cookie.status(), "a cookie token is checked too");
    }

    @Test
    void aPermittedChannelWorksAndOthersAreRefusedWithNothingDelivered() throws Exception {
        try (SdkClient alice = SdkClient.connect(withToken(token("alice", 600, "room-1")));
                SdkClient admin = SdkClient.connect(withToken(token("admin", 600, "*")))) {
            subscribe(alice, "room-1");
            alice.send(frame("join", "subscribe:room-2\r\n", ""));
            assertError(403, alice.next());
            alice.send(frame("join", "subscribe:room-1 room-2\r\n", ""));
            assertError(403, alice.next()); // all or nothing

            subscribe(admin, "room-2");
            alice.send(frame("chat", "publish:room-2\r\n", "not allowed"));
            assertError(403, alice.next());
            String hello = frame("chat", "publish:room-1\r\n", "hello room 1");
            alice.send(hello);
            assertEquals(hello, alice.next(), "alice chats in room-1");

            String adminSays = frame("chat", "publish:room-2\r\n", "admin in room-2");
            admin.send(adminSays);
            assertEquals(adminSays, admin.next(), "the refused publish never reached room-2");
            admin.send(frame("chat", "publish:room-1\r\n", "admin in room-1"));
            assertEquals(
                    frame("chat", "publish:room-1\r\n", "admin in room-1"),
                    alice.next(),
                    "alice's next frame is room-1's: room-2 delivered nothing to her");
        }
    }

    @Test
    void aTokensInfoClaimIsTheConnectionsPublicInfoAndTheClientCannotChangeIt() throws Exception {
        String token = Tokens.hmac(
                SECRET,
                Tokens.claims("tom", Instant.now().plusSeconds(600), List.of("room-t"))
                        .claim("info", Map.of("nick", "Tom"))
                        .build());
        try (SdkClient tom = SdkClient.connect(withToken(token))) {
            subscribe(tom, "room-t");
            tom.send(frame("who", "presence:room-t\r\npresence-info:true\r\n", ""));
            String answer = tom.next();
            assertTrue(answer.endsWith(" tom\t{\"nick\":\"Tom\"}"), answer);
            tom.send(frame("nick", "conn-info:{\"nick\":\"Eve\"}\r\n", ""));
            assertError(403, tom.next());
        }
    }

    @Test
    void aCookieTokenAuthenticates() throws Exception {
        try (SdkClient c =
                SdkClient.connect(server.wsUri(), Map.of("Cookie", "x=1; lhttp-token=" + token("carol", 600, "c-*")))) {
            subscribe(c, "c-news");
        }
    }

    @Test
    void withoutATokenEveryFrameIs401UntilAnAuthHeaderComes() throws Exception {
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            c.send(frame("join", "subscribe:room-1\r\n", ""));
            assertError(401, c.next());
            c.send(frame("auth", "auth:" + token("bob", -3600, "room-1") + "\r\n", ""));
            assertError(401, c.next());
            c.send(frame("join", "auth:" + token("bob", 600, "room-1") + "\r\nsubscribe:room-1\r\n", ""));
            c.send(frame("echo", "", "ok"));
            assertEquals(frame("echo", "", "ok"), c.next(), "the first-frame token authenticated and subscribed");
        }
    }

    @Test
    void aTokenIsRefreshedOnTheOpenConnection() throws Exception {
        try (SdkClient c = SdkClient.connect(withToken(token("dave", 600, "room-1")))) {
            c.send(frame("join", "subscribe:room-3\r\n", ""));
            assertError(403, c.next());
            c.send(frame("auth", "auth:" + token("dave", 600, "room-1", "room-3") + "\r\n", ""));
            subscribe(c, "room-3"); // the refreshed token's channels apply
            c.send(frame("auth", "auth:" + token("mallory", 600, "*") + "\r\n", ""));
            assertError(403, c.next()); // a connection cannot become another user
            c.send(frame("join", "subscribe:room-4\r\n", ""));
            assertError(403, c.next());
        }
    }

    /** Issue 18: a refresh that no longer grants a channel ends its deliveries and names it in one error frame. */
    @Test
    void aRefreshThatDropsChannelsUnsubscribesThemAndSaysWhich() throws Exception {
        try (SdkClient c = SdkClient.connect(withToken(token("heidi", 600, "rv-1", "rv-2", "rv-3")));
                SdkClient pub = SdkClient.connect(withToken(token("ivan", 600, "rv-1", "rv-2", "rv-3")))) {
            subscribe(c, "rv-1");
            subscribe(c, "rv-2");
            subscribe(c, "rv-3");
            c.send(frame("auth", "auth:" + token("heidi", 600, "rv-1", "rv-2", "rv-3", "rv-4") + "\r\n", ""));
            c.send(frame("echo", "", "nothing taken away"));
            assertEquals(
                    frame("echo", "", "nothing taken away"),
                    c.next(),
                    "a refresh that keeps every channel says nothing");
            c.send(frame("auth", "auth:" + token("heidi", 600, "rv-1") + "\r\n", ""));
            assertEquals(
                    "LHTTP/1.0 error\r\ncode:403\r\nreason:the refreshed token does not grant these channels: "
                            + "unsubscribed\r\nunsubscribed:rv-2 rv-3\r\n\r\n",
                    c.next());
            pub.send(frame("chat", "publish:rv-2\r\n", "revoked"));
            pub.send(frame("chat", "publish:rv-3\r\n", "revoked"));
            String kept = frame("chat", "publish:rv-1\r\n", "kept");
            pub.send(kept);
            assertEquals(kept, c.next(), "frames on the revoked channels, published first, never came");
            c.send(frame("join", "subscribe:rv-2\r\n", ""));
            assertError(403, c.next());
        }
    }

    @Test
    void aConnectionWhoseTokenRunsOutIsClosed() throws Exception {
        try (SdkClient c = SdkClient.connect(withToken(token("erin", 5, "room-1")))) {
            subscribe(c, "room-1");
            String expired = c.nextOrClose();
            assertTrue(expired != null && expired.contains("token expired"), expired);
            LhttpClient.Close reason = c.awaitClose();
            assertEquals(1008 /* violated policy */, reason.code());
        }
    }

    @Test
    void credentialsOnFramesAreNotPublished() throws Exception {
        try (SdkClient sub = SdkClient.connect(withToken(token("frank", 600, "room-5")));
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            subscribe(sub, "room-5");
            String secret = token("grace", 600, "room-5");
            pub.send(frame("chat", "auth:" + secret + "\r\npublish:room-5\r\ncookie:c=1\r\n", "hi"));
            assertEquals(
                    frame("chat", "publish:room-5\r\ncookie:c=1\r\n", "hi"),
                    sub.next(),
                    "the token stays with the server (strip-headers=none: other lines are published)");
        }
    }
}
