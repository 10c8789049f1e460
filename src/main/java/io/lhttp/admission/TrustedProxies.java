package io.lhttp.admission;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The {@code lhttp.trusted-proxies} rule: which address a request counts as coming from. The
 * direct peer, unless it is a trusted proxy; then the rightmost {@code X-Forwarded-For} entry that
 * is not itself a trusted proxy (entries further left were written by the client and prove
 * nothing). Plain Java, no servlet types, so that it is unit-tested alone.
 *
 * <p>Entries are IP addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}); host
 * names are refused, so that parsing never does a DNS lookup. Empty = trust no one: the header is
 * ignored.
 */
public final class TrustedProxies {

    private static final TrustedProxies NONE = new TrustedProxies(List.of(), "");

    private final List<Block> blocks;
    private final String text;

    private TrustedProxies(List<Block> blocks, String text) {
        this.blocks = blocks;
        this.text = text;
    }

    /** No trusted proxy: the direct peer is always the client. */
    public static TrustedProxies none() {
        return NONE;
    }

    /**
     * Parses a comma-separated list of addresses and CIDR blocks.
     *
     * @throws IllegalArgumentException naming the entry that is not an address or block
     */
    public static TrustedProxies parse(String list) {
        List<Block> blocks = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (String raw : list.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            blocks.add(Block.parse(entry));
            shown.add(entry);
        }
        return blocks.isEmpty() ? NONE : new TrustedProxies(List.copyOf(blocks), String.join(",", shown));
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether {@code address} (an IP literal) lies in one of the trusted blocks; false for anything else. */
    public boolean trusts(String address) {
        if (blocks.isEmpty()) {
            return false;
        }
        byte[] bytes = literal(address);
        if (bytes == null) {
            return false;
        }
        for (Block b : blocks) {
            if (b.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client address of a request from {@code peer} carrying these {@code X-Forwarded-For}
     * header values (in the order received; each may hold a comma-separated list).
     */
    public String clientAddress(String peer, List<String> forwardedFor) {
        if (!trusts(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        for (String value : forwardedFor) {
            if (value == null) {
                continue;
            }
            for (String hop : value.split(",")) {
                hops.add(hop.trim());
            }
        }
        String client = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = normalise(hops.get(i));
            if (hop == null) {
                return client; // garbage from further left is not an address: stop at the last trusted hop's word
            }
            client = hop;
            if (!trusts(hop)) {
                return hop;
            }
        }
        return client; // every hop a trusted proxy: the leftmost is as close to the client as we know
    }

    /** Same as {@link #clientAddress(String, List)} for a servlet header enumeration. */
    public String clientAddress(String peer, Enumeration<String> forwardedFor) {
        if (!trusts(peer) || forwardedFor == null) {
            return peer;
        }
        List<String> values = new ArrayList<>();
        while (forwardedFor.hasMoreElements()) {
            values.add(forwardedFor.nextElement());
        }
        return clientAddress(peer, values);
    }

    @Override
    public String toString() {
        return blocks.isEmpty() ? "none" : text;
    }

    /** An X-Forwarded-For entry as a plain IP string, or null when it is not an IP literal. */
    private static String normalise(String hop) {
        String h = hop;
        if (h.startsWith("[") && h.contains("]")) {
            h = h.substring(1, h.indexOf(']')); // [v6]:port
        } else if (h.indexOf(':') > 0 && h.indexOf(':') == h.lastIndexOf(':') && h.indexOf('.') > 0) {
            h = h.substring(0, h.indexOf(':')); // v4:port
        }
        byte[] bytes = literal(h);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /**
     * The bytes of an IPv4 or IPv6 literal, or null. Checked by hand before {@link InetAddress}
     * sees it, because given a host name InetAddress would resolve it.
     */
    static byte[] literal(String s) {
        if (s == null || s.isEmpty() || s.length() > 45) {
            return null;
        }
        boolean v6 = s.indexOf(':') >= 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c == '.'
                    || (c >= '0' && c <= '9')
                    || (v6 && (c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
            if (!ok) {
                return null;
            }
        }
        if (!v6) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                if (parts[i].isEmpty() || parts[i].length() > 3) {
                    return null;
                }
                int v = Integer.parseInt(parts[i]);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }
        try {
            // Only hex digits, colons and dots got here: a literal, so no lookup. ::ffff:a.b.c.d comes back as IPv4.
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Block(byte[] network, int prefix) {

        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String addr = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes = literal(addr);
            if (bytes == null) {
                throw new IllegalArgumentException("'" + entry + "' is not an IP address or CIDR block");
            }
            int bits = bytes.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                String p = entry.substring(slash + 1);
                if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > bits) {
                    throw new IllegalArgumentException("'" + entry + "': prefix length must be 0-" + bits);
                }
                prefix = Integer.parseInt(p);
            }
            return new Block(mask(bytes, prefix), prefix);
        }

        boolean contains(byte[] address) {
            return address.length == network.length && java.util.Arrays.equals(mask(address, prefix), network);
        }

        private static byte[] mask(byte[] address, int prefix) {
            byte[] m = address.clone();
            for (int i = 0; i < m.length; i++) {
                int keep = Math.max(0, Math.min(8, prefix - i * 8));
                m[i] = (byte) (m[i] & (0xff << (8 - keep)));
            }
            return m;
        }
    }
}
