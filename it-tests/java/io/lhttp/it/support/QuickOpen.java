package io.lhttp.it.support;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.testkit.RawWebSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Issue 18: during and after an attack a new client's connection opens (handshake done) within 1 s, and is served. */
public final class QuickOpen {

    public static final Duration OPENS_WITHIN = Duration.ofSeconds(1);

    private QuickOpen() {}

    public static void assertOpensWithinASecond(URI wsUri) throws Exception {
        long t0 = System.nanoTime();
        try (RawWebSocket ws = RawWebSocket.connect(wsUri, Duration.ofSeconds(30))) {
            long took = System.nanoTime() - t0;
            assertTrue(
                    took <= OPENS_WITHIN.toNanos(),
                    "a new connection opened in " + took / 1_000_000 + " ms, more than " + OPENS_WITHIN.toMillis()
                            + " ms");
            ws.readTimeout(NormalChat.ROUND_TRIP);
            ws.send(frame("echo", "", "new"));
            String[] got = {null};
            ws.readFrame((b, o, l) -> got[0] = new String(b, o, l, StandardCharsets.UTF_8));
            assertEquals(frame("echo", "", "new"), got[0], "the new connection is served");
        }
    }
}
