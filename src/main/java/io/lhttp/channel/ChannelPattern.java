package io.lhttp.channel;

import java.util.ArrayList;
import java.util.List;

/** A comma-separated list of channel names and {@code prefix*} patterns, as in {@code lhttp.history.channels}. */
public final class ChannelPattern {

    /** Covers no channel. */
    public static final ChannelPattern NONE = new ChannelPattern("");

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();
    private final String text;

    public ChannelPattern(String patterns) {
        for (String p : patterns.split(",")) {
            String t = p.trim();
            if (t.endsWith("*")) {
                prefixes.add(t.substring(0, t.length() - 1));
            } else if (!t.isEmpty()) {
                exact.add(t);
            }
        }
        this.text = patterns.trim();
    }

    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    public boolean covers(String channel) {
        if (exact.contains(channel)) {
            return true;
        }
        for (String p : prefixes) {
            if (channel.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
