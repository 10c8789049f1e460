package io.lhttp.admission;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.Locale;

/**
 * Whether a request is one some container might upgrade to a WebSocket, so the origin rule, the
 * token check and the per-address limit see it before the container does (docs/SECURITY.md,
 * "Upgrade header variants").
 *
 * <p>Containers read the {@code Upgrade} header leniently: Tyrus trims and splits it on commas,
 * Tomcat and Undertow look for a {@code websocket} token among several, in any case, over several
 * {@code Upgrade} headers. So this is deliberately wider than any of them: a request is an attempt
 * when any {@code Upgrade} header mentions {@code websocket} anywhere (any case, any separators
 * or whitespace around it) or when it carries a {@code Sec-WebSocket-Key}. A plain request that
 * happens to match only meets the handshake's checks (origin, token), which a legitimate page
 * request passes or never triggers (browsers send neither header outside a WebSocket handshake).
 */
public final class UpgradeAttempt {

    private UpgradeAttempt() {}

    /** Whether the container could treat this request as a WebSocket upgrade. */
    public static boolean of(HttpServletRequest request) {
        Enumeration<String> upgrade = request.getHeaders("Upgrade");
        Enumeration<String> keys = request.getHeaders("Sec-WebSocket-Key");
        return of(upgrade == null ? Collections.emptyEnumeration() : upgrade, keys != null && keys.hasMoreElements());
    }

    /** The rule itself: any {@code Upgrade} value naming {@code websocket}, or a key present. */
    static boolean of(Enumeration<String> upgradeHeaders, boolean hasKey) {
        if (hasKey) {
            return true;
        }
        while (upgradeHeaders.hasMoreElements()) {
            String value = upgradeHeaders.nextElement();
            if (value != null && value.toLowerCase(Locale.ROOT).contains("websocket")) {
                return true;
            }
        }
        return false;
    }
}
