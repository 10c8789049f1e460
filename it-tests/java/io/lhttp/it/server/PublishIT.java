package io.lhttp.it.server;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import io.lhttp.testkit.RawWebSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code POST /publish} (PROTOCOL.md §3), each status code, with the deployment's token configured. */
@ExtendWith(ArquillianExtension.class)
class PublishIT extends ServerTestBase {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String body, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(http("publish"))
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishedMessageIsDeliveredExactlyAsPosted() throws Exception {
        try (SdkClient sub = client()) {
            sub.send(frame("chat", "subscribe:http-a http-b\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            String posted =
                    "LHTTP/1.0 notice\r\npublish:http-a  http-b\r\nfrom:backend\r\n\r\nserver says ünïcode\r\nhi";
            HttpResponse<String> response = post(posted, "Bearer " + TOKEN);
            assertEquals(202, response.statusCode(), response.body());
            assertEquals(posted, sub.next());
            assertEquals(posted, sub.next());
        }
    }

    @Test
    void messageWithoutBlankLineIsDeliveredAsPostedToo() throws Exception {
        // Raw socket: the SDK hands over parsed messages, and its parser adds the missing blank line.
        try (RawWebSocket sub = RawWebSocket.connect(ws(), SdkClient.TIMEOUT)) {
            String subscribed = frame("echo", "", "subscribed");
            sub.send(frame("chat", "subscribe:http-nobody\r\n", ""));
            sub.send(subscribed);
            assertEquals(subscribed, sub.readText(SdkClient.TIMEOUT), "expected nothing before the marker");
            String posted = "LHTTP/1.0 ping\r\npublish:http-nobody\r\n";
            assertEquals(202, post(posted, "Bearer " + TOKEN).statusCode());
            assertEquals(posted, sub.readText(SdkClient.TIMEOUT));
        }
    }

    @Test
    void missingOrWrongTokenIs401() throws Exception {
        String msg = frame("chat", "publish:http-a\r\n", "x");
        HttpResponse<String> none = post(msg, null);
        assertEquals(401, none.statusCode());
        assertEquals(
                "Bearer realm=\"lhttp\"",
                none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, post(msg, "Bearer wrong").statusCode());
        assertEquals(401, post(msg, "Basic " + TOKEN).statusCode());
        assertEquals(202, post(msg, "bearer " + TOKEN).statusCode(), "the scheme is case-insensitive");
    }

    @Test
    void notLhttpIs400WithAReason() throws Exception {
        HttpResponse<String> junk = post("hello world", "Bearer " + TOKEN);
        assertEquals(400, junk.statusCode());
        assertTrue(junk.body().contains("LHTTP/1.0"), junk.body());
        assertEquals(400, post("", "Bearer " + TOKEN).statusCode());
    }

    @Test
    void noValidChannelIs400() throws Exception {
        HttpResponse<String> none = post(frame("chat", "", "no publish header"), "Bearer " + TOKEN);
        assertEquals(400, none.statusCode());
        assertEquals("the message has no publish header\n", none.body());
        HttpResponse<String> bad = post(frame("chat", "publish:a..b\r\n", ""), "Bearer " + TOKEN);
        assertEquals(400, bad.statusCode());
        assertEquals("bad channel name 'a..b'\n", bad.body());
        assertEquals(
                400, post(frame("chat", "publish: \r\n", ""), "Bearer " + TOKEN).statusCode());
    }

    @Test
    void overTheFrameLimitIs413() throws Exception {
        String big = frame("chat", "publish:http-a\r\n", "x".repeat(70_000));
        HttpResponse<String> response = post(big, "Bearer " + TOKEN);
        assertEquals(413, response.statusCode());
        assertEquals("message larger than 65536 bytes\n", response.body());
    }

    @Test
    void theHeaderFiltersRunOverHttpToo() throws Exception {
        try (SdkClient sub = client()) {
            sub.send(frame("chat", "subscribe:http-f\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            // The deployment's DenyFilter refuses a message with a deny header: over HTTP as over WebSocket.
            HttpResponse<String> denied =
                    post(frame("chat", "publish:http-f\r\ndeny:yes\r\n", "sneaky"), "Bearer " + TOKEN);
            assertEquals(403, denied.statusCode(), denied.body());
            assertEquals("denied by the test filter\n", denied.body());
            // Its after-work changes what is published (a shout gets filtered:yes); no processor runs over HTTP,
            // so the shout is not upper-cased and nothing is sent back anywhere but to the channel.
            HttpResponse<String> shout = post(frame("shout", "publish:http-f\r\n", "quiet"), "Bearer " + TOKEN);
            assertEquals(202, shout.statusCode(), shout.body());
            assertEquals(frame("shout", "publish:http-f\r\nfiltered:yes\r\n", "quiet"), sub.next());
            assertNothingBefore(sub, "the denied message was not published");
        }
    }
}
