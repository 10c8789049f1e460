package io.lhttp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A deny's reason becomes a close reason: no control characters, at most 123 bytes of UTF-8, whole characters. */
class ConnectAnswerReasonTest {

    @Test
    void controlCharactersAreDropped() {
        assertEquals("bannedtoday", ConnectAnswer.reason("banned\r\n\u0000today"));
    }

    @Test
    void longReasonsAreCutToWholeCharactersWithin123Bytes() {
        String cut = ConnectAnswer.reason("é".repeat(100)); // 2 bytes each
        assertEquals(61, cut.length());
        assertEquals(122, cut.getBytes(StandardCharsets.UTF_8).length);
        String emoji = ConnectAnswer.reason("😀".repeat(40)); // 4 bytes, a surrogate pair each
        assertEquals(30 * 2, emoji.length());
        assertEquals("x".repeat(123), ConnectAnswer.reason("x".repeat(500)));
    }
}
