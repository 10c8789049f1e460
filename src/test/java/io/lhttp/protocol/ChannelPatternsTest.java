package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelPatternsTest {

    @Test
    void exactNamesAndPrefixes() {
        ChannelPatterns p = ChannelPatterns.of(List.of("room-1", "user/alice/*", " team.* "));
        assertTrue(p.matches("room-1"));
        assertFalse(p.matches("room-1x"));
        assertFalse(p.matches("room-"));
        assertTrue(p.matches("user/alice/inbox"));
        assertFalse(p.matches("user/alice"));
        assertFalse(p.matches("user/alicex/inbox"));
        assertTrue(p.matches("team.red"));
        assertFalse(p.matches("teamred"));
    }

    @Test
    void loneStarPermitsEveryChannel() {
        assertTrue(ChannelPatterns.of(List.of("*")).matches("anything.at:all"));
    }

    @Test
    void emptyPermitsNothing() {
        assertTrue(ChannelPatterns.of(List.of()).isEmpty());
        assertFalse(ChannelPatterns.of(List.of(" ")).matches("a"));
        assertFalse(ChannelPatterns.none().matches("a"));
    }

    @Test
    void starOnlyAtTheEnd() {
        for (String bad : List.of("a*b", "*a", "a**", "room 1", "a>", ".a*", "a..b*")) {
            assertThrows(IllegalArgumentException.class, () -> ChannelPatterns.of(List.of(bad)), bad);
        }
    }

    @Test
    void union() {
        ChannelPatterns p = ChannelPatterns.of(List.of("a")).and(ChannelPatterns.of(List.of("b*")));
        assertTrue(p.matches("a"));
        assertTrue(p.matches("bee"));
        assertFalse(p.matches("c"));
    }
}
