package io.lhttp.sse;

import io.lhttp.admission.AdmissionConfig;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.channel.Permissions;
import io.lhttp.channel.Position;
import io.lhttp.config.LhttpConfig;
import io.lhttp.connection.Connections;
import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Handshake;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.security.Authenticator;
import io.lhttp.security.Grant;
import io.lhttp.security.SecurityConfig;
import io.lhttp.security.TokenException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * This instance's SSE streams (PROTOCOL.md §8): admits a new one by the rules of a WebSocket
 * connection, subscribes it through the {@link ChannelRegistry}, writes its events on
 * {@code lhttp.sse.writer-threads} threads, sends keep-alive comments to quiet ones every
 * {@code lhttp.ping-interval-ms}, and closes them all when the application stops.
 */
@ApplicationScoped
public class SseStreams {

    private static final Logger LOG = Logger.getLogger(SseStreams.class.getName());

    /** The query parameter a token may come in ({@code EventSource} cannot set headers). */
    public static final String TOKEN_PARAMETER = "token";

    /** The query parameter that stands for the {@code Last-Event-ID} header (a first connection's recovery). */
    public static final String LAST_EVENT_ID_PARAMETER = "lastEventId";

    /** The query parameter naming a channel; repeated for more. */
    public static final String CHANNEL_PARAMETER = "channel";

    private static final String BEARER = "Bearer ";

    @Inject
    LhttpConfig config;

    @Inject
    SecurityConfig security;

    @Inject
    AdmissionConfig admission;

    @Inject
    Authenticator authenticator;

    @Inject
    Permissions permissions;

    @Inject
    ChannelRegistry registry;

    @Inject
    Connections connections;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    private final Set<SseStream> open = ConcurrentHashMap.newKeySet();
    private ThreadPoolExecutor writers;
    private ScheduledThreadPoolExecutor keepAlive;

    @PostConstruct
    void start() {
        java.util.concurrent.ThreadFactory threadFactory = threads();
        int threads = config.sseWriterThreads();
        writers = new ThreadPoolExecutor(
                threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), threadFactory);
        writers.allowCoreThreadTimeOut(true);
        long interval = config.pingInterval().toMillis();
        if (interval > 0) {
            keepAlive = new ScheduledThreadPoolExecutor(1, threadFactory);
            long tick = Math.max(10, interval / 4);
            keepAlive.scheduleAtFixedRate(() -> keepAlive(interval), tick, tick, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The container's managed thread factory; where it cannot be injected (TomEE 9 leaves
     * {@code java:comp/DefaultManagedThreadFactory} unbound for an application-scoped bean) plain
     * daemon threads: they only write to the sinks.
     */
    private java.util.concurrent.ThreadFactory threads() {
        if (threadFactory != null) {
            return threadFactory;
        }
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "lhttp-sse-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @PreDestroy
    void stop() {
        for (SseStream s : open) {
            s.close(jakarta.websocket.CloseReason.CloseCodes.GOING_AWAY, "server shutting down");
        }
        if (keepAlive != null) {
            keepAlive.shutdownNow();
        }
        writers.shutdown();
    }

    /** A refused stream: its HTTP status and a reason for the client. */
    public record Refusal(int status, String reason) {}

    /**
     * Checks and opens a stream for {@code request}, in the order a WebSocket handshake and its first
     * subscribe are checked: origin, token, channels, limits, permissions.
     *
     * @return null when the stream is open (events flow on {@code sink}), else why not
     */
    Refusal open(HttpServletRequest request, SseEventSink sink, Sse sse) {
        if (lines == null) {
            lines = Lines.of(sse);
        }
        String origin = request.getHeader("Origin");
        if (!security.allowedOrigins().allows(origin, request.getHeader("Host"))) {
            Meters.refused(Meters.Refusal.ORIGIN);
            return new Refusal(403, "origin not allowed");
        }
        Grant grant = null;
        if (authenticator.required()) {
            String token = token(request);
            if (token == null) {
                Meters.refused(Meters.Refusal.TOKEN_INVALID);
                return new Refusal(401, "token required");
            }
            try {
                grant = authenticator.verify(token);
            } catch (TokenException e) {
                Meters.refused(e.expired() ? Meters.Refusal.TOKEN_EXPIRED : Meters.Refusal.TOKEN_INVALID);
                return new Refusal(401, e.getMessage());
            }
        }
        String[] names = request.getParameterValues(CHANNEL_PARAMETER);
        if (names == null || names.length == 0) {
            return new Refusal(400, "at least one channel parameter is needed");
        }
        Set<String> unique = new LinkedHashSet<>();
        for (String name : names) {
            if (!ChannelNames.isValid(name)) {
                return new Refusal(400, "bad channel name '" + printable(name) + "'");
            }
            unique.add(name);
        }
        List<String> channels = new ArrayList<>(unique);
        if (channels.size() > config.maxChannels()) {
            return new Refusal(429, "too many channels: at most " + config.maxChannels() + " per connection");
        }
        Position since = null;
        String lastEventId = request.getHeader("Last-Event-ID");
        if (lastEventId == null || lastEventId.isBlank()) {
            lastEventId = request.getParameter(LAST_EVENT_ID_PARAMETER);
        }
        if (lastEventId != null && !lastEventId.isBlank()) {
            if (channels.size() != 1) {
                return new Refusal(400, "Last-Event-ID needs exactly one channel");
            }
            try {
                since = Position.parse(lastEventId.trim());
            } catch (IllegalArgumentException e) {
                return new Refusal(
                        400,
                        "bad Last-Event-ID: <epoch>:<offset>, epoch 1-" + Position.MAX_EPOCH_LENGTH
                                + " of A-Z a-z 0-9");
            }
        }
        String address = admission
                .trustedProxies()
                .clientAddress(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For"));
        Map<String, Object> attributes = grant == null ? Map.of() : Map.of(ClientConnection.GRANT_ATTRIBUTE, grant);
        SseStream stream =
                new SseStream(this, sink, sse, handshake(request, address, attributes), channels.size() == 1);
        try {
            permissions.checkSubscribe(stream, channels);
        } catch (ProtocolException e) {
            return new Refusal(e.code(), e.reason());
        }
        Meters.Refusal limit = connections.admitStream(address);
        if (limit != null) {
            return new Refusal(
                    503,
                    switch (limit) {
                        case PER_ADDRESS ->
                            "too many connections from your address: at most " + config.maxConnectionsPerAddress();
                        case SHUTTING_DOWN -> "server shutting down";
                        default -> "server full: at most " + config.maxConnections() + " connections";
                    });
        }
        open.add(stream);
        Meters.sseOpened();
        if (grant != null) {
            try {
                authenticator.grant(stream, grant); // its expiry ends the stream, as it ends a connection
            } catch (ProtocolException sameUserAlways) {
                // a new stream has no other user
            }
        }
        try {
            if (since != null) {
                stream.recovering();
            }
            registry.subscribeWithPositions(stream, channels, since, null, config.maxChannels());
        } catch (ProtocolException e) {
            stream.close(jakarta.websocket.CloseReason.CloseCodes.VIOLATED_POLICY, e.reason());
        }
        stream.started();
        LOG.fine(() -> "SSE stream " + stream.id() + " from " + address + " on " + channels);
        return null;
    }

    /** The token: {@code Authorization: Bearer}, the {@code token} parameter, or the auth cookie. */
    private String token(HttpServletRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            String t = authorization.substring(BEARER.length()).trim();
            if (!t.isEmpty()) {
                return t;
            }
        }
        String t = request.getParameter(TOKEN_PARAMETER);
        if (t != null && !t.isBlank()) {
            return t.trim();
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie c : cookies) {
                if (c.getName().equals(config.authCookie()) && !c.getValue().isBlank()) {
                    return c.getValue();
                }
            }
        }
        return null;
    }

    private static Handshake handshake(HttpServletRequest request, String address, Map<String, Object> attributes) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String name : Collections.list(request.getHeaderNames())) {
            headers.put(name, List.copyOf(Collections.list(request.getHeaders(name))));
        }
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> parameters.put(k, List.of(v)));
        return new Handshake(headers, parameters, address, attributes);
    }

    /** A name for an error message: at most 64 printable characters. */
    private static String printable(String name) {
        String p = name.replaceAll("[^\\x20-\\x7e]", "?");
        return p.length() > 64 ? p.substring(0, 64) + "…" : p;
    }

    /**
     * How this container's JAX-RS implementation writes an event's multi-line data: Jersey (Payara)
     * and RESTEasy (WildFly) start a {@code data:} line after each line end themselves; CXF (TomEE
     * 9) writes the data as it is, so its lines after the first would read as other fields. Found
     * by measurement (SseIT, WildFlyIT, TomEEIT); known by the {@link Sse} implementation's class.
     */
    enum Lines {
        SPLIT_BY_IMPLEMENTATION,
        SPLIT_HERE;

        static Lines of(Sse sse) {
            return sse.getClass().getName().startsWith("org.apache.cxf.") ? SPLIT_HERE : SPLIT_BY_IMPLEMENTATION;
        }

        /** The data to hand to the implementation for {@code data} (LF line ends). */
        String data(String data) {
            return this == SPLIT_HERE ? data.replace("\n", "\ndata: ") : data;
        }
    }

    private volatile Lines lines;

    /** This container's {@link Lines}, known from the first stream's {@link Sse}. */
    Lines lines() {
        return lines;
    }

    /** Runs {@code drain} on a writer thread. */
    void write(Runnable drain) {
        writers.execute(drain);
    }

    /** A stream ended: it leaves its channels and its place under the connection limits. */
    void closed(SseStream stream) {
        if (open.remove(stream)) {
            registry.removeAll(stream);
            connections.streamClosed(stream.remoteAddress());
            Meters.sseClosed();
        }
    }

    /** Streams open now. */
    public int count() {
        return open.size();
    }

    /** The send timeout a stream waits for one event's write ({@code lhttp.send-timeout-ms}). */
    long sendTimeoutMillis() {
        return config.sendTimeout().toMillis();
    }

    LhttpConfig config() {
        return config;
    }

    private void keepAlive(long intervalMillis) {
        long now = System.nanoTime();
        for (SseStream s : open) {
            s.keepAlive(now, TimeUnit.MILLISECONDS.toNanos(intervalMillis));
        }
    }
}
