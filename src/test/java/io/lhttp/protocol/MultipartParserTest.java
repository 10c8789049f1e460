package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.lhttp.fuzz.Fuzz;
import io.lhttp.fuzz.Gen;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartParserTest {

    private final MultipartParser parser = new MultipartParser(8, 4);

    @Test
    void theOriginalReadmeExample() throws Exception {
        List<Part> parts = parser.parse("0 14", "k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
        assertEquals(
                List.of(
                        new Part(List.of(new Header("k1", "v1")), "body1"),
                        new Part(List.of(new Header("k2", "v2")), "body2")),
                parts);
    }

    @Test
    void theOriginalExampleParsedFromItsFrame() throws Exception {
        Message m = new MessageParser(Limits.DEFAULTS)
                .parse("LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
        List<Part> parts = parser.parse(m.header("multipart"), m.body());
        assertEquals("v2", parts.get(1).header("k2"));
        assertEquals("body2", parts.get(1).body());
    }

    @Test
    void aPartStartingWithCrlfHasNoHeaders() throws Exception {
        List<Part> parts = parser.parse("0 7", "\r\nfirst\r\nsecond\r\n");
        assertEquals(new Part(List.of(), "first"), parts.get(0));
        assertEquals(new Part(List.of(), "second\r\n"), parts.get(1));
    }

    @Test
    void partsKeepHeaderLinesAsSentAndBodiesWithCrlf() throws Exception {
        String body = " Name : a b \r\nk:v:w\r\n\r\nline1\r\nline2\r\n\r\nend";
        List<Part> parts = parser.parse("0", body);
        assertEquals(
                List.of(new Header(" Name ", " a b "), new Header("k", "v:w")),
                parts.get(0).headers());
        assertEquals("a b", parts.get(0).header("name"));
        assertEquals("line1\r\nline2\r\n\r\nend", parts.get(0).body());
    }

    @Test
    void emptyPartBodiesAndExtraSpacesBetweenOffsets() throws Exception {
        List<Part> parts = parser.parse("  0   7  ", "a:b\r\n\r\n\r\n");
        assertEquals(List.of(new Part(List.of(new Header("a", "b")), ""), new Part(List.of(), "")), parts);
    }

    @Test
    void offsetsCountUtf8BytesNotChars() throws Exception {
        // "é" is 2 bytes, "€" 3, "😀" 4 (a surrogate pair in Java).
        String p1 = "k:é\r\n\r\n€"; // 1+1+2+2+2+3 = 11 bytes, 8 chars
        String p2 = "\r\n😀x"; // 2+4+1 = 7 bytes
        String p3 = "名:値\r\n\r\n本文"; // 3+1+3+2+2+6 = 17 bytes
        String body = p1 + p2 + p3;
        int o2 = p1.getBytes(StandardCharsets.UTF_8).length;
        int o3 = o2 + p2.getBytes(StandardCharsets.UTF_8).length;
        assertEquals(11, o2);
        assertEquals(18, o3);
        List<Part> parts = parser.parse("0 " + o2 + " " + o3, body);
        assertEquals(new Part(List.of(new Header("k", "é")), "€"), parts.get(0));
        assertEquals(new Part(List.of(), "😀x"), parts.get(1));
        assertEquals(new Part(List.of(new Header("名", "値")), "本文"), parts.get(2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "a", "0 x", "0 1a", "0 -1", "0 +7", "0 1.5", "0\t7", "0 0x7", "０"})
    void nonNumericOrMissingOffsetsAre400(String offsets) {
        assertCode(400, offsets, "\r\nabc\r\ndef");
    }

    @Test
    void offsetsMustStartAtZero() {
        assertCode(400, "1", "x\r\n\r\ny");
        assertCode(400, "2 5", "\r\na\r\nb");
    }

    @Test
    void decreasingOrRepeatedOffsetsAre400() {
        String body = "\r\nab\r\ncd\r\nef";
        assertCode(400, "0 4 2", body);
        assertCode(400, "0 4 4", body);
        assertCode(400, "0 0", body);
    }

    @Test
    void offsetsAtOrBeyondTheEndOfTheBodyAre400() {
        String body = "\r\nab"; // 4 bytes
        assertCode(400, "0 4", body);
        assertCode(400, "0 5", body);
        assertCode(400, "0 99999999999", body);
        assertCode(400, "0 2147483648", body);
        assertCode(400, "0", ""); // an empty body has no part 0 to cut
    }

    @Test
    void offsetsInsideAUtf8SequenceAre400() {
        String body = "\r\né€😀x"; // bytes: 2 CRLF, é 2..3, € 4..6, 😀 7..10, x 11
        assertCode(400, "0 3", body);
        assertCode(400, "0 5", body);
        assertCode(400, "0 6", body);
        assertCode(400, "0 8", body);
        assertCode(400, "0 9", body);
        assertCode(400, "0 10", body);
        assertCode(400, "0 3 4", body);
    }

    @Test
    void anOffsetInsideTheLastCharacterIs400() {
        assertCode(400, "0 3", "\r\né"); // é is bytes 2..3
    }

    @Test
    void aPartWithoutItsBlankLineIs400() {
        assertCode(400, "0", "k:v\r\nbody");
        assertCode(400, "0", "k:v");
        assertCode(400, "0 5", "\r\nabck:v\r\n"); // second part: a header line, no blank line
        assertCode(400, "0 10", "k:v\r\n\r\nab\r\n"); // second part: a lone "\n"
    }

    @Test
    void aBlankLineSplitByAnOffsetDoesNotCount() {
        // "k:v\r\n\r" | "\nbody": the first part's blank line is cut in two.
        assertCode(400, "0 6", "k:v\r\n\r\nbody");
        // "k:v\r" | "\n\r\nbody"
        assertCode(400, "0 4", "k:v\r\n\r\nbody");
    }

    @Test
    void headerLinesOfAPartNeedAColonAndAKey() {
        assertCode(400, "0", "novalue\r\n\r\nbody");
        assertCode(400, "0", " :v\r\n\r\nbody");
        assertCode(400, "0", ":v\r\n\r\nbody");
    }

    @Test
    void moreOffsetsThanTheLimitAre413() throws Exception {
        StringBuilder body = new StringBuilder();
        StringBuilder offsets = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            offsets.append(i == 0 ? "" : " ").append(body.length());
            body.append("\r\n").append(i);
        }
        assertCode(413, offsets.toString(), body.toString());
        // exactly the limit is fine
        String eight = offsets.substring(0, offsets.lastIndexOf(" "));
        assertEquals(8, parser.parse(eight, body.toString()).size());
    }

    @Test
    void theCountIsCheckedBeforeTheNumbers() {
        // A client cannot make the server parse an unbounded offset list: it stops at the limit.
        assertCode(413, "0 1 2 3 4 5 6 7 8 x", "\r\n");
    }

    @Test
    void moreHeaderLinesInAPartThanTheLimitAre413() throws Exception {
        assertCode(413, "0", "a:1\r\nb:2\r\nc:3\r\nd:4\r\ne:5\r\n\r\nbody");
        assertEquals(
                4,
                parser.parse("0", "a:1\r\nb:2\r\nc:3\r\nd:4\r\n\r\nbody")
                        .get(0)
                        .headers()
                        .size());
    }

    @Test
    void theLimitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new MultipartParser(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new MultipartParser(1, -1));
    }

    /** Part bodies and header values of any characters: controls, CR, LF, CRLF, non-ASCII, surrogate pairs. */
    private static String anyText(SplittableRandom r, int min, int max) {
        int n = Gen.size(r, min, max);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0 -> sb.append(Gen.piece(r, Gen.Pieces.BODY));
                case 1 -> sb.appendCodePoint(r.nextInt(0x20));
                case 2 -> sb.appendCodePoint(r.nextInt(0x10000, 0x110000));
                case 3 -> {
                    int c;
                    do {
                        c = r.nextInt(0x10000);
                    } while (Character.isSurrogate((char) c));
                    sb.append((char) c);
                }
                default -> sb.append((char) r.nextInt(0x20, 0x7f));
            }
        }
        return sb.toString();
    }

    record Parts(List<String> bodies, List<String> values) {}

    private static Parts parts(SplittableRandom r) {
        List<String> bodies = new ArrayList<>();
        for (int i = Gen.size(r, 1, 8); i > 0; i--) {
            bodies.add(anyText(r, 0, 12));
        }
        List<String> values = new ArrayList<>();
        for (int i = Gen.size(r, 0, 3); i > 0; i--) {
            values.add(anyText(r, 1, 6));
        }
        return new Parts(bodies, values);
    }

    /** Any parts written with their byte offsets come back as written. */
    @Test
    void roundTrip() {
        Fuzz.forAll(
                300,
                MultipartParserTest::parts,
                p -> p.bodies().stream().map(Gen::show).toList() + " "
                        + p.values().stream().map(Gen::show).toList(),
                p -> {
                    List<String> bodies = p.bodies();
                    List<String> values = p.values();
                    StringBuilder body = new StringBuilder();
                    StringBuilder offsets = new StringBuilder();
                    List<Part> expected = new ArrayList<>();
                    int bytes = 0;
                    for (int i = 0; i < bodies.size(); i++) {
                        List<Header> headers = new ArrayList<>();
                        StringBuilder part = new StringBuilder();
                        for (int j = 0; j < values.size() && i % 2 == 0; j++) {
                            String v = values.get(j).replace("\r", "").replace("\n", "");
                            headers.add(new Header("h" + j, v));
                            part.append("h").append(j).append(':').append(v).append("\r\n");
                        }
                        part.append("\r\n").append(bodies.get(i));
                        expected.add(new Part(headers, bodies.get(i)));
                        offsets.append(i == 0 ? "" : " ").append(bytes);
                        bytes += part.toString().getBytes(StandardCharsets.UTF_8).length;
                        body.append(part);
                    }
                    List<Part> parsed = parser.parse(offsets.toString(), body.toString());
                    assertEquals(expected.size(), parsed.size());
                    for (int i = 0; i < expected.size(); i++) {
                        assertEquals(expected.get(i), parsed.get(i));
                    }
                });
    }

    record Cut(String offsets, String body) {}

    /** Offsets near the body's byte boundaries, or anything at all. */
    private static Cut cut(SplittableRandom r) {
        String body = r.nextBoolean() ? anyText(r, 0, 30) : Gen.body(r);
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        StringBuilder offsets = new StringBuilder();
        int n = Gen.size(r, 0, 10);
        for (int i = 0; i < n; i++) {
            offsets.append(i == 0 ? "" : r.nextInt(4) == 0 ? "  " : " ");
            switch (r.nextInt(6)) {
                case 0 -> offsets.append(i == 0 ? 0 : r.nextInt(bytes + 3));
                case 1 -> offsets.append(bytes + r.nextInt(-2, 3));
                case 2 -> offsets.append(Gen.anything(r, 4).replace(" ", ""));
                case 3 -> offsets.append(r.nextLong(Long.MAX_VALUE));
                default -> offsets.append(i * Math.max(1, bytes / Math.max(1, n)));
            }
        }
        return new Cut(offsets.toString(), body);
    }

    /** Whatever the offsets and body, the parser gives parts that lie inside the body, or 400/413. */
    @Test
    void anyOffsetsGivePartsOrAProtocolException() {
        Fuzz.forAll(1000, MultipartParserTest::cut, c -> Gen.show(c.offsets()) + " on " + Gen.show(c.body()), c -> {
            try {
                List<Part> parts = parser.parse(c.offsets(), c.body());
                assertTrue(!parts.isEmpty() && parts.size() <= 8, "1 to max-parts parts");
                for (Part part : parts) {
                    assertTrue(part.headers().size() <= 4, "at most max-headers per part");
                    assertTrue(c.body().contains(part.body()), "a part's body is a piece of the body");
                }
            } catch (ProtocolException e) {
                assertTrue(e.code() == 400 || e.code() == 413, () -> "code " + e.code());
                assertTrue(!e.reason().isBlank() && !e.reason().contains("\n"), "a one-line reason");
            } catch (Throwable t) {
                fail("parser threw " + t, t);
            }
        });
    }

    private void assertCode(int code, String offsets, String body) {
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> parser.parse(offsets, body),
                () -> "offsets '" + offsets + "' on "
                        + body.replace("\r", "\\r").replace("\n", "\\n"));
        assertEquals(code, e.code(), e.reason());
        assertTrue(!e.reason().isBlank());
    }
}
