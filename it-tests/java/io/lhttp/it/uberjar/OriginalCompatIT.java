package io.lhttp.it.uberjar;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The compatibility switches of PROTOCOL.md §5: with {@code lhttp.errors.reply=false} and
 * {@code lhttp.max-frame-bytes=40960} the server treats clients exactly like the original:
 * bad frames are dropped silently, and everything else still works. Runs the packaged uberjar
 * with the shipped {@code server-config/original-compat.properties}.
 */
class OriginalCompatIT {

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        String config = System.getProperty("project.basedir", ".") + "/server-config/original-compat.properties";
        server = UberJarServer.builder()
                .argument("--systemProperties")
                .argument(config)
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * The bad frame is followed by an echo: if anything had been answered, it would come first.
     * Raw socket: most of these frames are not LHTTP, which the SDK does not send.
     */
    private static void assertSilentlyDropped(String bad) throws Exception {
        try (RawWebSocket c = RawWebSocket.connect(server.wsUri(), SdkClient.TIMEOUT)) {
            c.send(bad);
            c.send(frame("echo", "", "after"));
            assertEquals(frame("echo", "", "after"), c.readText(SdkClient.TIMEOUT));
        }
    }

    @Test
    void malformedFramesAreDroppedSilently() throws Exception {
        assertSilentlyDropped("junk");
        assertSilentlyDropped("");
        assertSilentlyDropped("LHTTP/1.0 chat");
        assertSilentlyDropped(frame("chat", "no colon\r\n", ""));
        assertSilentlyDropped(frame("chat", "h:v\r\n".repeat(33), ""));
        assertSilentlyDropped(frame("chat", "subscribe:bad..name\r\n", ""));
    }

    @Test
    void framesOverTheOriginalLimitAreDroppedSilently() throws Exception {
        String limit =
                frame("echo", "", "x".repeat(40960 - frame("echo", "", "").length()));
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            c.send(limit);
            assertEquals(limit, c.next(), "40960 bytes pass");
        }
        assertSilentlyDropped(limit + "x");
    }

    @Test
    void pubSubWorksAsUsual() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri());
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            sub.send(frame("chat", "subscribe:chatroom\r\n", ""));
            sub.send(frame("echo", "", "subscribed"));
            assertEquals(frame("echo", "", "subscribed"), sub.next());
            String msg = frame("chat", "publish:chatroom\r\n", "hello");
            pub.send(msg);
            assertEquals(msg, sub.next());
        }
    }

    /** docs/SECURITY.md: the compat file reopens what the original allowed (issue 13). */
    @Test
    void securityDefaultsAreReopenedAsTheOriginalHadThem() throws Exception {
        try (SdkClient sub = SdkClient.connect(server.wsUri(), java.util.Map.of("Origin", "http://evil.example"));
                SdkClient pub = SdkClient.connect(server.wsUri())) {
            sub.send(frame("chat", "subscribe:compat-creds\r\n", ""));
            sub.send(frame("echo", "", "subscribed"));
            assertEquals(frame("echo", "", "subscribed"), sub.next(), "any origin connects");
            String withCredentials = frame("chat", "auth:jack-secret\r\npublish:compat-creds\r\n", "hi");
            pub.send(withCredentials);
            assertEquals(withCredentials, sub.next(), "published whole, credentials included");
        }
        java.net.InetAddress external = io.lhttp.it.support.Addresses.external();
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                        "http://" + external.getHostAddress() + ":" + server.port() + "/publish"))
                                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                                        frame("n", "publish:compat\r\n", "x")))
                                .header("Content-Type", "text/plain")
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), "POST /publish open to other hosts: " + r.body());
    }
}
