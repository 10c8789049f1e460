package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Serialising (PROTOCOL.md §1 last rule), the §6 examples and the §5 error frame. */
class MessageWriterTest {

    private static final MessageParser PARSER = new MessageParser(Limits.DEFAULTS);

    @Test
    void startLineBlankLineAndBody() {
        assertEquals("LHTTP/1.0 chat\r\n\r\n", MessageWriter.write("chat", List.of(), ""));
        assertEquals("LHTTP/1.0 chat\r\n\r\nhi", MessageWriter.write("chat", List.of(), "hi"));
        assertEquals("LHTTP/1.0 chat\r\nk:v\r\n\r\n", MessageWriter.write("chat", List.of(new Header("k", "v")), ""));
    }

    @Test
    void headersWrittenExactlyAsKeptInOrder() {
        List<Header> headers = List.of(
                new Header(" Content-Type ", " json "),
                new Header("upstream", "POST http://h/x"),
                new Header("z", ""),
                new Header("a", "::"),
                new Header("\u00e9", "\u20ac \ud83d\ude00"));
        assertEquals(
                "LHTTP/1.0 c\r\n Content-Type : json \r\nupstream:POST http://h/x\r\nz:\r\na:::\r\n"
                        + "\u00e9:\u20ac \ud83d\ude00\r\n\r\nbody\r\n\r\n",
                MessageWriter.write("c", headers, "body\r\n\r\n"));
    }

    @Test
    void messageFrameIsTheWritersOutputEncodedOnce() {
        Message m = Message.of("chat", List.of(new Header("publish", "a b")), "hello");
        assertEquals("LHTTP/1.0 chat\r\npublish:a b\r\n\r\nhello", m.frame());
        assertSame(m.frame(), m.frame(), "encoded once, then the same text for every subscriber");
    }

    @Test
    void originalReadmeChatExampleByteForByte() throws Exception {
        String frame = "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_jack\r\n\r\n{to:jack,from:mike}";
        Message m = PARSER.parse(frame);
        assertEquals("chat", m.command());
        assertEquals(List.of(new Header("content-type", "json"), new Header("publish", "channel_jack")), m.headers());
        assertEquals("{to:jack,from:mike}", m.body());
        assertEquals("channel_jack", m.header("publish"));
        assertEquals(frame, m.frame());
        assertEquals(
                frame, Message.of("chat", m.headers(), "{to:jack,from:mike}").frame());
        assertEquals(frame, MessageWriter.write(m.command(), m.headers(), m.body()));
    }

    @Test
    void originalReadmeMultipartExampleByteForByte() throws Exception {
        String frame = "LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2";
        Message m = PARSER.parse(frame);
        assertEquals("upload", m.command());
        assertEquals(List.of(new Header("multipart", "0 14")), m.headers());
        assertEquals("k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2", m.body());
        assertEquals(
                frame,
                Message.of("upload", List.of(new Header("multipart", "0 14")), m.body())
                        .frame());
        // The offsets are UTF-8 byte offsets into this body: part 2 starts at byte 14.
        byte[] body = m.body().getBytes(StandardCharsets.UTF_8);
        assertEquals("k1:v1\r\n\r\nbody1", new String(body, 0, 14, StandardCharsets.UTF_8));
        assertEquals("k2:v2\r\n\r\nbody2", new String(body, 14, body.length - 14, StandardCharsets.UTF_8));
    }

    @Test
    void errorFrameFormat() throws Exception {
        for (int code : new int[] {400, 403, 413, 429, 502, 503, 504}) {
            Message e = Message.error(code, "something went wrong");
            assertEquals("LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:something went wrong\r\n\r\n", e.frame());
            Message back = PARSER.parse(e.frame());
            assertEquals(Integer.toString(code), back.header("code"));
            assertEquals("something went wrong", back.header("reason"));
            assertEquals("", back.body());
        }
    }

    @Test
    void errorReasonWithLineBreaksBecomesOneLine() throws Exception {
        Message e = Message.error(400, "bad\r\nframe\nwith\rbreaks\r\n");
        assertEquals("LHTTP/1.0 error\r\ncode:400\r\nreason:bad  frame with breaks  \r\n\r\n", e.frame());
        Message back = PARSER.parse(e.frame());
        assertEquals(2, back.headers().size());
        assertEquals("", back.body());
    }

    @Test
    void errorReasonThatLooksLikeHeadersStaysInTheReason() throws Exception {
        Message e = Message.error(403, "no\r\n\r\nLHTTP/1.0 evil\r\ncode:200");
        Message back = PARSER.parse(e.frame());
        assertEquals("error", back.command());
        assertEquals("403", back.header("code"));
        assertEquals(2, back.headers().size());
        assertEquals("", back.body());
    }

    @Test
    void emptyErrorReason() {
        assertEquals(
                "LHTTP/1.0 error\r\ncode:400\r\nreason:\r\n\r\n",
                Message.error(400, "").frame());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "a b", "a\tb", "a\r\nb", "a\u0000", "a\u007f", "a\u0085", "\n"})
    void messageRefusesCommandsThatAreNotTokens(String command) {
        assertThrows(IllegalArgumentException.class, () -> Message.of(command, "body"));
    }

    @Test
    void headerRefusesWhatCannotBeWrittenBack() {
        assertThrows(IllegalArgumentException.class, () -> new Header("", "v"));
        assertThrows(IllegalArgumentException.class, () -> new Header("  ", "v"));
        assertThrows(IllegalArgumentException.class, () -> new Header("a:b", "v"));
        assertThrows(IllegalArgumentException.class, () -> new Header("a\r\nb", "v"));
        assertThrows(IllegalArgumentException.class, () -> new Header("k", "a\r\nb"));
        assertThrows(NullPointerException.class, () -> new Header(null, "v"));
        assertThrows(NullPointerException.class, () -> new Header("k", null));
        assertThrows(NullPointerException.class, () -> Message.of("c", List.of(), null));
    }

    @Test
    void messageCopiesItsHeaderList() {
        List<Header> headers = new ArrayList<>(List.of(new Header("k", "v")));
        Message m = Message.of("c", headers, "");
        headers.add(new Header("x", "y"));
        assertEquals(1, m.headers().size());
        assertThrows(UnsupportedOperationException.class, () -> m.headers().clear());
    }

    @Test
    void equalityIsByCommandHeadersAndBody() throws Exception {
        Message a = Message.of("c", List.of(new Header("k", "v")), "b");
        Message parsed = PARSER.parse("LHTTP/1.0 c\r\nk:v\r\n\r\nb");
        assertEquals(a, parsed);
        assertEquals(a.hashCode(), parsed.hashCode());
        assertNotEquals(a, Message.of("c", List.of(new Header("K", "v")), "b"), "keys are kept, not normalised");
        assertNotEquals(a, Message.of("c", List.of(new Header("k", " v")), "b"));
        assertNotEquals(a, Message.of("d", List.of(new Header("k", "v")), "b"));
        assertNotEquals(a, Message.of("c", List.of(new Header("k", "v")), "b "));
        assertFalse(a.toString().isEmpty());
    }

    @Test
    void headerIsMatchesTrimmedKeyIgnoringCase() {
        Header h = new Header("  Publish\t", " a ");
        assertEquals(true, h.is("publish"));
        assertEquals(true, h.is("PUBLISH"));
        assertEquals(false, h.is("publis"));
        assertEquals(false, h.is("publishx"));
        assertEquals("a", h.trimmedValue());
    }

    @Test
    void partHeaderLookupLikeMessage() {
        Part p = new Part(List.of(new Header("k", "1"), new Header(" K ", " 2 ")), "body");
        assertEquals("2", p.header("k"));
        assertEquals(null, p.header("x"));
        assertThrows(UnsupportedOperationException.class, () -> p.headers().clear());
    }
}
