package io.lhttp.upstream;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.ProtocolException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Turns an {@code upstream:<METHOD> <url>} header (PROTOCOL.md §2) into the HTTP request to
 * make: {@code POST} and {@code PUT} carry the message body, {@code GET} none; the message's
 * headers go along as HTTP headers, except those HTTP gives to the client library and, unless
 * configured, the client's credentials and address claims ({@link #SENSITIVE}); the server adds
 * its own headers naming the client ({@link Forwarding}). Plain Java.
 */
public final class UpstreamRequest {

    /** The methods an {@code upstream} header may name. */
    public enum Method {
        GET,
        POST,
        PUT
    }

    /**
     * Headers HTTP gives to the client library, not to the caller: the JDK client refuses to
     * send some (Host, Connection, Content-Length, Expect, Upgrade) and the others are hop-by-hop
     * or framing headers a forwarded value would corrupt.
     */
    static final Set<String> NOT_FORWARDED = Set.of(
            "host",
            "connection",
            "content-length",
            "expect",
            "upgrade",
            "transfer-encoding",
            "te",
            "trailer",
            "keep-alive",
            "proxy-connection",
            "http2-settings");

    /**
     * Headers that carry credentials or claim to say who the client is ({@code auth} is the token
     * header of {@code lhttp.auth}). A client's own are not
     * forwarded unless {@code lhttp.upstream.forward-headers} names them: they would let any
     * client speak to the backend with someone else's cookie, or pose as another address.
     * {@code X-Forwarded-*} and {@code X-Lhttp-*} are matched by prefix; {@code X-Lhttp-*} are the
     * server's own identity headers and are never taken from a client.
     */
    static final Set<String> SENSITIVE = Set.of(
            "authorization",
            "proxy-authorization",
            "cookie",
            "forwarded",
            "x-real-ip",
            "x-client-ip",
            "true-client-ip",
            "auth",
            // Proxies' client-address headers, and request rewrites some frameworks obey (issue 18).
            "client-ip",
            "cf-connecting-ip",
            "fastly-client-ip",
            "x-cluster-client-ip",
            "x-original-url",
            "x-rewrite-url",
            "x-http-method-override",
            "x-http-method",
            "x-method-override");

    /**
     * A header name as a backend may read it: lower case, {@code _} as {@code -}. Some proxies and
     * CGI-style servers (header {@code X_Lhttp_User} becomes {@code HTTP_X_LHTTP_USER}) treat the
     * two alike, so names are compared in this form.
     */
    static String normalised(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Prefix of the server's own identity headers ({@link Forwarding#identity()}). */
    public static final String IDENTITY_PREFIX = "x-lhttp-";

    /**
     * Which sensitive client headers go along, and the identity headers the server adds.
     *
     * @param forward  sensitive header names (lower case) the operator lets through; {@code x-forwarded-for}
     *                 among them makes the server append the client's address to the client's value
     * @param identity headers naming the client as the server knows it (connection id, user, address),
     *                 set after the client's, replacing any of the same name
     */
    public record Forwarding(Set<String> forward, List<Header> identity) {

        /** Nothing sensitive forwarded, nothing added. */
        public static final Forwarding NONE = new Forwarding(Set.of(), List.of());

        public Forwarding {
            forward = Set.copyOf(forward);
            identity = List.copyOf(identity);
        }

        /**
         * The {@code lhttp.upstream.forward-headers} value: comma-separated header names.
         *
         * @throws IllegalArgumentException for a name that is not an HTTP token or is an {@code X-Lhttp-} header
         */
        public static Set<String> parseNames(String value) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            if (value != null) {
                for (String raw : value.split(",")) {
                    String n = normalised(raw);
                    if (n.isEmpty()) {
                        continue;
                    }
                    if (!isToken(n) || n.startsWith(IDENTITY_PREFIX)) {
                        throw new IllegalArgumentException("'" + n + "' cannot be forwarded from clients");
                    }
                    names.add(n);
                }
            }
            return Set.copyOf(names);
        }
    }

    private UpstreamRequest() {}

    /** Whether a client's header is sensitive (see {@link #SENSITIVE}). */
    static boolean isSensitive(String lowerName) {
        return SENSITIVE.contains(lowerName)
                || lowerName.startsWith("x-forwarded-")
                || lowerName.startsWith(IDENTITY_PREFIX);
    }

    /**
     * The request for a message.
     *
     * @param upstream the {@code upstream} header's value (trimmed)
     * @param headers  the message's header lines, all forwarded that HTTP allows
     * @param body     the message body, sent for POST and PUT
     * @param allow    the URL prefixes that may be called
     * @param timeout  how long the request may wait for the response
     * @throws ProtocolException 400 when the value is not {@code <GET|POST|PUT> <absolute URL>},
     *                           403 when the URL is not allowed (or nothing is)
     */
    public static HttpRequest build(
            String upstream, List<Header> headers, String body, AllowList allow, Duration timeout)
            throws ProtocolException {
        return build(upstream, headers, body, allow, timeout, Forwarding.NONE);
    }

    /**
     * The request for a message, with the client's sensitive headers dropped unless
     * {@code forwarding} lets them through, and the server's identity headers added.
     *
     * @see #build(String, List, String, AllowList, Duration)
     */
    public static HttpRequest build(
            String upstream,
            List<Header> headers,
            String body,
            AllowList allow,
            Duration timeout,
            Forwarding forwarding)
            throws ProtocolException {
        String value = upstream.trim();
        int space = value.indexOf(' ');
        if (value.isEmpty() || space < 0) {
            throw new ProtocolException(400, "upstream header must be '<GET|POST|PUT> <url>'");
        }
        Method method = method(value.substring(0, space));
        String url = value.substring(space + 1).trim();
        if (url.isEmpty() || url.indexOf(' ') >= 0) {
            throw new ProtocolException(400, "upstream header must be '<GET|POST|PUT> <url>'");
        }
        if (allow.isEmpty()) {
            throw new ProtocolException(403, "upstream calls are off on this server (lhttp.upstream.allow is empty)");
        }
        URI uri;
        try {
            uri = allow.check(url);
        } catch (URISyntaxException e) {
            throw new ProtocolException(400, "malformed upstream URL: " + e.getReason());
        } catch (AllowList.Refused e) {
            throw new ProtocolException(403, e.getMessage());
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
        switch (method) {
            case GET -> request.GET();
            case POST -> request.POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            case PUT -> request.PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            default -> throw new IllegalStateException(method.name());
        }
        java.util.Set<String> identityNames = new java.util.HashSet<>();
        for (Header h : forwarding.identity()) {
            identityNames.add(normalised(h.key()));
        }
        String clientForwardedFor = null;
        for (Header h : headers) {
            String name = h.key().trim();
            String lower = normalised(name);
            String headerValue = h.trimmedValue();
            if (isSensitive(lower) && !forwarding.forward().contains(lower)) {
                continue;
            }
            if (lower.equals("x-forwarded-for")) {
                if (isValidValue(headerValue)) {
                    clientForwardedFor =
                            clientForwardedFor == null ? headerValue : clientForwardedFor + ", " + headerValue;
                }
                continue; // joined with the server's own below
            }
            if (identityNames.contains(lower)) {
                continue;
            }
            add(request, name, headerValue);
        }
        for (Header h : forwarding.identity()) {
            String identity = h.value();
            if (h.is("x-forwarded-for") && clientForwardedFor != null) {
                identity =
                        clientForwardedFor + ", " + identity; // what a proxy does: the client's claim, then what we saw
                clientForwardedFor = null;
            }
            add(request, h.key(), identity);
        }
        if (clientForwardedFor != null) {
            add(request, "X-Forwarded-For", clientForwardedFor);
        }
        return request.build();
    }

    private static void add(HttpRequest.Builder request, String name, String value) {
        if (isForwarded(name) && isValidValue(value)) {
            try {
                request.header(name, value);
            } catch (IllegalArgumentException refusedByClient) {
                // The JDK's own rules are the last word on what it sends; skipping beats failing the call.
            }
        }
    }

    private static Method method(String name) throws ProtocolException {
        try {
            return Method.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            String shown = name.length() > 20 ? name.substring(0, 20) + "..." : name;
            throw new ProtocolException(400, "unknown upstream method '" + shown + "': GET, POST or PUT");
        }
    }

    /** Whether an LHTTP header key may be sent as an HTTP header name. */
    static boolean isForwarded(String name) {
        return isToken(name) && !NOT_FORWARDED.contains(normalised(name));
    }

    /** RFC 9110 token: what an HTTP field name must be. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 field value: visible ASCII, spaces, tabs and obs-text; no CR, LF or other controls. */
    static boolean isValidValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c == ' ' || c == '\t' || (c >= 0x21 && c <= 0x7e) || (c >= 0x80 && c <= 0xff))) {
                return false;
            }
        }
        return true;
    }
}
