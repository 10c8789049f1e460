package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RequestIdTest {

    @Test
    void charsetAndLength() {
        assertTrue(RequestId.isValid("a"));
        assertTrue(RequestId.isValid("Az09_-.:"));
        assertTrue(RequestId.isValid("x".repeat(RequestId.MAX_LENGTH)));
        assertFalse(RequestId.isValid("x".repeat(RequestId.MAX_LENGTH + 1)));
        assertFalse(RequestId.isValid(""));
        assertFalse(RequestId.isValid(null));
        assertFalse(RequestId.isValid("a b"));
        assertFalse(RequestId.isValid("é"));
    }

    @Test
    void tagAddsOnceAndOnlyAValidId() {
        Message error = Message.error(400, "bad");
        assertEquals("LHTTP/1.0 error\r\ncode:400\r\nreason:bad\r\nrequest-id:7\r\n\r\n", RequestId.tag(error, "7").frame());
        assertSame(error, RequestId.tag(error, null));
        Message carrying = Message.of("echo", List.of(new Header("Request-Id", "7")), "x");
        assertSame(carrying, RequestId.tag(carrying, "7"), "already carries it: not doubled");
        assertEquals("7", RequestId.of(carrying));
        assertNull(RequestId.of(Message.of("echo", List.of(new Header("request-id", "a b")), "")));
    }
}
