package io.lhttp.it.uberjar;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.testkit.RawWebSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every error frame that answers a frame carries its request-id (PROTOCOL.md §2.1), also when the
 * frame did not parse whole or hit the rate limit; and {@code since} on a channel the connection
 * already has is refused with 409, nothing replayed (§2.2). Real sockets, the packaged server.
 *
 * <p>Raw sockets where the frames are not LHTTP (which the Java client SDK does not send); the SDK elsewhere.
 */
class RequestIdErrorsIT {

    private static final int RATE = 20;
    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.history.channels=room", "-Dlhttp.max-messages-per-second=" + RATE, "-Dlhttp.max-headers=4");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void framesThatDoNotParseWholeAreAnsweredWithTheirId() throws Exception {
        try (RawWebSocket c = RawWebSocket.connect(server.wsUri(), SdkClient.TIMEOUT)) {
            c.send("LHTTP/1.0 chat\r\nrequest-id:bad-line\r\nno colon\r\n\r\n");
            assertEquals(
                    frame("error", "code:400\r\nreason:header line without ':'\r\nrequest-id:bad-line\r\n", ""),
                    c.readText(SdkClient.TIMEOUT));
            c.send("LHTTP/1.0 chat\r\na:1\r\nb:2\r\nc:3\r\nd:4\r\nrequest-id:many\r\n\r\n");
            assertEquals(
                    frame("error", "code:413\r\nreason:more than 4 header lines\r\nrequest-id:many\r\n", ""),
                    c.readText(SdkClient.TIMEOUT));
            c.sendBinary("LHTTP/1.0 chat\r\nrequest-id:bin\r\nno colon\r\n\r\n".getBytes(StandardCharsets.UTF_8));
            assertEquals(
                    frame("error", "code:400\r\nreason:header line without ':'\r\nrequest-id:bin\r\n", ""),
                    c.readText(SdkClient.TIMEOUT));
            c.send("not lhttp\r\nrequest-id:x\r\n\r\n");
            assertEquals(
                    frame("error", "code:400\r\nreason:frame does not start with 'LHTTP/1.0 <command>'\r\n", ""),
                    c.readText(SdkClient.TIMEOUT),
                    "not LHTTP at all: no header can be trusted, so no id");
        }
    }

    @Test
    void rateLimitedFramesAreAnsweredWithTheirId() throws Exception {
        int frames = RATE * 10;
        try (RawWebSocket c = RawWebSocket.connect(server.wsUri(), SdkClient.TIMEOUT)) {
            for (int i = 0; i < frames; i++) {
                if (i % 2 == 0) {
                    c.send(frame("echo", "request-id:t" + i + "\r\n", "x"));
                } else {
                    c.send(frame("chat", "request-id:t" + i + "\r\nbroken\r\n", "")); // refused before parsing too
                }
            }
            int limited = 0;
            for (int i = 0; i < frames; i++) {
                String answer = c.readText(
                        SdkClient
                                .TIMEOUT); // one answer per frame, in order: a connection's frames are handled in order
                assertTrue(answer.contains("\r\nrequest-id:t" + i + "\r\n"), "answer " + i + ": " + answer);
                if (answer.startsWith("LHTTP/1.0 error\r\ncode:429\r\n")) {
                    limited++;
                }
            }
            assertTrue(limited > 0, "a burst of " + frames + " frames exceeds " + RATE + " per second");
        }
    }

    @Test
    void sinceOnAChannelAlreadySubscribedIsRefusedWith409() throws Exception {
        try (SdkClient c = SdkClient.connect(server.wsUri())) {
            c.send(frame("chat", "request-id:s1\r\npositions:true\r\nsubscribe:room\r\n", ""));
            String answer = c.next();
            assertTrue(answer.startsWith("LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:"), answer);
            String position = answer.split("position:")[1].split("\r\n")[0];
            c.send(frame("chat", "publish:room\r\n", "one"));
            assertTrue(c.next().endsWith("publish:room\r\n\r\none"));

            c.send(frame("chat", "request-id:s2\r\nsince:" + position + "\r\nsubscribe:room\r\n", ""));
            assertEquals(
                    frame(
                            "error",
                            "code:409\r\nreason:already subscribed to 'room': since recovers on a new"
                                    + " subscription only (unsubscribe first)\r\nrequest-id:s2\r\n",
                            ""),
                    c.next());
            c.send(frame("echo", "", "sync"));
            assertEquals(frame("echo", "", "sync"), c.next(), "nothing replayed before the refusal was answered");
            assertNull(c.poll());

            c.send(frame("chat", "subscribe:room\r\n", ""));
            c.send(frame("echo", "", "sync"));
            assertEquals(frame("echo", "", "sync"), c.next(), "a plain repeated subscribe stays a silent no-op");
        }
    }
}
