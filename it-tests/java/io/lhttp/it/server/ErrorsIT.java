package io.lhttp.it.server;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.SdkClient;
import io.lhttp.testkit.RawWebSocket;
import java.nio.charset.StandardCharsets;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PROTOCOL.md §5: every bad input is answered with the error frame and the connection keeps
 * working, with nothing the client sent before or after lost.
 */
@ExtendWith(ArquillianExtension.class)
class ErrorsIT extends ServerTestBase {

    private static String error(int code, String reason) {
        return "LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:" + reason + "\r\n\r\n";
    }

    /** Sends a bad frame between two good ones: the error comes in between, and both good ones are answered. */
    private void assertAnswered(String bad, String expectedError) throws Exception {
        try (SdkClient c = client()) {
            c.send(frame("echo", "", "before"));
            c.send(bad);
            c.send(frame("echo", "", "after"));
            assertEquals(frame("echo", "", "before"), c.next());
            assertEquals(expectedError, c.next());
            assertEquals(frame("echo", "", "after"), c.next());
        }
    }

    /** As {@link #assertAnswered} for text that is not LHTTP at all, which the SDK cannot send: raw socket. */
    private void assertAnsweredRaw(String bad, String expectedError) throws Exception {
        try (RawWebSocket c = raw()) {
            c.send(frame("echo", "", "before"));
            c.send(bad);
            c.send(frame("echo", "", "after"));
            assertEquals(frame("echo", "", "before"), c.readText(SdkClient.TIMEOUT));
            assertEquals(expectedError, c.readText(SdkClient.TIMEOUT));
            assertEquals(frame("echo", "", "after"), c.readText(SdkClient.TIMEOUT));
        }
    }

    private RawWebSocket raw() throws Exception {
        return RawWebSocket.connect(ws(), SdkClient.TIMEOUT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "junk",
                "HTTP/1.1 GET\r\n\r\n",
                "LHTTP/1.1 chat\r\n\r\n",
                "LHTTP/1.0  chat\r\n\r\n",
                "lhttp/1.0 chat\r\n\r\n",
                "LHTTP/1.0chat\r\n\r\n"
            })
    void malformedStartLine(String bad) throws Exception {
        assertAnsweredRaw(
                bad,
                error(400, "frame does not start with 'LHTTP/1.0 <command>'")
                        .replace(
                                "frame does not start with 'LHTTP/1.0 <command>'",
                                bad.startsWith("LHTTP/1.0 ")
                                        ? "command must be a non-empty token without spaces or control characters"
                                        : "frame does not start with 'LHTTP/1.0 <command>'"));
    }

    @Test
    void emptyFrame() throws Exception {
        assertAnsweredRaw("", error(400, "empty frame"));
    }

    @Test
    void frameWithoutCrlf() throws Exception {
        assertAnsweredRaw("LHTTP/1.0 chat", error(400, "start line does not end with CRLF"));
        assertAnsweredRaw("LHTTP/1.0 chat\nk:v\n\nbody", error(400, "start line does not end with CRLF"));
        assertAnsweredRaw("LHTTP/1.0 chat\r\nk:v", error(400, "header line does not end with CRLF"));
    }

    @Test
    void headerLineWithoutColonOrKey() throws Exception {
        assertAnsweredRaw(frame("chat", "no colon here\r\n", ""), error(400, "header line without ':'"));
        assertAnsweredRaw(frame("chat", ":value\r\n", ""), error(400, "header line with an empty key"));
    }

    @Test
    void tooManyHeaders() throws Exception {
        String headers32 = "h:v\r\n".repeat(32);
        try (SdkClient c = client()) {
            c.send(frame("echo", headers32, "32 is fine"));
            assertEquals(frame("echo", headers32, "32 is fine"), c.next());
        }
        assertAnswered(frame("echo", headers32 + "h:v\r\n", ""), error(413, "more than 32 header lines"));
    }

    @Test
    void oversizeFrameKeepsTheConnection() throws Exception {
        String body = "é".repeat(40_000); // 40,000 chars but 80,000 UTF-8 bytes: over the 65536-byte limit
        assertAnswered(frame("echo", "", body), error(413, "frame larger than 65536 bytes"));
        String fits = frame("echo", "", "x".repeat(65536 - frame("echo", "", "").length()));
        try (SdkClient c = client()) {
            c.send(fits);
            assertEquals(fits, c.next(), "a frame of exactly 65536 bytes is accepted");
        }
    }

    @Test
    void frameOverTheHardCapClosesWith1009() throws Exception {
        try (SdkClient c = client()) {
            c.send(frame("echo", "", "x".repeat(1_100_000)));
            LhttpClient.Close reason = c.awaitClose();
            assertEquals(1009 /* too big */, reason.code());
        }
    }

    @Test
    void badChannelNames() throws Exception {
        for (String bad : new String[] {"a..b", ".a", "a.", "wild*", "all>", "x".repeat(129), "ünïcode"}) {
            assertAnswered(
                    frame("chat", "subscribe:" + bad + "\r\n", ""),
                    error(400, "bad channel name '" + (bad.length() > 40 ? bad.substring(0, 40) + "..." : bad) + "'"));
        }
        assertAnswered(frame("chat", "publish:ok wild*\r\n", ""), error(400, "bad channel name 'wild*'"));
        assertAnswered(frame("chat", "subscribe:   \r\n", ""), error(400, "no channel named"));
    }

    @Test
    void badPublishIsNotPublishedAtAll() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:partial\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            pub.send(frame("chat", "publish:partial bad..name\r\n", "never"));
            assertEquals(error(400, "bad channel name 'bad..name'"), pub.next());
            assertNothingBefore(sub, "nothing published when one channel is bad");
        }
    }

    @Test
    void tooManyChannelsIsAllOrNothing() throws Exception {
        try (SdkClient c = client();
                SdkClient pub = client()) {
            c.send(frame("chat", "subscribe:l1 l2 l3 l4 l5 l6\r\n", ""));
            c.send(frame("chat", "subscribe:l7 l8 l9\r\n", "")); // 9 > 8: refused whole
            assertEquals(error(429, "too many channels: at most " + MAX_CHANNELS + " per connection"), c.next());
            c.send(frame("chat", "subscribe:l1 l7 l8\r\n", "")); // l1 already held: exactly 8
            assertNothingBefore(c, "8 channels accepted");
            pub.send(frame("chat", "publish:l9\r\n", "not subscribed"));
            String l8 = frame("chat", "publish:l8\r\n", "subscribed");
            pub.send(l8);
            assertEquals(l8, c.next());
        }
    }

    @Test
    void unsubscribeOfUnknownChannelIsIgnored() throws Exception {
        try (SdkClient c = client()) {
            c.send(frame("chat", "unsubscribe:never-subscribed\r\n", ""));
            assertNothingBefore(c, "no error for an unknown channel");
        }
    }

    @Test
    void binaryFramesAreReadAsUtf8() throws Exception {
        try (RawWebSocket c = raw()) { // the SDK sends text frames only
            c.sendBinary(frame("echo", "", "bïnary").getBytes(StandardCharsets.UTF_8));
            assertEquals(frame("echo", "", "bïnary"), c.readText(SdkClient.TIMEOUT));
            c.sendBinary(new byte[] {'L', 'H', (byte) 0xff, (byte) 0xfe});
            assertEquals(error(400, "binary frame is not UTF-8 text"), c.readText(SdkClient.TIMEOUT));
            String marker = frame("echo", "", "still open");
            c.send(marker);
            assertEquals(marker, c.readText(SdkClient.TIMEOUT), "expected nothing before the marker");
        }
    }

    @Test
    void errorFramesAreWellFormedLhttp() throws Exception {
        try (RawWebSocket c = raw()) {
            c.send("junk");
            String reply = c.readText(SdkClient.TIMEOUT);
            assertTrue(reply.startsWith("LHTTP/1.0 error\r\ncode:400\r\nreason:"), reply);
            assertTrue(reply.endsWith("\r\n\r\n"), reply);
        }
    }
}
