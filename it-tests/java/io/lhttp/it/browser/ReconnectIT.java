package io.lhttp.it.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.UberJarServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The demo page survives a server restart by itself: reconnects, re-subscribes, receives again. */
class ReconnectIT {

    /** The demo's backoff is capped at 5 s; the rest is the server's start-up on a busy machine. */
    private static final Duration BACK = Duration.ofSeconds(60);

    private static UberJarServer server;

    @BeforeAll
    static void startServer() {
        server = UberJarServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void pageReconnectsAfterServerRestartAndReceivesTheNextMessage() {
        String room = "reconnect-" + System.nanoTime();
        try (ChatPage alice = ChatPage.demo(server.httpUri(), room, "alice");
                ChatPage bob = ChatPage.demo(server.httpUri(), room, "bob")) {
            alice.awaitState("connected", ChatPage.WAIT);
            bob.awaitState("connected", ChatPage.WAIT);
            bob.sayAndAwaitEcho("bob is here"); // proves bob's subscription before alice publishes
            alice.sayAndAwaitEcho("before the restart");
            bob.awaitMessage("alice: before the restart");

            server.stop();
            alice.awaitState("reconnecting", ChatPage.WAIT);
            bob.awaitState("reconnecting", ChatPage.WAIT);

            server.restart();
            alice.awaitState("connected", BACK.plus(ChatPage.WAIT));
            bob.awaitState("connected", BACK.plus(ChatPage.WAIT));
            assertTrue(
                    alice.messages().stream().anyMatch(m -> m.startsWith("reconnected")),
                    "the page says messages may be missing");

            // The pages never subscribe again themselves; the SDK does on reconnect. A page's own echo
            // proves its re-subscription is active (same connection, frames handled in order).
            bob.sayAndAwaitEcho("bob is back");
            alice.sayAndAwaitEcho("alice is back");
            bob.awaitMessage("alice: alice is back");
            bob.say("welcome back");
            alice.awaitMessage("bob: welcome back");
        }
    }
}
