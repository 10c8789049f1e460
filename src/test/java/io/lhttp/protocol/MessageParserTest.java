package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** PROTOCOL.md §1, rule by rule, on the parsing side. */
class MessageParserTest {

    private static final MessageParser PARSER = new MessageParser(Limits.DEFAULTS);

    static Message parse(String frame) throws ProtocolException {
        return PARSER.parse(frame);
    }

    static ProtocolException refused(int code, MessageParser parser, String frame) {
        ProtocolException e = assertThrows(
                ProtocolException.class, () -> parser.parse(frame), () -> "should be refused: " + printable(frame));
        assertEquals(code, e.code(), () -> "code for " + printable(frame) + ": " + e.reason());
        assertFalse(e.reason().isBlank(), "a reason for the client");
        assertFalse(e.reason().contains("\r") || e.reason().contains("\n"), "the reason fits one header line");
        return e;
    }

    static ProtocolException refused(int code, String frame) {
        return refused(code, PARSER, frame);
    }

    static String printable(String s) {
        return s.length() > 80
                ? s.substring(0, 80).replace("\r", "\\r").replace("\n", "\\n") + "..."
                : s.replace("\r", "\\r").replace("\n", "\\n");
    }

    @Nested
    class StartLine {

        @Test
        void commandIsEverythingBetweenTheSpaceAndCrlf() throws Exception {
            Message m = parse("LHTTP/1.0 chat\r\n\r\n");
            assertEquals("chat", m.command());
            assertEquals(List.of(), m.headers());
            assertEquals("", m.body());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "a",
                    "chat",
                    "UPPER",
                    "with-dash_and.dot",
                    "a:b",
                    "x/y@z",
                    "ch\u00e4t",
                    "\u804a\u5929",
                    "\ud83d\ude00",
                    "!#$%&'()*+,;<=>?[]^`{|}~",
                    "LHTTP/1.0"
                })
        void anyTokenWithoutSpacesOrControlsIsACommand(String command) throws Exception {
            assertEquals(command, parse("LHTTP/1.0 " + command + "\r\n\r\n").command());
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.1 chat\r\n\r\n",
                    "LHTTP/2.0 chat\r\n\r\n",
                    "LHTTP/1.00 chat\r\n\r\n",
                    "LHTTP/1 chat\r\n\r\n",
                    "lhttp/1.0 chat\r\n\r\n",
                    "Lhttp/1.0 chat\r\n\r\n",
                    "HTTP/1.0 chat\r\n\r\n",
                    "LHTTP /1.0 chat\r\n\r\n",
                    " LHTTP/1.0 chat\r\n\r\n",
                    "\r\nLHTTP/1.0 chat\r\n\r\n",
                    "\ufeffLHTTP/1.0 chat\r\n\r\n",
                })
        void wrongVersionIs400(String frame) {
            refused(400, frame);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0chat\r\n\r\n",
                    "LHTTP/1.0\tchat\r\n\r\n",
                    "LHTTP/1.0\r\n\r\n",
                    "LHTTP/1.0\r\nk:v\r\n\r\nbody",
                })
        void missingSpaceIs400(String frame) {
            refused(400, frame);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0 \r\n\r\n",
                    "LHTTP/1.0 \r\nk:v\r\n\r\n",
                    "LHTTP/1.0  \r\n\r\n",
                })
        void emptyCommandIs400(String frame) {
            refused(400, frame);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "ch at",
                    " chat",
                    "chat ",
                    "  chat",
                    "ch\tat",
                    "chat\t",
                    "ch\u0000at",
                    "ch\u0001at",
                    "ch\u001bat",
                    "ch\u007fat",
                    "ch\nat",
                    "chat\n",
                    "ch\rat",
                    "chat\u000b",
                    "chat\u000c",
                    // C1 controls are control characters too (Unicode category Cc).
                    "ch\u0080at",
                    "ch\u0085at",
                    "ch\u009fat",
                })
        void commandWithSpaceOrControlCharIs400(String command) {
            refused(400, "LHTTP/1.0 " + command + "\r\n\r\n");
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0 chat",
                    "LHTTP/1.0 chat\n",
                    "LHTTP/1.0 chat\n\n",
                    "LHTTP/1.0 chat\nk:v\n\nbody",
                    "LHTTP/1.0 chat\r",
                    "LHTTP/1.0 chat\n\r",
                    "LHTTP/1.0",
                    "LHTTP/1.0 ",
                    "LHTTP/1.",
                    "L",
                })
        void startLineWithoutCrlfIs400(String frame) {
            refused(400, frame);
        }
    }

    @Nested
    class Headers {

        @Test
        void splitAtTheFirstColonOnly() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\nupstream:POST http://h/x\r\na::b\r\nt:12:30:00\r\n\r\n");
            assertEquals(
                    List.of(
                            new Header("upstream", "POST http://h/x"),
                            new Header("a", ":b"),
                            new Header("t", "12:30:00")),
                    m.headers());
            assertEquals("POST http://h/x", m.header("upstream"));
        }

        @Test
        void keysAndValuesKeptByteForByteInOrder() throws Exception {
            String frame =
                    "LHTTP/1.0 c\r\n Content-Type : json \r\nz:1\r\na:2\r\nM:3\r\nempty:\r\n\tTab\t:\tv\t\r\n\r\n";
            Message m = parse(frame);
            assertEquals(
                    List.of(
                            new Header(" Content-Type ", " json "),
                            new Header("z", "1"),
                            new Header("a", "2"),
                            new Header("M", "3"),
                            new Header("empty", ""),
                            new Header("\tTab\t", "\tv\t")),
                    m.headers());
            assertEquals(frame, MessageWriter.write(m.command(), m.headers(), m.body()));
        }

        @Test
        void interpretationIgnoresCaseAndSpacesAroundKeyAndValue() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\n  SuBsCrIbE  :  a b  \r\n\r\n");
            assertEquals("a b", m.header("subscribe"));
            assertEquals("a b", m.header("SUBSCRIBE"));
            assertEquals("a b", m.header("Subscribe"));
            assertNull(m.header("subscrib"));
            assertNull(m.header("subscribes"));
            assertNull(m.header("sub scribe"));
        }

        @Test
        void repeatedKeyLastCountsAndAllLinesAreKept() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\nk:1\r\nother:x\r\n K :2\r\nk: 3 \r\n\r\n");
            assertEquals("3", m.header("k"));
            assertEquals(4, m.headers().size());
        }

        @Test
        void absentHeaderIsNull() throws Exception {
            assertNull(parse("LHTTP/1.0 c\r\n\r\n").header("publish"));
            assertEquals("", parse("LHTTP/1.0 c\r\npublish:\r\n\r\n").header("publish"));
        }

        @Test
        void headersAreUnmodifiable() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\nk:v\r\n\r\n");
            assertThrows(UnsupportedOperationException.class, () -> m.headers().add(new Header("x", "y")));
            Message none = parse("LHTTP/1.0 c\r\n\r\n");
            assertThrows(
                    UnsupportedOperationException.class, () -> none.headers().add(new Header("x", "y")));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0 c\r\nnocolon\r\n\r\n",
                    "LHTTP/1.0 c\r\nk:v\r\nnocolon\r\n\r\n",
                    // the colon of the body does not belong to the header line
                    "LHTTP/1.0 c\r\nnocolon\r\n\r\nk:v",
                    "LHTTP/1.0 c\r\nnocolon\r\nk:v\r\n\r\n",
                    "LHTTP/1.0 c\r\n \r\n\r\n",
                })
        void headerLineWithoutColonIs400(String frame) {
            refused(400, frame);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0 c\r\n:v\r\n\r\n",
                    "LHTTP/1.0 c\r\n:\r\n\r\n",
                    "LHTTP/1.0 c\r\n :v\r\n\r\n",
                    "LHTTP/1.0 c\r\n   :v\r\n\r\n",
                    "LHTTP/1.0 c\r\n\t:v\r\n\r\n",
                    "LHTTP/1.0 c\r\nk:v\r\n:v\r\n\r\n",
                })
        void headerLineWithEmptyOrBlankKeyIs400(String frame) {
            refused(400, frame);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "LHTTP/1.0 c\r\nk:v",
                    "LHTTP/1.0 c\r\nk:v\n",
                    "LHTTP/1.0 c\r\nk:v\r",
                    "LHTTP/1.0 c\r\nk:v\r\nk2:v2",
                })
        void headerLineWithoutCrlfIs400(String frame) {
            refused(400, frame);
        }

        @Test
        void loneCrAndLfInsideALineAreData() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\nk\r:\nv\r\r\n\r\nbody");
            assertEquals(List.of(new Header("k\r", "\nv\r")), m.headers());
            assertEquals("body", m.body());
        }
    }

    @Nested
    class HeaderLimit {

        private String withHeaders(int n) {
            StringBuilder sb = new StringBuilder("LHTTP/1.0 c\r\n");
            for (int i = 0; i < n; i++) {
                sb.append("h").append(i).append(':').append(i).append("\r\n");
            }
            return sb.append("\r\nbody").toString();
        }

        @Test
        void defaultAllows32HeaderLinesAndRefuses33With413() throws Exception {
            assertEquals(32, Limits.DEFAULT_MAX_HEADERS);
            assertEquals(32, parse(withHeaders(32)).headers().size());
            refused(413, withHeaders(33));
            refused(413, withHeaders(1000));
        }

        @Test
        void configuredLimitIsExact() throws Exception {
            MessageParser parser = new MessageParser(new Limits(1 << 20, 5));
            assertEquals(5, parser.parse(withHeaders(5)).headers().size());
            refused(413, parser, withHeaders(6));
        }

        @Test
        void zeroHeadersAllowed() throws Exception {
            MessageParser parser = new MessageParser(new Limits(1 << 20, 0));
            assertEquals(0, parser.parse(withHeaders(0)).headers().size());
            refused(413, parser, withHeaders(1));
        }

        @Test
        void repeatedKeysCountAsLines() {
            MessageParser parser = new MessageParser(new Limits(1 << 20, 2));
            refused(413, parser, "LHTTP/1.0 c\r\nk:1\r\nk:2\r\nk:3\r\n\r\n");
        }

        @Test
        void headerLookalikesInTheBodyDoNotCount() throws Exception {
            MessageParser parser = new MessageParser(new Limits(1 << 20, 1));
            Message m = parser.parse("LHTTP/1.0 c\r\nk:1\r\n\r\na:1\r\nb:2\r\nc:3\r\n");
            assertEquals(1, m.headers().size());
            assertEquals("a:1\r\nb:2\r\nc:3\r\n", m.body());
        }

        @Test
        void noBlankLineStillCounts() {
            MessageParser parser = new MessageParser(new Limits(1 << 20, 1));
            refused(413, parser, "LHTTP/1.0 c\r\nk:1\r\nk:2\r\n");
        }
    }

    @Nested
    class Body {

        @Test
        void blankLineEndsHeadersAndTheRestIsTheBodyUnchanged() throws Exception {
            String body = "line1\r\nline2\r\n\r\nLHTTP/1.0 inner\r\nk:v\r\n\r\n\u00e9\u20ac\ud83d\ude00\r\n";
            Message m = parse("LHTTP/1.0 c\r\nk:v\r\n\r\n" + body);
            assertEquals(body, m.body());
            assertEquals(List.of(new Header("k", "v")), m.headers());
        }

        @Test
        void bodyMayBeOnlyCrlfs() throws Exception {
            assertEquals("\r\n", parse("LHTTP/1.0 c\r\n\r\n\r\n").body());
            assertEquals("\r\n\r\n", parse("LHTTP/1.0 c\r\nk:v\r\n\r\n\r\n\r\n").body());
            assertEquals(List.of(), parse("LHTTP/1.0 c\r\n\r\n\r\nk:v\r\n").headers());
        }

        @Test
        void emptyBodyAfterBlankLine() throws Exception {
            assertEquals("", parse("LHTTP/1.0 c\r\nk:v\r\n\r\n").body());
        }

        @Test
        void noBlankLineMeansNoBody() throws Exception {
            Message m = parse("LHTTP/1.0 c\r\nk:v\r\n");
            assertEquals("", m.body());
            assertEquals(List.of(new Header("k", "v")), m.headers());
            assertEquals("LHTTP/1.0 c\r\nk:v\r\n\r\n", m.frame(), "serialising adds the blank line");

            Message bare = parse("LHTTP/1.0 c\r\n");
            assertEquals("c", bare.command());
            assertEquals("", bare.body());
            assertEquals("LHTTP/1.0 c\r\n\r\n", bare.frame());
        }

        @Test
        void parsedMessageKeepsTheClientsOwnText() throws Exception {
            String frame = "LHTTP/1.0 c\r\n K : v \r\n\r\nbody";
            assertSame(frame, parse(frame).frame(), "publishing an unchanged request costs no encoding");
        }
    }

    @Nested
    class FrameSize {

        // 1, 2, 3 and 4 UTF-8 bytes a code point
        private static final String[] UNITS = {"a", "\u00e9", "\u20ac", "\ud83d\ude00"};

        /** A valid frame of exactly {@code bytes} UTF-8 bytes whose body is made of {@code unit}s, padded with ASCII. */
        private String frameOfBytes(int bytes, String unit) {
            String head = "LHTTP/1.0 c\r\n\r\n";
            int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
            int room = bytes - head.length();
            StringBuilder sb = new StringBuilder(head);
            for (int i = 0; i < room / unitBytes; i++) {
                sb.append(unit);
            }
            sb.append("x".repeat(room % unitBytes));
            String frame = sb.toString();
            assertEquals(bytes, frame.getBytes(StandardCharsets.UTF_8).length);
            return frame;
        }

        @Test
        void exactlyTheLimitInBytesIsAcceptedOneMoreIs413() throws Exception {
            for (int limit : new int[] {16, 17, 18, 19, 64, 65, 100, 1000, 1001, 1002, 1003}) {
                MessageParser parser = new MessageParser(new Limits(limit, 32));
                for (String unit : UNITS) {
                    assertEquals(
                            frameOfBytes(limit, unit),
                            parser.parse(frameOfBytes(limit, unit)).frame());
                    refused(413, parser, frameOfBytes(limit + 1, unit));
                }
            }
        }

        @Test
        void multiByteCharAcrossTheLimitIs413() {
            MessageParser parser = new MessageParser(new Limits(20, 32));
            String head = "LHTTP/1.0 c\r\n\r\n"; // 15 bytes
            refused(413, parser, head + "abcd\u00e9"); // 16 chars, 21 bytes
            refused(413, parser, head + "abc\ud83d\ude00"); // 20 chars, 22 bytes
            refused(413, parser, head + "abc\u20ac"); // 19 chars, 21 bytes
        }

        @Test
        void fewerCharsThanTheLimitButMoreBytesIs413() {
            MessageParser parser = new MessageParser(new Limits(100, 32));
            String frame = "LHTTP/1.0 c\r\n\r\n" + "\u20ac".repeat(30);
            assertTrue(frame.length() < 100, "under the limit in chars");
            assertTrue(frame.getBytes(StandardCharsets.UTF_8).length > 100, "over the limit in bytes");
            refused(413, parser, frame);

            String emoji = "LHTTP/1.0 c\r\n\r\n" + "\ud83d\ude00".repeat(25);
            assertTrue(emoji.length() < 100);
            refused(413, parser, emoji);
        }

        @Test
        void defaultLimitIs65536Bytes() throws Exception {
            assertEquals(65536, Limits.DEFAULT_MAX_FRAME_BYTES);
            assertEquals(
                    65536, PARSER.parse(frameOfBytes(65536, "\u20ac")).frame().getBytes(StandardCharsets.UTF_8).length);
            refused(413, frameOfBytes(65537, "\u20ac"));
            refused(413, frameOfBytes(65537, "a"));
            refused(413, frameOfBytes(200 * 1024, "a"));
        }

        @Test
        void sizeIsCheckedBeforeAnythingElse() {
            MessageParser parser = new MessageParser(new Limits(10, 32));
            refused(413, parser, "junk that is longer than ten bytes");
        }

        @Test
        void binaryFrameLimitIsInBytes() throws Exception {
            for (String unit : UNITS) {
                MessageParser parser = new MessageParser(new Limits(64, 32));
                byte[] ok = frameOfBytes(64, unit).getBytes(StandardCharsets.UTF_8);
                assertEquals(
                        frameOfBytes(64, unit),
                        parser.parse(ByteBuffer.wrap(ok)).frame());
                byte[] over = frameOfBytes(65, unit).getBytes(StandardCharsets.UTF_8);
                ProtocolException e = assertThrows(ProtocolException.class, () -> parser.parse(ByteBuffer.wrap(over)));
                assertEquals(413, e.code());
            }
        }
    }

    @Nested
    class BinaryFrames {

        private Message parseBytes(byte[] bytes) throws ProtocolException {
            return PARSER.parse(ByteBuffer.wrap(bytes));
        }

        private void refusedBytes(int code, byte[] bytes) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> parseBytes(bytes));
            assertEquals(code, e.code(), e.reason());
        }

        @Test
        void parsedAsUtf8LikeText() throws Exception {
            String frame = "LHTTP/1.0 ch\u00e4t\r\nk\u20ac:v\ud83d\ude00\r\n\r\nb\u00f6dy\r\n";
            Message fromBytes = parseBytes(frame.getBytes(StandardCharsets.UTF_8));
            assertEquals(parse(frame), fromBytes);
            assertEquals(frame, fromBytes.frame());
        }

        @Test
        void readsOnlyTheRemainingBytesAndDoesNotConsumeThem() throws Exception {
            byte[] frame = "junkLHTTP/1.0 c\r\n\r\nbody".getBytes(StandardCharsets.UTF_8);
            ByteBuffer buffer = ByteBuffer.wrap(frame);
            buffer.position(4);
            assertEquals("body", PARSER.parse(buffer).body());
            assertEquals(4, buffer.position());
        }

        @Test
        void directBufferWorks() throws Exception {
            byte[] frame = "LHTTP/1.0 c\r\n\r\n\u20ac".getBytes(StandardCharsets.UTF_8);
            ByteBuffer direct =
                    ByteBuffer.allocateDirect(frame.length).put(frame).flip();
            assertEquals("\u20ac", PARSER.parse(direct).body());
        }

        @Test
        void invalidUtf8Is400() {
            byte[] head = "LHTTP/1.0 c\r\n\r\n".getBytes(StandardCharsets.UTF_8);
            byte[][] bad = {
                {(byte) 0xff},
                {(byte) 0xfe},
                {(byte) 0x80}, // lone continuation byte
                {(byte) 0xc3, 0x28}, // bad continuation
                {(byte) 0xe2, (byte) 0x82}, // truncated 3-byte sequence
                {(byte) 0xf0, (byte) 0x9f, (byte) 0x98}, // truncated 4-byte sequence
                {(byte) 0xc0, (byte) 0xaf}, // overlong '/'
                {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, // overlong '/'
                {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, // UTF-16 surrogate encoded
                {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // above U+10FFFF
            };
            for (byte[] b : bad) {
                byte[] frame = new byte[head.length + b.length];
                System.arraycopy(head, 0, frame, 0, head.length);
                System.arraycopy(b, 0, frame, head.length, b.length);
                refusedBytes(400, frame);
                refusedBytes(400, b);
            }
            byte[] inCommand = {'L', 'H', 'T', 'T', 'P', '/', '1', '.', '0', ' ', (byte) 0xff, '\r', '\n', '\r', '\n'};
            refusedBytes(400, inCommand);
        }

        @Test
        void emptyAndJunkBinaryFramesAre400() {
            refusedBytes(400, new byte[0]);
            refusedBytes(400, new byte[] {0, 0, 0});
            refusedBytes(400, "hello".getBytes(StandardCharsets.UTF_8));
        }
    }

    @Nested
    class Junk {

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "",
                    " ",
                    "\r\n",
                    "\r\n\r\n",
                    "hello",
                    "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
                    "{\"to\":\"jack\"}",
                    "\u0000",
                    "\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000",
                    "\ud83d\ude00",
                    "\ud800",
                    "LHTTP",
                    "LHTTP/1.0 \u0000\r\n\r\n",
                    "chat\r\nk:v\r\n\r\nbody"
                })
        void emptyAndJunkFramesAre400(String frame) {
            refused(400, frame);
        }
    }
}
