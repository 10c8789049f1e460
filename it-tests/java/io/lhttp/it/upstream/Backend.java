package io.lhttp.it.upstream;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback standing for the user's backend: it records every request it
 * receives and answers by path:
 * <ul>
 * <li>{@code …/hang}: never answers (until the backend closes);</li>
 * <li>{@code …/status/503}: 503;</li>
 * <li>{@code …/big}: 200 with {@link #BIG} bytes;</li>
 * <li>{@code …/redirect}: 302 to {@code /secret} on this server;</li>
 * <li>anything else: 200, {@code got <METHOD> <path>?<query> <body>}.</li>
 * </ul>
 */
final class Backend implements AutoCloseable {

    static final int BIG = 5000;

    /** One request as received. */
    record Request(String method, String path, String rawQuery, Headers headers, String body) {}

    private final BlockingQueue<Request> received = new LinkedBlockingQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final ExecutorService pool = Executors.newCachedThreadPool(); // hanging handlers each hold a thread
    private final HttpServer server;

    Backend() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:port} */
    String base() {
        return "http://127.0.0.1:" + port();
    }

    /** The next request received, waiting up to 10 s; fails when none comes. */
    Request next() throws InterruptedException {
        Request r = received.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the backend received no request within 10 s");
        }
        return r;
    }

    /** A request already received and not taken yet, or null. */
    Request poll() {
        return received.poll();
    }

    void clear() {
        received.clear();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Headers headers = new Headers();
        headers.putAll(ex.getRequestHeaders());
        String path = ex.getRequestURI().getRawPath();
        String query = ex.getRequestURI().getRawQuery();
        received.add(new Request(ex.getRequestMethod(), path, query, headers, body));
        try (ex) {
            if (path.endsWith("/hang")) {
                try {
                    closing.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            if (path.endsWith("/status/503")) {
                respond(ex, 503, "down");
            } else if (path.endsWith("/big")) {
                respond(ex, 200, "x".repeat(BIG));
            } else if (path.endsWith("/redirect")) {
                ex.getResponseHeaders().add("Location", base() + "/secret");
                respond(ex, 302, "");
            } else {
                respond(
                        ex,
                        200,
                        "got " + ex.getRequestMethod() + " " + path + (query == null ? "" : "?" + query) + " " + body);
            }
        }
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        pool.shutdownNow();
    }
}
