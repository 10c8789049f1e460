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
        assertEquals(
                "LHTTP/1.0 error\r\ncode:400\r\nreason:bad\r\nrequest-id:7\r\n\r\n",
                RequestId.tag(error, "7").frame());
        assertSame(error, RequestId.tag(error, null));
        Message carrying = Message.of("echo", List.of(new Header("Request-Id", "7")), "x");
        assertSame(carrying, RequestId.tag(carrying, "7"), "already carries it: not doubled");
        assertEquals("7", RequestId.of(carrying));
        assertNull(RequestId.of(Message.of("echo", List.of(new Header("request-id", "a b")), "")));
    }

    @Test
    void scanReadsTheIdOfAFrameThatDoesNotParse() {
        assertEquals("r1", RequestId.scan("LHTTP/1.0 chat\r\nrequest-id:r1\r\nno colon here\r\n\r\nbody"));
        assertEquals(
                "r2",
                RequestId.scan("LHTTP/1.0 bad command\r\n Request-Id : r2 \r\n"),
                "key and value trimmed, case ignored");
        assertEquals("b", RequestId.scan("LHTTP/1.0 c\r\nrequest-id:a\r\nrequest-id:b\r\n\r\n"), "the last one counts");
        assertNull(
                RequestId.scan("LHTTP/1.0 c\r\nrequest-id:a\r\nrequest-id:not valid\r\n\r\n"),
                "the last one is invalid");
        assertNull(RequestId.scan("LHTTP/1.0 c\r\n\r\nrequest-id:in-the-body\r\n"), "the body is not the head");
        assertNull(RequestId.scan("LHTTP/1.0 c\r\nrequest-id:no-crlf"), "an unfinished line is not a header");
        assertNull(RequestId.scan("HTTP/1.1 200\r\nrequest-id:x\r\n\r\n"), "not LHTTP");
        assertNull(RequestId.scan("LHTTP/1.0 c"));
        assertNull(RequestId.scan(""));
        assertNull(RequestId.scan(null));
        assertEquals(
                "x",
                RequestId.scan("LHTTP/1.0 c\r\n" + "k:v\r\n".repeat(100) + "request-id:x\r\n\r\n"),
                "past the header-count limit: the frame still told which request it was");
    }
}
