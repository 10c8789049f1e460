package io.lhttp.proxy;

import io.lhttp.protocol.ChannelPatterns;
import io.lhttp.security.ConnectDecision;
import io.lhttp.security.Grant;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the connect proxy's answer (docs/PROXY.md): {@code {"allow":true,"user":…,"subscribe":[…],
 * "publish":[…],"info":{…}}} or {@code {"allow":false,"code":4403,"reason":…}}. Anything else is
 * malformed, and a malformed answer refuses the connection like a backend that is down.
 */
final class ConnectAnswer {

    /** Longest user id taken, in characters. */
    static final int MAX_USER_CHARS = 128;
    /** Most channel patterns one list may hold. */
    static final int MAX_PATTERNS = 256;
    /** A WebSocket close reason holds at most 123 bytes of UTF-8. */
    static final int MAX_REASON_BYTES = 123;
    /** The code of a deny without one, or with one outside 4000–4999. */
    static final int DEFAULT_DENY_CODE = 4403;
    /** A proxy-granted connection lasts as long as it is open (tokens bring their own expiry). */
    static final Instant NEVER = Instant.parse("9999-01-01T00:00:00Z");
    /** Connection attribute marking a connection the connect proxy allowed: its channels are the answer's. */
    static final String ALLOWED = ConnectAnswer.class.getName() + ".allowed";

    private ConnectAnswer() {}

    /** The malformed answer's reason. */
    static final class Malformed extends Exception {

        private static final long serialVersionUID = 1L;

        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    static ConnectDecision decision(JsonObject answer, int maxInfoBytes) throws Malformed {
        JsonValue allow = answer.get("allow");
        if (allow == JsonValue.TRUE) {
            String user = string(answer, "user");
            if (user == null || user.isEmpty() || user.length() > MAX_USER_CHARS || hasControl(user)) {
                throw new Malformed("an allow needs \"user\": 1-" + MAX_USER_CHARS + " characters, no controls");
            }
            Map<String, Object> attributes = new HashMap<>();
            attributes.put(ALLOWED, Boolean.TRUE);
            String info = info(answer.get("info"), maxInfoBytes);
            if (info != null) {
                attributes.put(io.lhttp.processor.ClientConnection.INFO_ATTRIBUTE, info);
            }
            Grant grant = new Grant(user, patterns(answer, "subscribe"), patterns(answer, "publish"), NEVER);
            return ConnectDecision.allow(grant, attributes);
        }
        if (allow == JsonValue.FALSE) {
            int code = DEFAULT_DENY_CODE;
            if (answer.get("code") instanceof JsonNumber n && n.isIntegral()) {
                int c = n.intValue();
                code = c >= 4000 && c <= 4999 ? c : DEFAULT_DENY_CODE;
            }
            String reason = string(answer, "reason");
            return ConnectDecision.deny(code, reason(reason == null ? "connection refused by the backend" : reason));
        }
        throw new Malformed("the answer needs \"allow\": true or false");
    }

    private static String string(JsonObject o, String key) throws Malformed {
        JsonValue v = o.get(key);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new Malformed("\"" + key + "\" must be a string");
    }

    private static ChannelPatterns patterns(JsonObject o, String key) throws Malformed {
        JsonValue v = o.get(key);
        if (v == null || v == JsonValue.NULL) {
            return ChannelPatterns.none();
        }
        if (!(v instanceof JsonArray array) || array.size() > MAX_PATTERNS) {
            throw new Malformed("\"" + key + "\" must be an array of at most " + MAX_PATTERNS + " channel patterns");
        }
        List<String> entries = new ArrayList<>(array.size());
        for (JsonValue e : array) {
            if (!(e instanceof JsonString s)) {
                throw new Malformed("\"" + key + "\" must hold strings");
            }
            entries.add(s.getString());
        }
        try {
            return ChannelPatterns.of(entries);
        } catch (IllegalArgumentException e) {
            throw new Malformed("\"" + key + "\": " + e.getMessage());
        }
    }

    /** The public info as compact JSON text, or null; refused when over {@code maxBytes}. */
    static String info(JsonValue v, int maxBytes) throws Malformed {
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        String text = v.toString();
        if (text.getBytes(StandardCharsets.UTF_8).length > maxBytes || text.indexOf('\n') >= 0) {
            throw new Malformed("\"info\" longer than " + maxBytes + " bytes");
        }
        return text;
    }

    /** A close reason: control characters dropped, cut to what a close frame holds. */
    static String reason(String text) {
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isISOControl(cp)) {
                continue;
            }
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_REASON_BYTES) {
                break;
            }
            bytes += n;
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(Character::isISOControl);
    }
}
