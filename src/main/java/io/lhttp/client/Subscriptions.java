package io.lhttp.client;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the client has subscribed, as the server will apply it, so that a reconnect can ask for it
 * again; with recovery (PROTOCOL.md §2.2) also each positioned channel's last position and which
 * channels still wait for their {@code subscribed} answer after a reconnect. Not thread-safe: the
 * client's lock guards it.
 */
final class Subscriptions {

    private static final Set<String> ACTION_HEADERS = Set.of("subscribe", "unsubscribe", "publish");
    /**
     * Not replayed on a re-subscription either: a stale request id, and the recovery headers the
     * client sets itself (as the JS SDK's ACTION_HEADERS).
     */
    private static final Set<String> NOT_REPLAYED = Set.of("request-id", "positions", "since", "presence");

    /** The command and non-action headers of the frame that subscribed a channel. */
    private record Subscription(String command, List<Header> headers, boolean positioned) {}

    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, String> positions = new LinkedHashMap<>(); // channel -> last position seen
    private final Set<String> recovering = new HashSet<>(); // re-subscribed, awaiting `subscribed`

    List<String> channels() {
        return List.copyOf(subscriptions.keySet());
    }

    Map<String, String> positions() {
        return Map.copyOf(positions);
    }

    /** A frame was sent: records its subscribes and unsubscribes. */
    void sent(Message message) {
        List<Header> keep = message.headers().stream()
                .filter(h -> {
                    String key = h.key().trim().toLowerCase(Locale.ROOT);
                    return !ACTION_HEADERS.contains(key) && !NOT_REPLAYED.contains(key);
                })
                .toList();
        boolean positioned = "true".equals(message.header("positions")) || message.header("since") != null;
        for (String channel : split(message.header("subscribe"))) {
            subscriptions.putIfAbsent(channel, new Subscription(message.command(), keep, positioned));
        }
        for (String channel : split(message.header("unsubscribe"))) {
            subscriptions.remove(channel);
            positions.remove(channel);
            recovering.remove(channel);
        }
    }

    /**
     * The frames that subscribe again after a reconnect, in order: one frame per distinct
     * (command, headers), usually one for all channels. A positioned channel with a known position
     * gets a frame of its own with {@code since} (PROTOCOL.md §2.2). Every positioned channel now
     * awaits its {@code subscribed} answer.
     */
    List<Message> resubscription() {
        List<Message> frames = new ArrayList<>();
        Map<Subscription, List<String>> groups = new LinkedHashMap<>();
        recovering.clear();
        for (Map.Entry<String, Subscription> e : subscriptions.entrySet()) {
            String channel = e.getKey();
            Subscription s = e.getValue();
            if (s.positioned()) {
                recovering.add(channel);
                String since = positions.get(channel);
                if (since != null) {
                    List<Header> headers = new ArrayList<>(s.headers());
                    headers.add(new Header("since", since));
                    headers.add(new Header("subscribe", channel));
                    frames.add(Message.of(s.command(), headers, ""));
                    continue;
                }
            }
            groups.computeIfAbsent(s, k -> new ArrayList<>()).add(channel);
        }
        groups.forEach((s, channels) -> {
            List<Header> headers = new ArrayList<>(s.headers());
            if (s.positioned()) {
                headers.add(new Header("positions", "true"));
            }
            headers.add(new Header("subscribe", String.join(" ", channels)));
            frames.add(Message.of(s.command(), headers, ""));
        });
        return frames;
    }

    /** The server's {@code subscribed} answer for a channel: keeps its position; true when it was awaited after a reconnect. */
    boolean answered(String channel, String position) {
        if (position != null && subscriptions.containsKey(channel)) {
            positions.put(channel, position);
        }
        return recovering.remove(channel);
    }

    /**
     * A delivered frame's position counts for the one positioned channel among those it was
     * published to. The server inserts its position as the first header line; a publisher's own
     * {@code position} header comes later.
     */
    void delivered(Message message, String position) {
        String mine = null;
        for (String channel : split(message.header("publish"))) {
            Subscription s = subscriptions.get(channel);
            if (s != null && s.positioned()) {
                if (mine != null && !mine.equals(channel)) {
                    return; // published to several of ours at once: it moves none of them
                }
                mine = channel;
            }
        }
        if (mine != null) {
            positions.put(mine, position);
        }
    }

    /** The position the server put first on a delivered frame, or null. */
    static String position(Message message) {
        List<Header> headers = message.headers();
        if (headers.isEmpty() || !headers.get(0).key().trim().equalsIgnoreCase("position")) {
            return null;
        }
        return headers.get(0).value().trim();
    }

    static List<String> split(String value) {
        return value == null
                ? List.of()
                : Arrays.stream(value.trim().split("\\s+"))
                        .filter(s -> !s.isEmpty())
                        .toList();
    }
}
