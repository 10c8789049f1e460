package io.lhttp.protocol;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Channel names (PROTOCOL.md §1 limits): 1 to 128 characters of {@code A-Z a-z 0-9 _ - . : @ /},
 * with no leading, trailing or doubled {@code .}. The rule keeps NATS wildcards ({@code *},
 * {@code >}) and empty subject tokens out of the cluster bus, so a client can never subscribe to
 * more than it names.
 */
public final class ChannelNames {

    /** Longest channel name accepted. */
    public static final int MAX_LENGTH = 128;

    private ChannelNames() {}

    public static boolean isValid(String name) {
        int n = name.length();
        if (n == 0 || n > MAX_LENGTH || name.charAt(0) == '.' || name.charAt(n - 1) == '.') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '_'
                    || c == '-'
                    || c == ':'
                    || c == '@'
                    || c == '/'
                    || (c == '.' && name.charAt(i - 1) != '.');
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * The channels named in a {@code subscribe}, {@code publish} or {@code unsubscribe} value:
     * names separated by spaces, each valid, repeated names once, in order.
     *
     * @throws ProtocolException 400 when a name is invalid or none is given
     */
    public static List<String> parseList(String value) throws ProtocolException {
        // A set: one frame may name thousands of channels, and a list's contains() made that quadratic.
        Set<String> channels = new LinkedHashSet<>(4);
        int n = value.length();
        int i = 0;
        while (i < n) {
            while (i < n && value.charAt(i) == ' ') {
                i++;
            }
            int start = i;
            while (i < n && value.charAt(i) != ' ') {
                i++;
            }
            if (i > start) {
                String name = value.substring(start, i);
                if (!isValid(name)) {
                    throw new ProtocolException(400, "bad channel name '" + abbreviate(name) + "'");
                }
                channels.add(name);
            }
        }
        if (channels.isEmpty()) {
            throw new ProtocolException(400, "no channel named");
        }
        return new ArrayList<>(channels);
    }

    private static String abbreviate(String name) {
        String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
        StringBuilder sb = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            sb.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
