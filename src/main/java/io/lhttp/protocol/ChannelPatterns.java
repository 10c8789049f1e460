package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A set of channels: exact names ({@code room-1}) and prefix patterns
 * ({@code room-*} = every channel whose name starts with {@code room-}; a lone {@code *} = every
 * channel). A {@code *} anywhere but at the end is refused, so a pattern never means more than it
 * reads. What a token permits ({@link #of}), and the lists of the {@code lhttp.history.channels}
 * and {@code lhttp.presence.notify} keys ({@link #parse}). Plain Java, immutable, thread-safe.
 */
public final class ChannelPatterns {

    private static final ChannelPatterns NONE = new ChannelPatterns(Set.of(), List.of(), null);

    private final Set<String> exact;
    private final List<String> prefixes;
    private final String text; // as configured, for parse(); null: shown as the lists

    private ChannelPatterns(Set<String> exact, List<String> prefixes, String text) {
        this.exact = exact;
        this.prefixes = prefixes;
        this.text = text;
    }

    /**
     * A comma-separated list of names and {@code prefix*} patterns as a configuration key holds it,
     * taken as written (the key's reader checks the names); shown as written.
     */
    public static ChannelPatterns parse(String patterns) {
        Set<String> exact = new LinkedHashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (String p : patterns.split(",")) {
            String t = p.trim();
            if (t.endsWith("*")) {
                prefixes.add(t.substring(0, t.length() - 1));
            } else if (!t.isEmpty()) {
                exact.add(t);
            }
        }
        return new ChannelPatterns(Set.copyOf(exact), List.copyOf(prefixes), patterns.trim());
    }

    /** Permits nothing. */
    public static ChannelPatterns none() {
        return NONE;
    }

    /**
     * The patterns from a token claim's entries.
     *
     * @throws IllegalArgumentException naming the entry that is neither a channel name nor {@code <prefix>*}
     */
    public static ChannelPatterns of(Collection<String> entries) {
        Set<String> exact = new LinkedHashSet<>();
        List<String> prefixes = new ArrayList<>();
        for (String raw : entries) {
            String e = raw == null ? "" : raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.endsWith("*")) {
                String prefix = e.substring(0, e.length() - 1);
                if (prefix.indexOf('*') >= 0 || !(prefix.isEmpty() || validPrefix(prefix))) {
                    throw new IllegalArgumentException("bad channel pattern '" + shown(e) + "'");
                }
                prefixes.add(prefix);
            } else if (ChannelNames.isValid(e)) {
                exact.add(e);
            } else {
                throw new IllegalArgumentException("bad channel pattern '" + shown(e) + "'");
            }
        }
        return exact.isEmpty() && prefixes.isEmpty()
                ? NONE
                : new ChannelPatterns(Set.copyOf(exact), List.copyOf(prefixes), null);
    }

    /** Whether {@code channel} (a valid channel name) is one of the names or starts with one of the prefixes. */
    public boolean matches(String channel) {
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

    /** Whether nothing is permitted. */
    public boolean isEmpty() {
        return exact.isEmpty() && prefixes.isEmpty();
    }

    /** The union of both lists. */
    public ChannelPatterns and(ChannelPatterns other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Set<String> e = new LinkedHashSet<>(exact);
        e.addAll(other.exact);
        List<String> p = new ArrayList<>(prefixes);
        p.addAll(other.prefixes);
        return new ChannelPatterns(Set.copyOf(e), List.copyOf(p), null);
    }

    // A prefix is what a channel name may start with: a valid name, or one that only lacks its last character(s),
    // which may end in '.' ("news.*") — the channel rule forbids a trailing '.' only in whole names.
    private static boolean validPrefix(String prefix) {
        return ChannelNames.isValid(prefix) || ChannelNames.isValid(prefix + "x");
    }

    private static String shown(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    @Override
    public String toString() {
        if (text != null) {
            return text;
        }
        List<String> all = new ArrayList<>(exact);
        for (String p : prefixes) {
            all.add(p + "*");
        }
        return String.join(" ", all);
    }
}
