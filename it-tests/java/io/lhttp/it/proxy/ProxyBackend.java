package io.lhttp.it.proxy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The backend the proxies ask: a real HTTP server on loopback ({@code com.sun.net.httpserver}).
 * {@code POST /connect} answers by the {@code who} cookie the handshake carried (the server
 * forwards the cookie); {@code POST /subscribe} allows every channel but {@code private-no*}.
 * Every request body is kept for the test to read.
 */
final class ProxyBackend implements AutoCloseable {

    final int port;
    final BlockingQueue<String> connects = new LinkedBlockingQueue<>();
    final BlockingQueue<String> subscribes = new LinkedBlockingQueue<>();
    /** Released by the test: requests of {@code who=hold} and {@code who=slow} wait for it. */
    final AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(1));
    /** One permit per {@code who=hold} request that arrived. */
    final Semaphore holding = new Semaphore(0);

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private HttpServer server;

    ProxyBackend(int port) throws IOException {
        this.port = port;
        start();
    }

    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(threads);
        server.createContext("/connect", this::connect);
        server.createContext("/subscribe", this::subscribe);
        server.start();
    }

    /** Stops listening: calls then fail to connect, as to a backend that is down. */
    void stop() {
        server.stop(0);
    }

    String connectUrl() {
        return "http://127.0.0.1:" + port + "/connect";
    }

    String subscribeUrl() {
        return "http://127.0.0.1:" + port + "/subscribe";
    }

    private void connect(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        connects.add(body);
        String who = body.replaceAll("(?s).*who=([a-z0-9-]+).*", "$1");
        if (!body.contains("who=")) {
            who = "";
        }
        String answer;
        switch (who) {
            case "alice" ->
                answer = "{\"allow\":true,\"user\":\"alice\",\"subscribe\":[\"room-*\",\"private-*\"],"
                        + "\"publish\":[\"room-*\"],\"info\":{\"name\":\"Alice\"}}";
            case "bob" ->
                answer = "{\"allow\":true,\"user\":\"bob\",\"subscribe\":[\"room-*\"],\"publish\":[\"room-*\"],"
                        + "\"info\":{\"name\":\"Bob\"}}";
            case "banned" -> answer = "{\"allow\":false,\"code\":4001,\"reason\":\"banned until tomorrow\"}";
            case "big" -> answer = "{\"allow\":true,\"user\":\"big\",\"pad\":\"" + "x".repeat(4000) + "\"}";
            case "broken" -> answer = "allow";
            case "slow", "hold" -> {
                if (who.equals("hold")) {
                    holding.release();
                }
                try {
                    release.get().await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                answer = "{\"allow\":true,\"user\":\"late\",\"subscribe\":[\"room-*\"]}";
            }
            default -> answer = "{\"allow\":false,\"code\":4401,\"reason\":\"who are you?\"}";
        }
        reply(ex, answer);
    }

    private void subscribe(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        subscribes.add(body);
        reply(
                ex,
                body.contains("\"private-no")
                        ? "{\"allow\":false,\"reason\":\"not your channel\"}"
                        : "{\"allow\":true}");
    }

    private static void reply(HttpExchange ex, String answer) throws IOException {
        byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        try {
            ex.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException clientGone) {
            // the server gave up waiting (timeout): nobody reads this answer
        }
    }

    @Override
    public void close() {
        release.get().countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
