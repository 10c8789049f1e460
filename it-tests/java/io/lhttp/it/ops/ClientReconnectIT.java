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

    @Test
    void reconnectsAndResubscribesAfterARestart() throws Exception {
        try (UberJarServer server = UberJarServer.start()) {
            LhttpClient.Options options = new LhttpClient.Options().initialDelay(Duration.ofMillis(200))
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
                assertEquals("before", messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS).body());
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

                assertEquals(Boolean.TRUE, opens.poll(UberJarServer.DEFAULT_START_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                        "reconnected");
                assertTrue(attempts.size() >= 1, "retried: " + attempts);
                for (int i = 1; i < attempts.size(); i++) {
                    assertEquals(i + 1, attempts.get(i).attempt());
                    assertTrue(attempts.get(i).delayMillis() <= 2000, "capped at maxDelay: " + attempts.get(i));
                }
                // The queued frame went out after the re-subscription, so it comes back to us.
                assertEquals("queued while down", messages.poll(WAIT.toSeconds(), TimeUnit.SECONDS).body());
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
