package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Channel names (PROTOCOL.md §1 limits) and channel lists of subscribe/publish/unsubscribe. */
class ChannelNamesTest {

    private static final String ALLOWED_PUNCTUATION = "_-.:@/";

    private static boolean allowedChar(char c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || ALLOWED_PUNCTUATION.indexOf(c) >= 0;
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a",
                "Z",
                "0",
                "_",
                "-",
                ":",
                "@",
                "/",
                "chat",
                "channel_jack",
                "room-1",
                "a.b",
                "a.b.c",
                "user@example.com",
                "app:room/42",
                "A-Z_a-z.0-9:@/",
                "__",
                "--",
                "//",
                "::",
                "@@",
                "a.-",
                "-.a",
                "/.:"
            })
    void validNames(String name) {
        assertTrue(ChannelNames.isValid(name), name);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                " ",
                "a b",
                " a",
                "a ",
                "\t",
                "a\tb",
                "a\nb",
                "a\r\nb",
                "a\u0000",
                ".",
                "..",
                ".a",
                "a.",
                "a..b",
                "a...b",
                ".a.",
                "*",
                ">",
                "a.*",
                "a.>",
                "*.a",
                "a.b.>",
                "a*",
                "a>b",
                "\u00e9",
                "ch\u00e4t",
                "\u804a\u5929",
                "\ud83d\ude00",
                "a,b",
                "a;b",
                "a#b",
                "a$b",
                "a%b",
                "a+b",
                "a=b",
                "a?b",
                "a!b",
                "a\\b",
                "a\"b",
                "a'b",
                "a(b",
                "a[b]",
                "a{b}",
                "a<b",
                "a|b",
                "a~b",
                "a`b",
                "a^b",
                "a&b",
                "\u00a0",
                "a\u2028b",
                "\uff21"
            })
    void invalidNames(String name) {
        assertFalse(ChannelNames.isValid(name), name);
    }

    @Test
    void everyCharOfTheBasicPlaneIsJudgedByTheAllowedSet() {
        for (int i = 0; i <= 0xffff; i++) {
            char c = (char) i;
            String inside = "a" + c + "a";
            assertEquals(allowedChar(c), ChannelNames.isValid(inside), () -> "U+" + Integer.toHexString(c));
            assertEquals(
                    allowedChar(c) && c != '.',
                    ChannelNames.isValid(String.valueOf(c)),
                    () -> "alone: U+" + Integer.toHexString(c));
        }
    }

    @Test
    void lengthBoundaryIs128() {
        assertEquals(128, ChannelNames.MAX_LENGTH);
        assertTrue(ChannelNames.isValid("a".repeat(128)));
        assertFalse(ChannelNames.isValid("a".repeat(129)));
        assertTrue(ChannelNames.isValid("a.".repeat(63) + "ab"));
        assertFalse(ChannelNames.isValid("a".repeat(100_000)));
    }

    @Test
    void dotsOnlyBetweenOtherChars() {
        assertTrue(ChannelNames.isValid("a.b"));
        assertTrue(ChannelNames.isValid("a.b.c.d"));
        assertFalse(ChannelNames.isValid("a..b"));
        assertFalse(ChannelNames.isValid(".a"));
        assertFalse(ChannelNames.isValid("a."));
        assertFalse(ChannelNames.isValid("a." + "b".repeat(126) + "."));
    }

    @Test
    void listIsSplitAtSpacesInOrder() throws Exception {
        assertEquals(List.of("a"), ChannelNames.parseList("a"));
        assertEquals(List.of("c", "a", "b"), ChannelNames.parseList("c a b"));
        assertEquals(List.of("a", "b"), ChannelNames.parseList("   a     b   "));
        assertEquals(List.of("x.y", "u@h", "p/q:r"), ChannelNames.parseList("x.y u@h p/q:r"));
    }

    @Test
    void duplicatesCollapseToTheFirst() throws Exception {
        assertEquals(List.of("a", "b"), ChannelNames.parseList("a a b a b"));
        assertEquals(List.of("a"), ChannelNames.parseList("a  a   a"));
        assertEquals(List.of("A", "a"), ChannelNames.parseList("A a"), "names are case-sensitive");
    }

    @Test
    void aFrameFullOfDistinctNamesIsParsedWhole() throws Exception {
        // As many names as a 64 KiB frame holds; deduplicating them once took a second per frame.
        String chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-:@/";
        List<String> names = new java.util.ArrayList<>();
        StringBuilder value = new StringBuilder();
        for (int i = 0; value.length() < 65_000; i++) {
            String name = "" + chars.charAt(i % 67) + chars.charAt(i / 67 % 67) + chars.charAt(i / (67 * 67) % 67);
            names.add(name);
            value.append(name).append(' ');
        }
        value.append(value.toString()); // every name twice
        assertEquals(names, ChannelNames.parseList(value.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "     "})
    void emptyListIs400(String value) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ChannelNames.parseList(value));
        assertEquals(400, e.code());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a *",
                "* a",
                "a > b",
                "a b.",
                "a .b",
                "a b..c",
                "good \u00e9vil",
                "a\tb",
                "a\u00a0b",
                "\t",
                "a\u0000"
            })
    void oneBadNameRefusesTheWholeListWith400(String value) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> ChannelNames.parseList(value));
        assertEquals(400, e.code());
    }

    @Test
    void nameLengthBoundaryInALists() throws Exception {
        String max = "m".repeat(128);
        assertEquals(List.of("a", max), ChannelNames.parseList("a " + max));
        ProtocolException e = assertThrows(ProtocolException.class, () -> ChannelNames.parseList("a " + max + "x"));
        assertEquals(400, e.code());
    }

    @Test
    void reasonIsShortAndOneLine() {
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> ChannelNames.parseList("ok " + "\r\n\u0000".repeat(10) + "x".repeat(10_000)));
        assertEquals(400, e.code());
        assertTrue(e.reason().length() < 100, e.reason());
        assertFalse(e.reason().contains("\r")
                || e.reason().contains("\n")
                || e.reason().contains("\u0000"));
    }
}
