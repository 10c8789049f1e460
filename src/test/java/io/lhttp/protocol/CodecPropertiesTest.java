package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** Property-based round trips of the codec, and robustness of the parser against anything. */
class CodecPropertiesTest {

    /** Big enough that no generated message hits a limit. */
    private static final MessageParser ROOMY = new MessageParser(new Limits(1 << 24, 10_000));

    // ---- generators -------------------------------------------------------------------------

    /** Pieces of text, each one code point or one special sequence, weighted towards trouble. */
    private static Arbitrary<String> pieces(boolean colon, boolean space, boolean loneCrLf, boolean crlf) {
        List<Tuple.Tuple2<Integer, Arbitrary<String>>> choices = new ArrayList<>();
        choices.add(Tuple.of(10, Arbitraries.chars().range('!', '~').filter(c -> c != ':').map(String::valueOf)));
        choices.add(Tuple.of(2, Arbitraries.chars().range('\u00a0', '\u00ff').map(String::valueOf)));
        choices.add(Tuple.of(2, Arbitraries.chars().range('\u4e00', '\u4e40').map(String::valueOf)));
        choices.add(Tuple.of(2, Arbitraries.of("\ud83d\ude00", "\ud834\udd1e", "\ud83c\udf89", "\u20ac", "\u2028")));
        if (colon) {
            choices.add(Tuple.of(3, Arbitraries.just(":")));
        }
        if (space) {
            choices.add(Tuple.of(3, Arbitraries.of(" ", "\t")));
        }
        if (loneCrLf) {
            choices.add(Tuple.of(1, Arbitraries.of("\r", "\n")));
        }
        if (crlf) {
            choices.add(Tuple.of(2, Arbitraries.just("\r\n")));
        }
        return Arbitraries.frequencyOf(choices);
    }

    private static Arbitrary<String> text(Arbitrary<String> pieces, int min, int max) {
        return pieces.list().ofMinSize(min).ofMaxSize(max).map(l -> String.join("", l));
    }

    @Provide
    Arbitrary<String> commands() {
        return text(pieces(false, false, false, false), 1, 12);
    }

    @Provide
    Arbitrary<Header> headers() {
        Arbitrary<String> keys = text(pieces(false, true, true, false), 1, 10)
                .filter(k -> !k.isBlank() && !k.contains("\r\n"));
        Arbitrary<String> values = text(pieces(true, true, true, false), 0, 20).filter(v -> !v.contains("\r\n"));
        return Combinators.combine(keys, values).as(Header::new);
    }

    @Provide
    Arbitrary<String> bodies() {
        return text(pieces(true, true, true, true), 0, 40);
    }

    @Provide
    Arbitrary<Message> messages() {
        return Combinators.combine(commands(), headers().list().ofMaxSize(8), bodies()).as(Message::of);
    }

    /** Strings that look like frames to various depths, so the parser is exercised past its first check. */
    @Provide
    Arbitrary<String> frameLike() {
        Arbitrary<String> anything = Arbitraries.strings().ofMaxLength(60);
        Arbitrary<String> prefixed = anything.map(s -> "LHTTP/1.0 " + s);
        Arbitrary<String> framePieces = text(pieces(true, true, true, true), 0, 30).map(s -> "LHTTP/1.0 " + s);
        Arbitrary<String> cut = Combinators.combine(messages(), Arbitraries.integers().between(0, 1000),
                Arbitraries.integers().between(0, 1000)).as((m, a, b) -> {
                    String f = m.frame();
                    int from = a % (f.length() + 1);
                    int to = from + b % (f.length() - from + 1);
                    return f.substring(0, from) + f.substring(to);
                });
        Arbitrary<String> inserted = Combinators.combine(messages(), Arbitraries.integers().between(0, 1000),
                Arbitraries.of("\r", "\n", "\r\n", ":", " ", "\u0000", "\r\n\r\n", "\ud800")).as((m, a, s) -> {
                    String f = m.frame();
                    int at = a % (f.length() + 1);
                    return f.substring(0, at) + s + f.substring(at);
                });
        return Arbitraries.oneOf(anything, prefixed, framePieces, cut, inserted);
    }

    // ---- round trips ------------------------------------------------------------------------

    @Property(tries = 1000)
    void parseOfWriteIsTheMessage(@ForAll("messages") Message m) throws ProtocolException {
        String frame = MessageWriter.write(m.command(), m.headers(), m.body());
        assertEquals(frame, m.frame());
        Message back = ROOMY.parse(frame);
        assertEquals(m, back);
        assertEquals(m.command(), back.command());
        assertEquals(m.headers(), back.headers());
        assertEquals(m.body(), back.body());
    }

    @Property(tries = 1000)
    void writeOfParseIsTheFrame(@ForAll("commands") String command, @ForAll("rawHeaderLines") List<String> lines,
            @ForAll("bodies") String body) throws ProtocolException {
        String frame = "LHTTP/1.0 " + command + "\r\n" + String.join("", lines) + "\r\n" + body;
        Message m = ROOMY.parse(frame);
        assertEquals(frame, MessageWriter.write(m.command(), m.headers(), m.body()));
        assertEquals(lines.size(), m.headers().size());
    }

    @Property(tries = 500)
    void frameWithoutBlankLineGainsOneOnWriting(@ForAll("commands") String command,
            @ForAll("rawHeaderLines") List<String> lines) throws ProtocolException {
        String frame = "LHTTP/1.0 " + command + "\r\n" + String.join("", lines);
        Message m = ROOMY.parse(frame);
        assertEquals("", m.body());
        assertEquals(frame + "\r\n", m.frame());
    }

    /** Header lines as a client might type them: any key and value, colons and spaces anywhere after the first colon. */
    @Provide
    Arbitrary<List<String>> rawHeaderLines() {
        return headers().map(h -> h.key() + ":" + h.value() + "\r\n").list().ofMaxSize(8);
    }

    @Property(tries = 500)
    void headerLookupIsLastCaseInsensitiveTrimmedMatch(@ForAll("messages") Message m,
            @ForAll @IntRange(min = 0, max = 100) int pick, @ForAll boolean upper) {
        if (m.headers().isEmpty()) {
            return;
        }
        String key = m.headers().get(pick % m.headers().size()).key().trim();
        String name = upper ? key.toUpperCase(Locale.ROOT) : key.toLowerCase(Locale.ROOT);
        if (!name.equalsIgnoreCase(key) || name.length() != key.length()) {
            return; // case mapping that changes length (e.g. German sharp s) is not a case-insensitive match
        }
        String expected = null;
        for (Header h : m.headers()) {
            if (h.key().trim().equalsIgnoreCase(name)) {
                expected = h.value().trim();
            }
        }
        assertNotNull(expected);
        assertEquals(expected, m.header(name));
    }

    // ---- limits -----------------------------------------------------------------------------

    @Property(tries = 500)
    void frameIsAcceptedExactlyWhenItsUtf8BytesFit(@ForAll("messages") Message m,
            @ForAll @IntRange(min = -4, max = 4) int delta) {
        String frame = m.frame();
        byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
        int limit = Math.max(1, bytes.length + delta);
        MessageParser parser = new MessageParser(new Limits(limit, 10_000));
        boolean fits = bytes.length <= limit;
        for (boolean binary : new boolean[] {false, true}) {
            try {
                Message back = binary ? parser.parse(ByteBuffer.wrap(bytes)) : parser.parse(frame);
                assertTrue(fits, () -> bytes.length + " bytes accepted with limit " + limit);
                assertEquals(m, back);
            } catch (ProtocolException e) {
                assertTrue(!fits && e.code() == 413, () -> bytes.length + " bytes, limit " + limit + ": " + e.code());
            }
        }
    }

    @Property(tries = 500)
    void headerCountIsAcceptedExactlyUpToTheLimit(@ForAll("messages") Message m,
            @ForAll @IntRange(min = 0, max = 10) int maxHeaders) {
        MessageParser parser = new MessageParser(new Limits(1 << 24, maxHeaders));
        try {
            assertEquals(m, parser.parse(m.frame()));
            assertTrue(m.headers().size() <= maxHeaders);
        } catch (ProtocolException e) {
            assertEquals(413, e.code());
            assertTrue(m.headers().size() > maxHeaders);
        }
    }

    @Property(tries = 500)
    void utf8LengthIsTheEncodersByteCount(@ForAll("bodies") String s) {
        int bytes = s.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(bytes, Utf8.length(s));
        assertEquals(bytes > 10, Utf8.exceeds(s, 10));
        assertEquals(false, Utf8.exceeds(s, bytes));
        if (bytes > 0) {
            assertEquals(true, Utf8.exceeds(s, bytes - 1));
        }
    }

    // ---- robustness -------------------------------------------------------------------------

    @Property(tries = 1000)
    void anyStringIsAMessageOrAProtocolException(@ForAll("frameLike") String frame,
            @ForAll @IntRange(min = 1, max = 200) int maxBytes, @ForAll @IntRange(min = 0, max = 5) int maxHeaders) {
        for (MessageParser parser : new MessageParser[] {ROOMY, new MessageParser(new Limits(maxBytes, maxHeaders))}) {
            try {
                Message m = parser.parse(frame);
                assertNotNull(m);
                assertEquals(m, ROOMY.parse(m.frame()), "what was accepted serialises to an equal message");
            } catch (ProtocolException e) {
                assertTrue(e.code() == 400 || e.code() == 413, () -> "code " + e.code());
            } catch (Throwable t) {
                fail("parser threw " + t + " for " + MessageParserTest.printable(frame), t);
            }
        }
    }

    @Property(tries = 500)
    void anyBytesAreAMessageOrAProtocolException(@ForAll byte[] bytes, @ForAll boolean withStartLine) {
        byte[] frame = bytes;
        if (withStartLine) {
            byte[] head = "LHTTP/1.0 c\r\n".getBytes(StandardCharsets.UTF_8);
            frame = new byte[head.length + bytes.length];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(bytes, 0, frame, head.length, bytes.length);
        }
        try {
            assertNotNull(ROOMY.parse(ByteBuffer.wrap(frame)));
        } catch (ProtocolException e) {
            assertTrue(e.code() == 400 || e.code() == 413, () -> "code " + e.code());
        } catch (Throwable t) {
            fail("parser threw " + t, t);
        }
    }
}
