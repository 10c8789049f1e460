package io.lhttp.upstream;

import io.lhttp.admission.AddressCounter;
import io.lhttp.config.LhttpConfig;
import io.lhttp.memory.MemoryConfig;
import io.lhttp.meters.Meters;
import io.lhttp.processor.ClientConnection;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.protocol.RequestId;
import io.lhttp.security.Authentication;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Makes the HTTP calls of {@code upstream} headers: one JDK {@link HttpClient} for the
 * application, on a small pool of container-managed threads of its own, never following
 * redirects. Calls are
 * asynchronous: the socket thread only starts them; the answer (or the 502/504 error) reaches
 * the client later through its send queue. Each connection may have a bounded number of calls
 * running; each call has a deadline covering connect, headers and body.
 */
@ApplicationScoped
public class UpstreamClient {

    private static final Logger LOG = Logger.getLogger(UpstreamClient.class.getName());

    /** Connection attribute counting the connection's running calls. */
    private static final String IN_FLIGHT = UpstreamClient.class.getName() + ".in-flight";

    @Inject
    LhttpConfig config;

    @Inject
    MemoryConfig memory;

    @Inject
    UpstreamConfig upstreamConfig;

    /**
     * Threads running the HTTP client's callbacks and the deadlines. The work on them never
     * blocks (the client is asynchronous, replies go to send queues), so a few suffice. Our own
     * pool rather than the container's default executors: Payara's have one thread (core size
     * 0, unbounded queue) shared with every application's tasks.
     */
    private static final int THREADS = 2;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    /** Calls running on this instance, all connections together. */
    private final AtomicInteger running = new AtomicInteger();
    /** Calls running per client address ("" = unknown address, not counted). */
    private final AddressCounter perAddress = new AddressCounter();

    private ScheduledThreadPoolExecutor executor;
    private HttpClient client;
    private LimitedBody bodyHandler;

    @PostConstruct
    void start() {
        executor = new ScheduledThreadPoolExecutor(THREADS, threadFactory);
        executor.setRemoveOnCancelPolicy(
                true); // a deadline cancelled on completion must not wait out its delay in the queue
        client = HttpClient.newBuilder()
                .executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER) // a redirect could lead outside the allow-list
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.upstreamTimeout())
                .build();
        bodyHandler = new LimitedBody(config.upstreamMaxResponseBytes(), memory.memoryBudget());
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }

    /**
     * Checks an {@code upstream} header and reserves one of the connection's call slots; nothing
     * is sent yet.
     *
     * @throws ProtocolException 400 malformed, 403 not allowed, 429 too many calls running
     */
    public Call prepare(
            ClientConnection connection,
            String command,
            String upstream,
            List<Header> headers,
            String body,
            boolean reply)
            throws ProtocolException {
        return prepare(connection, command, upstream, headers, body, reply, null);
    }

    /** As {@link #prepare(Connection, String, String, List, String, boolean)}; answers carry {@code request-id:<requestId>} when not null. */
    public Call prepare(
            ClientConnection connection,
            String command,
            String upstream,
            List<Header> headers,
            String body,
            boolean reply,
            String requestId)
            throws ProtocolException {
        HttpRequest request = UpstreamRequest.build(
                upstream,
                headers,
                body,
                upstreamConfig.allow(),
                config.upstreamTimeout(),
                new UpstreamRequest.Forwarding(upstreamConfig.forwardHeaders(), identity(connection)));
        AtomicInteger inFlight =
                (AtomicInteger) connection.attributes().computeIfAbsent(IN_FLIGHT, k -> new AtomicInteger());
        if (inFlight.incrementAndGet() > config.upstreamMaxInFlight()) {
            inFlight.decrementAndGet();
            throw new ProtocolException(
                    429,
                    "too many upstream calls running: at most " + config.upstreamMaxInFlight() + " per connection");
        }
        String address = connection.remoteAddress();
        boolean counted = !address.isEmpty();
        if (counted && !perAddress.tryAcquire(address, config.upstreamMaxInFlightPerAddress())) {
            inFlight.decrementAndGet();
            throw new ProtocolException(
                    429,
                    "too many upstream calls running from your address: at most "
                            + config.upstreamMaxInFlightPerAddress());
        }
        if (running.incrementAndGet() > config.upstreamMaxInFlightTotal()) {
            running.decrementAndGet();
            inFlight.decrementAndGet();
            if (counted) {
                perAddress.release(address);
            }
            throw new ProtocolException(
                    429,
                    "too many upstream calls running on this server: at most " + config.upstreamMaxInFlightTotal());
        }
        return new Call(connection, command, request, reply, inFlight, requestId);
    }

    /**
     * The headers naming the client to the backend: {@code X-Lhttp-Connection} (its id),
     * {@code X-Lhttp-User} (the token's subject, when authenticated) and {@code X-Forwarded-For}
     * (its address, when the server knows it).
     */
    static List<Header> identity(ClientConnection connection) {
        List<Header> identity = new java.util.ArrayList<>(3);
        identity.add(new Header("X-Lhttp-Connection", connection.id()));
        String user = Authentication.user(connection);
        if (user != null) {
            identity.add(new Header("X-Lhttp-User", user));
        }
        String address = connection.remoteAddress(); // after lhttp.trusted-proxies; "" when unknown
        if (!address.isEmpty()) {
            identity.add(new Header("X-Forwarded-For", address));
        }
        return identity;
    }

    /** A checked upstream call holding a slot: {@link #start()} it or {@link #abandon()} it, once. */
    public final class Call {

        private final ClientConnection connection;
        private final String command;
        private final HttpRequest request;
        private final boolean reply;
        private final AtomicInteger inFlight;
        private final String requestId;

        private Call(
                ClientConnection connection,
                String command,
                HttpRequest request,
                boolean reply,
                AtomicInteger inFlight,
                String requestId) {
            this.requestId = requestId;
            this.connection = connection;
            this.command = command;
            this.request = request;
            this.reply = reply;
            this.inFlight = inFlight;
        }

        /** Gives the slot back without calling (the message was refused after the check). */
        public void abandon() {
            release();
        }

        private void release() {
            inFlight.decrementAndGet();
            running.decrementAndGet();
            String address = connection.remoteAddress();
            if (!address.isEmpty()) {
                perAddress.release(address);
            }
        }

        /** Sends the request; returns at once. */
        public void start() {
            CompletableFuture<HttpResponse<String>> response;
            long started = System.nanoTime();
            try {
                response = client.sendAsync(request, bodyHandler);
            } catch (RuntimeException e) {
                release();
                LOG.log(Level.WARNING, "upstream call could not start", e);
                connection.sendError(502, "upstream call failed", requestId);
                return;
            }
            // The request timeout only covers the wait for the response headers; this covers the body too.
            // Cancelling the JDK client's future aborts the exchange.
            ScheduledFuture<?> deadline = executor.schedule(
                    () -> response.cancel(true), config.upstreamTimeout().toMillis(), TimeUnit.MILLISECONDS);
            response.whenComplete((r, error) -> {
                deadline.cancel(false);
                release();
                if (error == null) {
                    Meters.upstream(
                            r.statusCode() >= 500
                                    ? Meters.Upstream.SERVER_ERROR
                                    : r.statusCode() >= 400 ? Meters.Upstream.CLIENT_ERROR : Meters.Upstream.OK,
                            System.nanoTime() - started);
                    answered(r);
                } else {
                    Meters.upstream(outcome(error), System.nanoTime() - started);
                    failed(error);
                }
            });
        }

        private void answered(HttpResponse<String> r) {
            if (r.statusCode() >= 500) {
                connection.sendError(502, "upstream answered " + r.statusCode(), requestId);
            } else if (reply) {
                connection.send(RequestId.tag(
                        Message.of(
                                command,
                                List.of(new Header("upstream-status", Integer.toString(r.statusCode()))),
                                r.body()),
                        requestId));
            }
        }

        private static Meters.Upstream outcome(Throwable error) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            return cause instanceof HttpTimeoutException || cause instanceof CancellationException
                    ? Meters.Upstream.TIMEOUT
                    : cause instanceof LimitedBody.TooLarge ? Meters.Upstream.TOO_LARGE : Meters.Upstream.FAILED;
        }

        private void failed(Throwable error) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            if (cause instanceof HttpTimeoutException || cause instanceof CancellationException) {
                connection.sendError(
                        504,
                        "upstream did not answer within "
                                + config.upstreamTimeout().toMillis() + " ms",
                        requestId);
            } else if (cause instanceof LimitedBody.OverBudget) {
                connection.sendError(503, cause.getMessage(), requestId);
            } else if (cause instanceof LimitedBody.TooLarge) {
                connection.sendError(502, cause.getMessage(), requestId);
            } else {
                LOG.log(Level.FINE, "upstream call to {0} failed: {1}", new Object[] {request.uri(), cause});
                // The reason names no Java class: the client learns the call failed, not how we are built.
                connection.sendError(502, "upstream call failed", requestId);
            }
        }
    }
}
