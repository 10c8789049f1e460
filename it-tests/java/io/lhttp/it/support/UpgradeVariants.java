package io.lhttp.it.support;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lhttp.it.security.RawHttp;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code Upgrade} headers an attacker's script writes instead of the plain {@code websocket}
 * (issue 18): containers trim and split the header and upgrade several of them, so the origin
 * rule and the per-address limit must see them too (io.lhttp.admission.UpgradeAttempt).
 */
public final class UpgradeVariants {

    /** Name → the {@code Upgrade}/{@code Connection} lines, each ending in CRLF. */
    public static final Map<String, String> LINES = new LinkedHashMap<>();

    static {
        LINES.put("trailing comma", "Upgrade: websocket,\r\nConnection: Upgrade\r\n");
        LINES.put("trailing tab", "Upgrade: websocket\t\r\nConnection: Upgrade\r\n");
        LINES.put("second token", "Upgrade: foo, websocket\r\nConnection: Upgrade\r\n");
        LINES.put("first of two tokens", "Upgrade: websocket, foo\r\nConnection: keep-alive, Upgrade\r\n");
        LINES.put("mixed case", "Upgrade: WebSocket\r\nConnection: upgrade\r\n");
        LINES.put("two Upgrade headers", "Upgrade: foo\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
        LINES.put("no Upgrade header", "Connection: Upgrade\r\n");
    }

    private UpgradeVariants() {}

    /** Every variant with a foreign {@code Origin} is answered 403 before any upgrade. */
    public static void assertForeignOriginRefused(URI ws) throws IOException {
        for (Map.Entry<String, String> v : LINES.entrySet()) {
            RawHttp.Response r = RawHttp.upgradeWith(ws, v.getValue(), "Origin: http://evil.example");
            assertEquals(403, r.status(), v.getKey() + ": " + r);
            assertNull(r.headers().get("sec-websocket-accept"), "no upgrade for " + v.getKey());
        }
    }

    /**
     * From an address already at its connection limit, every variant is refused: at the handshake
     * (the container does not upgrade it) or with 1013 right after. Returns the variants the
     * container did upgrade (for the log: what the check had to catch).
     */
    public static List<String> assertEachRefusedOverTheLimit(URI ws, InetAddress local, Duration timeout)
            throws IOException {
        List<String> upgraded = new ArrayList<>();
        for (Map.Entry<String, String> v : LINES.entrySet()) {
            RawWebSocket c;
            try {
                c = RawWebSocket.connect(ws, local, timeout, 8192, 0, "", v.getValue());
            } catch (IOException refusedAtTheHandshake) {
                continue;
            }
            try {
                c.readTimeout(timeout);
                upgraded.add(v.getKey());
                try {
                    c.send(frame("echo", "", "over"));
                } catch (IOException closedMeanwhile) {
                    // its close frame is still there to read
                }
                String[] reply = {"ended"};
                c.readFrame(new RawWebSocket.Handler() {
                    @Override
                    public void onText(byte[] buffer, int offset, int length) {
                        reply[0] = new String(buffer, offset, length, StandardCharsets.UTF_8);
                    }

                    @Override
                    public void onClose(int code, String reason) {
                        reply[0] = "close " + code;
                    }
                });
                assertEquals("close 1013", reply[0], v.getKey() + " got past the per-address limit");
            } finally {
                c.close();
            }
        }
        return upgraded;
    }
}
