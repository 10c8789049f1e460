package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class UpgradeAttemptTest {

    private static boolean attempt(boolean key, String... upgrade) {
        return UpgradeAttempt.of(Collections.enumeration(List.of(upgrade)), key);
    }

    @Test
    void everySpellingAContainerCouldUpgradeIsAnAttempt() {
        for (String v : new String[] {
            "websocket",
            "WebSocket",
            "WEBSOCKET",
            "websocket,",
            "websocket\t",
            " websocket ",
            "foo, websocket",
            "websocket, foo",
            "h2c,websocket",
            "websocket/13",
            "\twebsocket,,"
        }) {
            assertTrue(attempt(false, v), v);
        }
        assertTrue(attempt(false, "foo", "websocket"), "the token in a second Upgrade header");
        assertTrue(attempt(true), "a Sec-WebSocket-Key without any Upgrade header");
        assertTrue(attempt(true, "h2c"), "a Sec-WebSocket-Key with another protocol");
    }

    @Test
    void plainRequestsAreNot() {
        assertFalse(attempt(false));
        assertFalse(attempt(false, "h2c"));
        assertFalse(attempt(false, "", "TLS/1.2"));
    }
}
