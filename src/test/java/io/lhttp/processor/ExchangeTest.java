package io.lhttp.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.Part;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The response side of an exchange. These paths never touch the connection, so the exchange is
 * built without one. {@code send} and {@code fail} need a live connection, hence a WebSocket
 * session: they are left to the tests that run a real server.
 */
class ExchangeTest {

    private static final String FRAME = "LHTTP/1.0 chat\r\n Publish : room \r\ncontent-type:json\r\n\r\n{\"a\":1}";

    private static Exchange exchange() throws Exception {
        return new Exchange(null, new MessageParser(Limits.DEFAULTS).parse(FRAME));
    }

    @Test
    void requestIsWhatTheClientSent() throws Exception {
        Exchange ex = exchange();
        assertEquals("chat", ex.command());
        assertEquals("room", ex.header("publish"));
        assertEquals(List.of(new Header(" Publish ", " room "), new Header("content-type", "json")), ex.headers());
        assertEquals("{\"a\":1}", ex.body());
        assertEquals(List.of(), ex.parts());
        assertFalse(ex.failed());
        assertEquals(0, ex.errorCode());
    }

    @Test
    void unchangedResponseIsTheVeryRequest() throws Exception {
        Exchange ex = exchange();
        assertSame(ex.request(), ex.response());
        assertSame(FRAME, ex.response().frame(), "publishing an unchanged message re-uses the client's text");
        assertEquals("chat", ex.responseCommand());
        assertSame(ex.request().headers(), ex.responseHeaders());
    }

    @Test
    void settingTheSameCommandKeepsTheRequest() throws Exception {
        Exchange ex = exchange();
        ex.responseCommand("chat");
        assertSame(ex.request(), ex.response());
    }

    @Test
    void newCommandMakesANewFrame() throws Exception {
        Exchange ex = exchange();
        ex.responseCommand("reply");
        Message r = ex.response();
        assertNotSame(ex.request(), r);
        assertEquals("LHTTP/1.0 reply\r\n Publish : room \r\ncontent-type:json\r\n\r\n{\"a\":1}", r.frame());
        assertSame(r, ex.response(), "built once until the next change");
        assertSame(r.frame(), ex.response().frame());
        assertEquals("chat", ex.request().command(), "the request is untouched");
    }

    @Test
    void invalidCommandIsRefusedAndChangesNothing() throws Exception {
        Exchange ex = exchange();
        assertThrows(IllegalArgumentException.class, () -> ex.responseCommand("two words"));
        assertThrows(IllegalArgumentException.class, () -> ex.responseCommand(""));
        assertEquals("chat", ex.responseCommand());
        assertSame(ex.request(), ex.response());
    }

    @Test
    void addedHeaderGoesAfterTheRequestsHeaders() throws Exception {
        Exchange ex = exchange();
        Message before = ex.response();
        ex.addHeader("from", "server");
        Message r = ex.response();
        assertNotSame(before, r);
        assertEquals(
                "LHTTP/1.0 chat\r\n Publish : room \r\ncontent-type:json\r\nfrom:server\r\n\r\n{\"a\":1}", r.frame());
        assertEquals(2, ex.request().headers().size(), "the request is untouched");
    }

    @Test
    void setHeaderReplacesEveryLineOfThatKeyIgnoringCaseAndSpaces() throws Exception {
        Exchange ex = exchange();
        ex.addHeader("PUBLISH", "other");
        ex.setHeader("publish", "lobby");
        assertEquals(List.of(new Header("content-type", "json"), new Header("publish", "lobby")), ex.responseHeaders());
        assertEquals("lobby", ex.response().header("publish"));
    }

    @Test
    void removeAndClearHeaders() throws Exception {
        Exchange ex = exchange();
        ex.removeHeader("publish");
        assertEquals(List.of(new Header("content-type", "json")), ex.response().headers());
        ex.removeHeader("absent");
        assertEquals(1, ex.response().headers().size());
        ex.clearHeaders();
        assertEquals("LHTTP/1.0 chat\r\n\r\n{\"a\":1}", ex.response().frame());
    }

    @Test
    void everyChangeInvalidatesTheCachedResponse() throws Exception {
        Exchange ex = exchange();
        Message r0 = ex.response();
        ex.addHeader("a", "1");
        Message r1 = ex.response();
        ex.removeHeader("a");
        Message r2 = ex.response();
        ex.responseCommand("x");
        Message r3 = ex.response();
        assertNotSame(r0, r1);
        assertNotSame(r1, r2);
        assertNotSame(r2, r3);
        assertEquals(r0.headers(), r2.headers());
        assertEquals("x", r3.command());
    }

    @Test
    void responseHeadersCannotBeChangedBehindTheExchangesBack() throws Exception {
        Exchange ex = exchange();
        ex.addHeader("a", "1");
        assertThrows(
                UnsupportedOperationException.class, () -> ex.responseHeaders().clear());
        assertThrows(
                UnsupportedOperationException.class,
                () -> ex.response().headers().clear());
    }

    @Test
    void invalidHeaderIsRefused() throws Exception {
        Exchange ex = exchange();
        assertThrows(IllegalArgumentException.class, () -> ex.addHeader("a:b", "v"));
        assertThrows(IllegalArgumentException.class, () -> ex.addHeader("k", "line\r\nbreak"));
    }

    @Test
    void partsAreCopied() throws Exception {
        Exchange ex = exchange();
        List<Part> parts = new ArrayList<>(List.of(new Part(List.of(new Header("k1", "v1")), "body1")));
        ex.parts(parts);
        parts.clear();
        assertEquals(1, ex.parts().size());
        assertEquals("body1", ex.parts().get(0).body());
        assertThrows(UnsupportedOperationException.class, () -> ex.parts().clear());
    }
}
