package io.lhttp.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code lhttp.allowed-origins} rule: which web pages may open a WebSocket to this server
 * (cross-site WebSocket hijacking is a page on another site connecting with the user's cookies).
 * Plain Java, immutable, thread-safe.
 *
 * <ul>
 *   <li>empty (the default): the server's own origin only: the {@code Origin}'s host and port
 *       must be the request's {@code Host} (default ports 80 and 443 left out on both sides). The
 *       scheme is not compared, so that a TLS-terminating proxy in front ({@code https} page,
 *       plain HTTP to us) keeps working;</li>
 *   <li>{@code *}: any origin, as the original;</li>
 *   <li>a comma-separated list of origins ({@code https://chat.example,http://localhost:8080},
 *       or {@code null} for pages without an origin such as {@code file://}): exactly those.</li>
 * </ul>
 * A request without {@code Origin} (not a browser) passes this rule; {@code lhttp.auth} decides
 * about it.
 */
public final class AllowedOrigins {

    private final boolean any;
    private final Set<String> origins;

    private AllowedOrigins(boolean any, Set<String> origins) {
        this.any = any;
        this.origins = origins;
    }

    /**
     * Parses the configuration value.
     *
     * @throws IllegalArgumentException naming an entry that is not {@code scheme://host[:port]}, {@code null} or {@code *}
     */
    public static AllowedOrigins parse(String value) {
        Set<String> origins = new LinkedHashSet<>();
        boolean any = false;
        for (String raw : (value == null ? "" : value).split(",")) {
            String e = raw.trim();
            if (e.isEmpty()) {
                continue;
            }
            if (e.equals("*")) {
                any = true;
                continue;
            }
            String normal = normalise(e);
            if (normal == null) {
                throw new IllegalArgumentException("bad origin '" + e + "': scheme://host[:port], null or *");
            }
            origins.add(normal);
        }
        return new AllowedOrigins(any, Set.copyOf(origins));
    }

    /** Whether a handshake with this {@code Origin} header (null when absent) and {@code Host} header may go on. */
    public boolean allows(String origin, String host) {
        if (origin == null || any) {
            return true;
        }
        String normal = normalise(origin.trim());
        if (normal == null) {
            return false;
        }
        if (!origins.isEmpty()) {
            return origins.contains(normal);
        }
        if (normal.equals("null") || host == null) {
            return false;
        }
        String authority = normal.substring(normal.indexOf("://") + 3);
        return authority.equals(hostAuthority(host.trim().toLowerCase(Locale.ROOT)));
    }

    /**
     * Whether this {@code Origin} (not null) is the server's own (its host and port are the
     * request's {@code Host}) or one the list names; {@code *} does not count. For what a page may
     * do beyond connecting: {@code POST /publish} (docs/SECURITY.md, "Publishing from a browser").
     */
    public boolean ownOrListed(String origin, String host) {
        String normal = origin == null ? null : normalise(origin.trim());
        if (normal == null) {
            return false;
        }
        if (origins.contains(normal)) {
            return true;
        }
        if (normal.equals("null") || host == null) {
            return false;
        }
        return normal.substring(normal.indexOf("://") + 3)
                .equals(hostAuthority(host.trim().toLowerCase(Locale.ROOT)));
    }

    /** Whether a page's request is from another site by its {@code Origin} or {@code Sec-Fetch-Site}, and not allowed. */
    public boolean refusesCrossSiteWrite(String origin, String secFetchSite, String host) {
        boolean allowed = origin != null && ownOrListed(origin, host);
        if (origin != null && !allowed) {
            return true;
        }
        String site = secFetchSite == null ? "" : secFetchSite.trim().toLowerCase(Locale.ROOT);
        if (site.equals("cross-site")) {
            // Only an origin the operator listed may be another site; the own origin never is.
            String normal = origin == null ? null : normalise(origin.trim());
            return normal == null || !origins.contains(normal);
        }
        return site.equals("same-site") && !allowed;
    }

    /** {@code scheme://host[:port]} in lower case without a default port, {@code null}, or null when not an origin. */
    static String normalise(String origin) {
        if (origin.equals("null")) {
            return "null";
        }
        try {
            URI uri = new URI(origin);
            String scheme = uri.getScheme();
            if (scheme == null
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())
                    || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                return null;
            }
            scheme = scheme.toLowerCase(Locale.ROOT);
            String host = uri.getHost().toLowerCase(Locale.ROOT);
            int port = uri.getPort();
            boolean defaultPort =
                    port == -1 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
            return scheme + "://" + host + (defaultPort ? "" : ":" + port);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static String hostAuthority(String host) {
        if (host.endsWith(":80") || host.endsWith(":443")) {
            return host.substring(0, host.lastIndexOf(':'));
        }
        return host;
    }

    /** Whether any origin is allowed. */
    public boolean isAny() {
        return any;
    }

    @Override
    public String toString() {
        return any ? "*" : origins.isEmpty() ? "same origin" : String.join(",", origins);
    }
}
