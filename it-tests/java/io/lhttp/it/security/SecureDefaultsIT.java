package io.lhttp.it.security;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Addresses;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.it.support.UpgradeVariants;
import java.net.InetAddress;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 with the default configuration, over real sockets on the packaged server: what an
 * attacker without credentials can no longer do.
 */
class SecureDefaultsIT {

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

    @Test
    void pagesFromOtherOriginsAreRefusedBeforeTheUpgrade() throws Exception {
        URI ws = server.wsUri();
        for (String origin : new String[] {
            "http://evil.example",
            "null",
            "http://127.0.0.1:" + (server.port() + 1),
            "http://127.0.0.1.evil.example:" + server.port(),
            "garbage"
        }) {
            RawHttp.Response r = RawHttp.upgrade(ws, "Origin: " + origin);
            assertEquals(403, r.status(), origin);
            assertNull(r.headers().get("sec-websocket-accept"), "no upgrade for " + origin);
        }
    }

    @Test
    void upgradeHeaderVariantsMeetTheOriginCheckToo() throws Exception {
        UpgradeVariants.assertForeignOriginRefused(server.wsUri());
        RawHttp.Response r = RawHttp.upgradeWith(
                server.wsUri(),
                UpgradeVariants.LINES.get("trailing comma"),
                "Origin: http://127.0.0.1:" + server.port());
        assertEquals(101, r.status(), "the server's own page with the same variant is upgraded: " + r);
    }

    @Test
    void theServersOwnOriginAndNonBrowsersConnect() throws Exception {
        assertEquals(
                101,
                RawHttp.upgrade(server.wsUri(), "Origin: http://127.0.0.1:" + server.port())
                        .status());
        assertEquals(101, RawHttp.upgrade(server.wsUri()).status(), "no Origin: not a browser");
    }

    @Test
    void clientsCannotPublishErrorFrames() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri());
                SdkClient attacker = SdkClient.connect(server.wsUri())) {
            subscribe(sub, "sec-errors");
            String fake = frame(
                    "error",
                    "code:401\r\nreason:session expired - log in at https://evil.example\r\n"
                            + "publish:sec-errors\r\n",
                    "");
            attacker.send(fake);
            String answer = attacker.next();
            assertTrue(answer.startsWith("LHTTP/1.0 error\r\ncode:403\r\nreason:"), answer);
            String after = frame("chat", "publish:sec-errors\r\n", "after");
            attacker.send(after);
            assertEquals(after, sub.next(), "the subscriber's next frame is the later message: the fake never came");
        }
        RawHttp.Response r = RawHttp.request(
                server.httpUri(),
                "POST",
                "/publish",
                frame("error", "code:500\r\nreason:x\r\npublish:sec-errors\r\n", ""),
                "Content-Type: text/plain");
        assertEquals(403, r.status(), "not through POST /publish either");
    }

    @Test
    void credentialsAreNotDeliveredToSubscribers() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri());
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            subscribe(sub, "sec-creds");
            pub.send(frame(
                    "chat",
                    "auth:secret-token\r\npublish:sec-creds\r\nAuthorization:Bearer abc\r\n"
                            + "cookie:session=1\r\ntoken:t\r\ncontent-type:json\r\n",
                    "{text:hi}"));
            assertEquals(frame("chat", "publish:sec-creds\r\ncontent-type:json\r\n", "{text:hi}"), sub.next());
        }
    }

    @Test
    void serverInternalsAreNotServed() throws Exception {
        URI http = server.httpUri();
        for (String path : new String[] {"/metrics", "/metrics/base", "/publish/application.wadl"}) {
            RawHttp.Response r = RawHttp.request(http, "GET", path, "");
            assertNotEquals(200, r.status(), path + " is served: " + r.body());
            assertFalse(
                    r.body().contains("jvm")
                            || r.body().contains("Jersey")
                            || r.body().contains("openapi:"),
                    path + ": " + r.body());
        }
        // The OpenAPI document is the operator's: this host or the token (OperatorEndpointsIT), never the world.
        URI offHost = URI.create("http://" + Addresses.external().getHostAddress() + ":" + server.port() + "/");
        RawHttp.Response openapi = RawHttp.request(offHost, "GET", "/openapi", "");
        assertEquals(403, openapi.status(), openapi.body());
        assertFalse(openapi.body().contains("openapi:"), openapi.body());
        RawHttp.Response index = RawHttp.request(http, "GET", "/", "");
        assertEquals(200, index.status());
        assertNull(index.headers().get("server"), "no Server banner: " + index.headers());
        assertNull(index.headers().get("x-powered-by"), "no X-Powered-By: " + index.headers());
    }

    @Test
    void publishIsRefusedFromOtherHostsWithoutAToken() throws Exception {
        String body = frame("news", "publish:sec-publish\r\n", "hi");
        assertEquals(
                202,
                RawHttp.request(server.httpUri(), "POST", "/publish", body, "Content-Type: text/plain")
                        .status(),
                "this host may publish");
        // Another host: the server is reached through this machine's own non-loopback address, so the
        // connection's source address is that address, not loopback.
        InetAddress external = Addresses.external();
        URI offHost = URI.create("http://" + external.getHostAddress() + ":" + server.port() + "/");
        RawHttp.Response r = RawHttp.request(offHost, "POST", "/publish", body, "Content-Type: text/plain");
        assertEquals(403, r.status(), r.body());
        assertTrue(r.body().contains("lhttp.publish.token"), r.body());
    }

    /** Issue 18: a page on another site cannot publish through a browser on this host (CSRF), loopback or not. */
    @Test
    void publishIsRefusedToPagesOfOtherSitesEvenFromThisHost() throws Exception {
        String body = frame("news", "publish:sec-csrf\r\n", "forged");
        String own = "Origin: http://127.0.0.1:" + server.port();
        for (String[] headers : new String[][] {
            {"Origin: http://evil.example"},
            {"Origin: null"},
            {"Sec-Fetch-Site: cross-site"},
            {"Sec-Fetch-Site: same-site"},
            {"Origin: http://evil.example", "Sec-Fetch-Site: cross-site"},
            {own, "Sec-Fetch-Site: cross-site"}
        }) {
            RawHttp.Response r = RawHttp.request(
                    server.httpUri(), "POST", "/publish", body, concat("Content-Type: text/plain", headers));
            assertEquals(403, r.status(), String.join(" ", headers) + ": " + r.body());
            assertTrue(r.body().contains("another origin"), r.body());
        }
        assertEquals(
                202,
                RawHttp.request(
                                server.httpUri(),
                                "POST",
                                "/publish",
                                body,
                                "Content-Type: text/plain",
                                own,
                                "Sec-Fetch-Site: same-origin")
                        .status(),
                "the server's own page");
        assertEquals(
                202,
                RawHttp.request(server.httpUri(), "POST", "/publish", body, "Content-Type: text/plain")
                        .status(),
                "a tool on this host");
    }

    /**
     * Issue 18: requests the container fails to parse (empty {@code Host}, {@code /%zz},
     * {@code /publish/.}) leave one line per cause, rate-limited, and no stack trace.
     */
    @Test
    void malformedRequestsLeaveNoStackTraceInTheLog() throws Exception {
        long mark = java.nio.file.Files.size(server.logFile());
        String[] requests = {
            "GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n",
            "GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            "POST /publish/. HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n"
                    + "Connection: close\r\n\r\nhi"
        };
        for (int round = 0; round < 10; round++) {
            for (String request : requests) {
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    s.getInputStream().readAllBytes();
                }
            }
        }
        // Refused handshakes whose client goes on sending WebSocket frames: the answer closes the connection.
        byte[] frames = new byte[64];
        for (int i = 0; i < frames.length; i += 8) {
            System.arraycopy(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2}, 0, frames, i, 8);
        }
        for (int i = 0; i < 10; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream()
                        .write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nUpgrade: websocket\r\n"
                                        + "Connection: Upgrade\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n"
                                        + "Origin: http://evil.example\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.getOutputStream().write(frames);
                String answer =
                        new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertTrue(answer.startsWith("HTTP/1.1 403"), answer); // and read to the end: the server closed it
            }
        }
        io.lhttp.it.support.Await.until(
                java.time.Duration.ofSeconds(30),
                () -> logSince(mark).split("malformed request refused by the container", -1).length - 1
                        >= requests.length,
                "one line per cause");
        String log = logSince(mark);
        assertFalse(log.contains("\tat ") || log.contains("SEVERE") || log.contains("NullPointerException"), log);
        long lines =
                log.lines().filter(l -> l.contains("malformed request refused")).count();
        assertTrue(lines <= 3 * io.lhttp.admission.RateLimitedLog.DEFAULT_PER_INTERVAL, lines + " lines: " + log);
        assertEquals(200, RawHttp.request(server.httpUri(), "GET", "/", "").status(), "the server still serves");
    }

    private static String logSince(long offset) {
        try {
            byte[] all = java.nio.file.Files.readAllBytes(server.logFile());
            return new String(
                    all,
                    (int) Math.min(offset, all.length),
                    (int) Math.max(0, all.length - offset),
                    java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String[] concat(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void subscribe(SdkClient c, String channel) throws Exception {
        c.send(frame("join", "subscribe:" + channel + "\r\n", ""));
        c.send(frame("echo", "", "subscribed"));
        assertEquals(frame("echo", "", "subscribed"), c.next());
    }
}
