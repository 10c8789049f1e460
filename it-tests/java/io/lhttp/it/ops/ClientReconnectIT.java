package io.lhttp.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Java client against a server that restarts on the same port: it reports the drop, retries
 * with growing delays, reconnects, re-subscribes its channels (with the subscribing frame's
 * command and headers) and sends what was queued meanwhile; a message published after the
 * restart reaches it without the application subscribing again.
 */
class ClientReconnectIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * Without lhttp.publish.token, /lhttp/status and /lhttp/metrics answer loopback clients and
     * refuse this machine's own non-loopback address (another host, as far as the server can tell).
     * On this server because it has no token (OperateIT's has one).
     */
    private static void statusIsForThisHostOnlyWithoutAToken(UberJarServer server) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.InetAddress external =
                java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces()).stream()
                        .filter(i -> {
                            try {
                                return i.isUp() && !i.isLoopback();
                            } catch (java.net.SocketException e) {
                                return false;
                            }
                        })
                        .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                        .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("this test needs a non-loopback IPv4 address"));
        for (String path : List.of("/lhttp/status", "/lhttp/metrics")) {
            assertEquals(
                    200,
                    http.send(
                                    java.net.http.HttpRequest.newBuilder(
                                                    server.httpUri().resolve(path))
                                            .build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode(),
                    path + " from loopback");
            java.net.URI remote =
                    java.net.URI.create("http://" + external.getHostAddress() + ":" + server.port() + path);
            assertEquals(
                    403,
                    http.send(
                                    java.net.http.HttpRequest.newBuilder(remote).build(),
                                    java.net.http.HttpResponse.BodyHandlers.discarding())
                            .statusCode(),
                    path + " from " + remote);
        }
    }

    @Test
    void reconnectsAndResubscribesAfterARestart() throws Exception {
        try (UberJarServer server = UberJarServer.start()) {
            statusIsForThisHostOnlyWithoutAToken(server);
            LhttpClient.Options options = new LhttpClient.Options()
                    .initialDelay(Duration.ofMillis(200))
                    .maxDelay(Duration.ofSeconds(2));
            try (LhttpClient client = LhttpClient.connect(server.wsUri(), options)) {
                LinkedBlockingQueue<Boolean> opens = new LinkedBlockingQueue<>();
                LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
                List<LhttpClient.Reconnecting> attempts = new CopyOnWriteArrayList<>();
                List<LhttpClient.Close> closes = new CopyOnWriteArrayList<>();
                client.onOpen(opens::add);
                client.onMessage(messages::add);
                client.onReconnecting(attempts::add);
                client.onClose(closes::add);
                assertEquals(Boolean.FALSE, opens.poll(WAIT.toSeconds(), TimeUnit.SECONDS), "first open");
                client.subscribe("news sport", "subscribe", List.of(new Header("nick", "ada")), "");
                client.publish("news", "chat", "before");
                assertEquals(
                        "before",
                        messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS).body());
                assertEquals(List.of("news", "sport"), client.channels());

                CompletableFuture<LhttpClient.State> reconnecting = new CompletableFuture<>();
                client.onStateChange(s -> {
                    if (s == LhttpClient.State.RECONNECTING) {
                        reconnecting.complete(s);
                    }
                });
                server.stop();
                reconnecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals(1001, closes.get(0).code(), "the server said it was going away: " + closes);
                client.publish("sport", "chat", "queued while down"); // sent after the re-subscription
                server.restart();

                assertEquals(
                        Boolean.TRUE,
                        opens.poll(UberJarServer.DEFAULT_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                        "reconnected");
                assertTrue(attempts.size() >= 1, "retried: " + attempts);
                for (int i = 1; i < attempts.size(); i++) {
                    assertEquals(i + 1, attempts.get(i).attempt());
                    assertTrue(attempts.get(i).delayMillis() <= 2000, "capped at maxDelay: " + attempts.get(i));
                }
                // The queued frame went out after the re-subscription, so it comes back to us.
                assertEquals(
                        "queued while down",
                        messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS).body());
                try (LhttpClient other = LhttpClient.connect(server.wsUri())) {
                    assertTrue(other.awaitOpen(WAIT));
                    other.publish("news", "chat", "after");
                    Message after = messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                    assertEquals("after", after.body(), "re-subscribed to news without the application asking");
                }
                assertEquals(LhttpClient.State.OPEN, client.state());
            }
        }
    }
}
