package io.lhttp.upstream;

import io.lhttp.config.Secrets;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The URL prefixes an {@code upstream} header may call ({@code lhttp.upstream.allow}).
 *
 * <p>Matching works on the parsed URL, never on its text, so it cannot be fooled by look-alikes:
 * scheme and host are compared exactly (ignoring case), the port explicitly or by its scheme's
 * default, and the path by whole segments ({@code /api} allows {@code /api} and {@code /api/x},
 * not {@code /apix}). URLs with user info ({@code http://good@evil/}), dot segments, or
 * percent-encoded dots, slashes, backslashes, percent signs or NULs in the path are refused
 * outright, whatever the list says: a server behind the prefix might decode them into a path
 * outside it.
 *
 * <p>Look-alikes are refused too, not normalised (decided, docs/SECURITY.md): a path must be
 * ASCII, and may not hold a percent-encoded byte at or above {@code 0x80} (overlong UTF-8 dots
 * such as {@code %c0%ae}, the encoded one-dot leader U+2024 or fullwidth full stop U+FF0E), an
 * encoded control character, or an encoded {@code ;} ({@code %3b}, which some servers decode
 * before dropping {@code ;params}). Normalising would mean guessing how each backend decodes;
 * refusing means no backend ever sees such a path through us. Plain Java, immutable, thread-safe.
 */
public final class AllowList {

    private final List<Prefix> prefixes;

    private AllowList(List<Prefix> prefixes) {
        this.prefixes = List.copyOf(prefixes);
    }

    /**
     * The list from its configuration value: comma-separated {@code http}/{@code https} URL
     * prefixes without user info, query or fragment; blank = empty (nothing allowed).
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    public static AllowList parse(String value) {
        List<Prefix> prefixes = new ArrayList<>();
        if (value != null) {
            for (String entry : value.split(",")) {
                String e = entry.trim();
                if (!e.isEmpty()) {
                    prefixes.add(Prefix.of(e));
                }
            }
        }
        return new AllowList(prefixes);
    }

    /** Whether nothing is allowed: upstream is off. */
    public boolean isEmpty() {
        return prefixes.isEmpty();
    }

    /**
     * The URL to call when {@code url} is under one of the prefixes: scheme and host in lower
     * case, without user info or fragment, the query kept as sent.
     *
     * @throws Refused when the URL is not allowed (the client gets 403)
     * @throws URISyntaxException when it is not a URL at all (the client gets 400)
     */
    public URI check(String url) throws Refused, URISyntaxException {
        Target target = Target.of(new URI(url));
        for (Prefix p : prefixes) {
            if (p.matches(target)) {
                return target.uri();
            }
        }
        String shown = target.scheme + "://" + target.host + ":" + target.port + target.path;
        throw new Refused("URL not allowed: " + (shown.length() > 200 ? shown.substring(0, 200) + "..." : shown));
    }

    @Override
    public String toString() {
        List<String> shown = new ArrayList<>(prefixes.size());
        for (Prefix p : prefixes) {
            shown.add(p.toString());
        }
        return String.join(",", shown);
    }

    /** A URL an allow-list refuses; the message is a one-line reason for the client. */
    public static final class Refused extends Exception {

        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A URL reduced to what matching compares. */
    private record Target(String scheme, String host, int port, String path, String rawQuery, String rawAuthority) {

        static Target of(URI uri) throws Refused, URISyntaxException {
            if (!uri.isAbsolute() || uri.isOpaque()) {
                throw new URISyntaxException(uri.toString(), "not an absolute URL");
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new Refused("only http and https URLs are allowed");
            }
            if (uri.getRawUserInfo() != null) {
                throw new Refused("URLs with user info are not allowed");
            }
            // A null host means the authority is not a plain host name (e.g. percent-encoded or '_').
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new Refused("URL without a plain host name");
            }
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort() == -1 ? defaultPort(scheme) : uri.getPort();
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            checkPath(path);
            String authority = uri.getPort() == -1 ? host : host + ":" + uri.getPort();
            return new Target(scheme, host, port, path, uri.getRawQuery(), authority);
        }

        URI uri() {
            return URI.create(scheme + "://" + rawAuthority + path + (rawQuery == null ? "" : "?" + rawQuery));
        }
    }

    private record Prefix(String scheme, String host, int port, String path) {

        static Prefix of(String entry) {
            Target t;
            try {
                t = Target.of(new URI(entry));
            } catch (URISyntaxException | Refused e) {
                throw new IllegalArgumentException("bad upstream allow-list entry '" + Secrets.maskUrls(entry) + "': "
                        + Secrets.maskUrls(e.getMessage()));
            }
            URI uri = URI.create(entry);
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("bad upstream allow-list entry '" + Secrets.maskUrls(entry)
                        + "': a prefix has no query or fragment");
            }
            // "/api/" and "/api" both mean the segment "api" and everything below it.
            String path = t.path.endsWith("/") ? t.path.substring(0, t.path.length() - 1) : t.path;
            return new Prefix(t.scheme, t.host, t.port, path);
        }

        boolean matches(Target t) {
            return scheme.equals(t.scheme)
                    && host.equals(t.host)
                    && port == t.port
                    && (path.isEmpty() || t.path.equals(path) || t.path.startsWith(path + "/"));
        }

        @Override
        public String toString() {
            return scheme + "://" + host + ":" + port + path + "/";
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    /** Refuses paths a server behind the prefix could resolve to somewhere outside it. */
    private static void checkPath(String rawPath) throws Refused {
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c > 0x7e || c < 0x20) {
                // java.net.URI lets other Unicode characters through; U+2024 or U+FF0E are dots to some servers.
                throw new Refused("URL path with a non-ASCII or control character is not allowed");
            }
            if (c == '%' && i + 2 < rawPath.length()) {
                int hi = Character.digit(rawPath.charAt(i + 1), 16);
                int lo = Character.digit(rawPath.charAt(i + 2), 16);
                int b = hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
                if (b >= 0x80 || (b >= 0 && b < 0x20) || b == 0x7f) {
                    throw new Refused("URL path with an encoded non-ASCII or control byte is not allowed");
                }
                if (b == ';') {
                    throw new Refused("URL path with an encoded ';' is not allowed");
                }
            }
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        for (String encoded : new String[] {"%2e", "%2f", "%5c", "%25", "%00"}) {
            if (lower.contains(encoded)) {
                throw new Refused("URL path with an encoded '.', '/', '\\', '%' or NUL is not allowed");
            }
        }
        if (rawPath.indexOf('\\') >= 0) {
            throw new Refused("URL path with '\\' is not allowed");
        }
        for (String segment : rawPath.split("/", -1)) {
            // Some servers drop ";params" from a segment before resolving it ("..;" is "..").
            int semicolon = segment.indexOf(';');
            String name = semicolon < 0 ? segment : segment.substring(0, semicolon);
            if (name.equals(".") || name.equals("..")) {
                throw new Refused("URL path with '.' or '..' segments is not allowed");
            }
        }
    }
}
