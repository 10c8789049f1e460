package io.lhttp.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelPatternsTest {

    @Test
    void exactNamesAndPrefixes() {
        ChannelPatterns p = ChannelPatterns.of(List.of("room-1", "user/alice/*", " team.* "));
        assertTrue(p.permits("room-1"));
        assertFalse(p.permits("room-1x"));
        assertFalse(p.permits("room-"));
        assertTrue(p.permits("user/alice/inbox"));
        assertFalse(p.permits("user/alice"));
        assertFalse(p.permits("user/alicex/inbox"));
        assertTrue(p.permits("team.red"));
        assertFalse(p.permits("teamred"));
    }

    @Test
    void loneStarPermitsEveryChannel() {
        assertTrue(ChannelPatterns.of(List.of("*")).permits("anything.at:all"));
    }

    @Test
    void emptyPermitsNothing() {
        assertTrue(ChannelPatterns.of(List.of()).isEmpty());
        assertFalse(ChannelPatterns.of(List.of(" ")).permits("a"));
        assertFalse(ChannelPatterns.none().permits("a"));
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
        assertTrue(p.permits("a"));
        assertTrue(p.permits("bee"));
        assertFalse(p.permits("c"));
    }
}
