package io.lhttp.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeTest {

    private final Handshake h = new Handshake(
            Map.of("Cookie", List.of("a=1; lhttp-token=\"tok\"", "b = 2"), "X-Custom", List.of("v")),
            Map.of("token", List.of("t1", "t2")),
            "192.0.2.7",
            Map.of("k", "v"));

    @Test
    void headersIgnoreCase() {
        assertEquals("v", h.header("x-custom"));
        assertEquals("v", h.header("X-CUSTOM"));
        assertNull(h.header("missing"));
    }

    @Test
    void cookiesFromEveryCookieHeader() {
        assertEquals("1", h.cookie("a"));
        assertEquals("tok", h.cookie("lhttp-token"), "quotes removed");
        assertEquals("2", h.cookie("b"));
        assertNull(h.cookie("lhttp"), "names match whole");
        assertNull(Handshake.NONE.cookie("a"));
    }

    @Test
    void parametersAndAddress() {
        assertEquals("t1", h.parameter("token"));
        assertNull(h.parameter("x"));
        assertEquals("192.0.2.7", h.remoteAddress());
        assertEquals("", Handshake.NONE.remoteAddress());
        assertEquals(Map.of("k", "v"), h.attributes());
    }
}
