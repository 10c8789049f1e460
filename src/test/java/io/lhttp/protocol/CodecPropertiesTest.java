package io.lhttp.protocol;

import static io.lhttp.fuzz.Fuzz.forAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lhttp.fuzz.Gen;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Property-based round trips of the codec, and robustness of the parser against anything: seeded
 * generators ({@link io.lhttp.fuzz.Fuzz}, {@link Gen}); {@code -Dlhttp.fuzz.tries=N} runs longer,
 * {@code -Dlhttp.fuzz.seed=N} replays a failure.
 */
class CodecPropertiesTest {

    /** Big enough that no generated message hits a limit. */
    private static final MessageParser ROOMY = new MessageParser(new Limits(1 << 24, 10_000));

    private static String show(Message m) {
        return Gen.show(m.frame());
    }

    // ---- round trips ------------------------------------------------------------------------

    @Test
    void parseOfWriteIsTheMessage() {
        forAll(1000, Gen::message, CodecPropertiesTest::show, m -> {
            String frame = MessageWriter.write(m.command(), m.headers(), m.body());
            assertEquals(frame, m.frame());
            Message back = ROOMY.parse(frame);
            assertEquals(m, back);
            assertEquals(m.command(), back.command());
            assertEquals(m.headers(), back.headers());
            assertEquals(m.body(), back.body());
        });
    }

    /** A command, header lines as a client might type them, a body. */
    record Typed(String command, List<String> lines, String body) {
        String frame() {
            return "LHTTP/1.0 " + command + "\r\n" + String.join("", lines) + "\r\n" + body;
        }
    }

    @Test
    void writeOfParseIsTheFrame() {
        forAll(
                1000,
                r -> new Typed(Gen.command(r), Gen.rawHeaderLines(r), Gen.body(r)),
                t -> Gen.show(t.frame()),
                t -> {
                    String frame = t.frame();
                    Message m = ROOMY.parse(frame);
                    assertEquals(frame, MessageWriter.write(m.command(), m.headers(), m.body()));
                    assertEquals(t.lines().size(), m.headers().size());
                });
    }

    @Test
    void frameWithoutBlankLineGainsOneOnWriting() {
        forAll(500, r -> new Typed(Gen.command(r), Gen.rawHeaderLines(r), ""), t -> Gen.show(t.frame()), t -> {
            String frame = "LHTTP/1.0 " + t.command() + "\r\n" + String.join("", t.lines());
            Message m = ROOMY.parse(frame);
            assertEquals("", m.body());
            assertEquals(frame + "\r\n", m.frame());
        });
    }

    record Lookup(Message message, int pick, boolean upper) {}

    @Test
    void headerLookupIsLastCaseInsensitiveTrimmedMatch() {
        forAll(500, r -> new Lookup(Gen.message(r), r.nextInt(101), r.nextBoolean()), l -> show(l.message()), l -> {
            Message m = l.message();
            if (m.headers().isEmpty()) {
                return;
            }
            String key = m.headers().get(l.pick() % m.headers().size()).key().trim();
            String name = l.upper() ? key.toUpperCase(Locale.ROOT) : key.toLowerCase(Locale.ROOT);
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
        });
    }

    // ---- limits -----------------------------------------------------------------------------

    record Sized(Message message, int delta) {}

    @Test
    void frameIsAcceptedExactlyWhenItsUtf8BytesFit() {
        forAll(500, r -> new Sized(Gen.message(r), r.nextInt(-4, 5)), s -> s.delta() + " " + show(s.message()), s -> {
            Message m = s.message();
            String frame = m.frame();
            byte[] bytes = frame.getBytes(StandardCharsets.UTF_8);
            int limit = Math.max(1, bytes.length + s.delta());
            MessageParser parser = new MessageParser(new Limits(limit, 10_000));
            boolean fits = bytes.length <= limit;
            for (boolean binary : new boolean[] {false, true}) {
                try {
                    Message back = binary ? parser.parse(ByteBuffer.wrap(bytes)) : parser.parse(frame);
                    assertTrue(fits, () -> bytes.length + " bytes accepted with limit " + limit);
                    assertEquals(m, back);
                } catch (ProtocolException e) {
                    assertTrue(
                            !fits && e.code() == 413, () -> bytes.length + " bytes, limit " + limit + ": " + e.code());
                }
            }
        });
    }

    record Counted(Message message, int maxHeaders) {}

    @Test
    void headerCountIsAcceptedExactlyUpToTheLimit() {
        forAll(
                500,
                r -> new Counted(Gen.message(r), r.nextInt(11)),
                c -> c.maxHeaders() + " " + show(c.message()),
                c -> {
                    Message m = c.message();
                    MessageParser parser = new MessageParser(new Limits(1 << 24, c.maxHeaders()));
                    try {
                        assertEquals(m, parser.parse(m.frame()));
                        assertTrue(m.headers().size() <= c.maxHeaders());
                    } catch (ProtocolException e) {
                        assertEquals(413, e.code());
                        assertTrue(m.headers().size() > c.maxHeaders());
                    }
                });
    }

    @Test
    void utf8LengthIsTheEncodersByteCount() {
        forAll(500, Gen::body, Gen::show, s -> {
            int bytes = s.getBytes(StandardCharsets.UTF_8).length;
            assertEquals(bytes, Utf8.length(s));
            assertEquals(bytes > 10, Utf8.exceeds(s, 10));
            assertEquals(false, Utf8.exceeds(s, bytes));
            if (bytes > 0) {
                assertEquals(true, Utf8.exceeds(s, bytes - 1));
            }
        });
    }

    // ---- robustness -------------------------------------------------------------------------

    record Limited(String frame, int maxBytes, int maxHeaders) {}

    @Test
    void anyStringIsAMessageOrAProtocolException() {
        forAll(
                1000,
                r -> new Limited(Gen.frameLike(r), r.nextInt(1, 201), r.nextInt(6)),
                l -> l.maxBytes() + "/" + l.maxHeaders() + " " + Gen.show(l.frame()),
                l -> {
                    String frame = l.frame();
                    for (MessageParser parser :
                            new MessageParser[] {ROOMY, new MessageParser(new Limits(l.maxBytes(), l.maxHeaders()))}) {
                        try {
                            Message m = parser.parse(frame);
                            assertNotNull(m);
                            assertEquals(m, ROOMY.parse(m.frame()), "what was accepted serialises to an equal message");
                        } catch (ProtocolException e) {
                            assertTrue(e.code() == 400 || e.code() == 413, () -> "code " + e.code());
                        } catch (Throwable t) {
                            fail("parser threw " + t, t);
                        }
                    }
                });
    }

    record Bytes(byte[] bytes, boolean withStartLine) {
        byte[] frame() {
            if (!withStartLine) {
                return bytes;
            }
            byte[] head = "LHTTP/1.0 c\r\n".getBytes(StandardCharsets.UTF_8);
            byte[] frame = new byte[head.length + bytes.length];
            System.arraycopy(head, 0, frame, 0, head.length);
            System.arraycopy(bytes, 0, frame, head.length, bytes.length);
            return frame;
        }
    }

    @Test
    void anyBytesAreAMessageOrAProtocolException() {
        forAll(500, r -> new Bytes(Gen.bytes(r), r.nextBoolean()), b -> Gen.show(b.frame()), b -> {
            try {
                assertNotNull(ROOMY.parse(ByteBuffer.wrap(b.frame())));
            } catch (ProtocolException e) {
                assertTrue(e.code() == 400 || e.code() == 413, () -> "code " + e.code());
            } catch (Throwable t) {
                fail("parser threw " + t, t);
            }
        });
    }
}
