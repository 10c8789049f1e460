package io.lhttp.processor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the client's WebSocket handshake carried, for processors, filters and
 * {@code ChannelPermissions} beans: the HTTP request headers, the query parameters, the cookies,
 * and the client's address. Immutable; header names are matched ignoring case.
 *
 * <p>The handshake of a browser carries its cookies for this server and its {@code Origin};
 * trust neither beyond what docs/SECURITY.md says: the origin has been checked
 * ({@code lhttp.allowed-origins}), the cookies are whatever the browser holds.
 */
public final class Handshake {

    /** The session user property under which the endpoint's configurator leaves the handshake. */
    public static final String PROPERTY = Handshake.class.getName();

    /** The handshake of a connection whose data the container did not hand over. */
    public static final Handshake NONE = new Handshake(Map.of(), Map.of(), "", Map.of());

    private final Map<String, List<String>> headers;
    private final Map<String, List<String>> parameters;
    private final String remoteAddress;
    private final Map<String, Object> attributes;

    /**
     * @param headers       request headers (names in any case)
     * @param parameters    query parameters
     * @param remoteAddress the client's address (an IP literal), or empty when unknown
     * @param attributes    what the connection's {@link ClientConnection#attributes()} start with (e.g. the
     *                      grant of a token verified at the handshake)
     */
    public Handshake(
            Map<String, List<String>> headers,
            Map<String, List<String>> parameters,
            String remoteAddress,
            Map<String, Object> attributes) {
        TreeMap<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((k, v) -> h.merge(k, List.copyOf(v), (a, b) -> {
            List<String> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        }));
        this.headers = java.util.Collections.unmodifiableMap(h);
        this.parameters = Map.copyOf(parameters.entrySet().stream()
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.copyOf(e.getValue()))));
        this.remoteAddress = remoteAddress == null ? "" : remoteAddress;
        this.attributes = Map.copyOf(attributes);
    }

    /** What the connection's attributes start with. */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /** All request headers; names compare ignoring case. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of request header {@code name} (any case), or null. */
    public String header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** All query parameters. */
    public Map<String, List<String>> parameters() {
        return parameters;
    }

    /** The first value of query parameter {@code name}, or null. */
    public String parameter(String name) {
        List<String> values = parameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The value of cookie {@code name} from the {@code Cookie} headers, or null. */
    public String cookie(String name) {
        List<String> values = headers.get("cookie");
        return values == null ? null : cookie(values, name);
    }

    /** The value of cookie {@code name} in these {@code Cookie} header values (RFC 6265 {@code a=b; c=d}), or null. */
    public static String cookie(Iterable<String> cookieHeaders, String name) {
        for (String header : cookieHeaders) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                    String v = pair.substring(eq + 1).trim();
                    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                            ? v.substring(1, v.length() - 1)
                            : v;
                }
            }
        }
        return null;
    }

    /** The client's address as the server determined it (after {@code lhttp.trusted-proxies}), or empty when unknown. */
    public String remoteAddress() {
        return remoteAddress;
    }

    @Override
    public String toString() {
        return "Handshake[" + remoteAddress + ", "
                + headers.keySet().stream().map(k -> k.toLowerCase(Locale.ROOT)).toList() + "]";
    }
}
