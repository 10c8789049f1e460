package io.lhttp.serverapi;

import io.lhttp.processor.ServerApi;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Utf8;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One server API request as it travels between instances: validated where it enters (the Java
 * API or HTTP), then written as {@code key=value} lines (no value can hold a line break: every
 * field is checked for control characters) and read back on each instance.
 *
 * @param op       what to do: {@code disconnect}, {@code subscribe}, {@code unsubscribe}, {@code channels}, {@code info}
 * @param user     the target user, or null
 * @param connection the target connection id, or null
 * @param channels channels of a subscribe or unsubscribe (else empty)
 * @param code     a disconnect's close code (else 0)
 * @param reason   a disconnect's close reason (else "")
 * @param limit    a channels listing's limit (else 0)
 */
record ControlRequest(
        String op, String user, String connection, List<String> channels, int code, String reason, int limit) {

    static final Set<String> OPS = Set.of("disconnect", "subscribe", "unsubscribe", "channels", "info");
    /** Close codes an operator may send: the ordinary ones of RFC 6455 a server sends, and the application range. */
    static final Set<Integer> CLOSE_CODES = Set.of(1000, 1001, 1008, 1011, 1013);

    ControlRequest {
        if (!OPS.contains(op)) {
            throw new IllegalArgumentException("unknown operation '" + op + "'");
        }
        channels = List.copyOf(channels);
        reason = reason == null ? "" : reason;
    }

    static ControlRequest disconnect(ServerApi.Target target, int code, String reason) {
        checkTarget(target);
        if (!CLOSE_CODES.contains(code) && (code < 3000 || code > 4999)) {
            throw new IllegalArgumentException("code must be 1000, 1001, 1008, 1011, 1013 or 3000-4999, not " + code);
        }
        String r = reason == null ? "" : reason;
        if (Utf8.length(r) > ServerApi.MAX_REASON_BYTES || hasControl(r)) {
            throw new IllegalArgumentException(
                    "reason must be at most " + ServerApi.MAX_REASON_BYTES + " UTF-8 bytes without control characters");
        }
        return new ControlRequest("disconnect", target.user(), target.connection(), List.of(), code, r, 0);
    }

    static ControlRequest channelsOf(String op, ServerApi.Target target, List<String> channels) {
        checkTarget(target);
        if (channels == null || channels.isEmpty() || channels.size() > ServerApi.MAX_CHANNELS) {
            throw new IllegalArgumentException("name 1-" + ServerApi.MAX_CHANNELS + " channels");
        }
        for (String c : channels) {
            if (!ChannelNames.isValid(c)) {
                throw new IllegalArgumentException("bad channel name '" + shorten(c) + "'");
            }
        }
        return new ControlRequest(op, target.user(), target.connection(), List.copyOf(channels), 0, "", 0);
    }

    static ControlRequest channelsListing(int limit) {
        if (limit < 1 || limit > ServerApi.MAX_CHANNEL_LIST) {
            throw new IllegalArgumentException("limit must be 1-" + ServerApi.MAX_CHANNEL_LIST);
        }
        return new ControlRequest("channels", null, null, List.of(), 0, "", limit);
    }

    static ControlRequest info() {
        return new ControlRequest("info", null, null, List.of(), 0, "", 0);
    }

    static void checkTarget(ServerApi.Target target) {
        if (target == null) {
            throw new IllegalArgumentException("name either a user or a connection");
        }
        if (target.user() != null) {
            String u = target.user();
            if (u.isEmpty() || u.length() > ServerApi.MAX_USER_LENGTH || hasControl(u)) {
                throw new IllegalArgumentException(
                        "user must be 1-" + ServerApi.MAX_USER_LENGTH + " characters without control characters");
            }
        } else if (!target.connection().matches("[A-Za-z0-9_.:+/=\\-]{1," + ServerApi.MAX_CONNECTION_ID_LENGTH + "}")) {
            throw new IllegalArgumentException("connection must be 1-" + ServerApi.MAX_CONNECTION_ID_LENGTH
                    + " characters of A-Z a-z 0-9 _ . : + / = -");
        }
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    /** The lines sent to the other instances. */
    String encode() {
        StringBuilder b = new StringBuilder("op=").append(op);
        if (user != null) {
            b.append("\nuser=").append(user);
        }
        if (connection != null) {
            b.append("\nconnection=").append(connection);
        }
        if (!channels.isEmpty()) {
            b.append("\nchannels=").append(String.join(" ", channels));
        }
        if (code != 0) {
            b.append("\ncode=").append(code);
        }
        if (!reason.isEmpty()) {
            b.append("\nreason=").append(reason);
        }
        if (limit != 0) {
            b.append("\nlimit=").append(limit);
        }
        return b.toString();
    }

    /** Reads {@link #encode()}'s lines, validating again (another instance may run another version). */
    static ControlRequest decode(String text) {
        Map<String, String> f = lines(text);
        String op = f.getOrDefault("op", "");
        ServerApi.Target target = f.containsKey("user") || f.containsKey("connection")
                ? new ServerApi.Target(f.get("user"), f.get("connection"))
                : null;
        return switch (op) {
            case "disconnect" -> disconnect(target, Integer.parseInt(f.getOrDefault("code", "0")), f.get("reason"));
            case "subscribe", "unsubscribe" ->
                channelsOf(
                        op,
                        target,
                        f.containsKey("channels") ? List.of(f.get("channels").split(" ")) : List.of());
            case "channels" -> channelsListing(Integer.parseInt(f.getOrDefault("limit", "0")));
            case "info" -> info();
            default -> throw new IllegalArgumentException("unknown operation '" + op + "'");
        };
    }

    /** {@code key=value} lines into a map; the first {@code =} splits. */
    static Map<String, String> lines(String text) {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return f;
    }

    /** The channel lines of a {@code channels} answer: {@code channel=<name> <count>}. */
    static List<String> all(String text, String key) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(key + "=")) {
                out.add(line.substring(key.length() + 1));
            }
        }
        return out;
    }
}
