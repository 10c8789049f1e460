package io.lhttp.it.browser;

import io.lhttp.it.support.UberJarServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat demo recovers what it missed (PROTOCOL.md §2.2, the SDK's {@code recover} option) on a
 * server keeping the room's history in process. The page's connection is dropped, not the
 * server restarted: in-process history does not survive a restart. The page is kept away
 * deterministically by making its WebSocket close itself on its next send (its re-subscription
 * after every reconnect) until the test lets it back.
 */
class RecoveryIT {

    private static final Duration BACK = Duration.ofSeconds(30);
    private static UberJarServer server;

    @BeforeAll
    static void startServer() {
        server = UberJarServer.start("-Dlhttp.history.channels=recover-*");
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.close();
    }

    @Test
    void aPageThatWasAwayShowsWhatWasSaidMeanwhile() {
        String room = "recover-" + System.nanoTime();
        try (ChatPage alice = ChatPage.demo(server.httpUri(), room, "alice");
                ChatPage bob = ChatPage.demo(server.httpUri(), room, "bob")) {
            alice.awaitState("connected", ChatPage.WAIT);
            bob.awaitState("connected", ChatPage.WAIT);
            alice.sayAndAwaitEcho("hello");
            bob.sayAndAwaitEcho("hi alice");
            alice.awaitMessage("bob: hi alice");

            alice.runAsync("""
                    const send = WebSocket.prototype.send;
                    window.keepAway = true;
                    WebSocket.prototype.send = function (text) {
                        if (window.keepAway) { this.close(); return; }
                        return send.call(this, text);
                    };
                    done();""");
            alice.say("this closes my socket");
            alice.awaitState("reconnecting", ChatPage.WAIT);
            bob.sayAndAwaitEcho("while you were away 1");
            bob.sayAndAwaitEcho("while you were away 2");
            alice.runAsync("window.keepAway = false; done();");

            alice.awaitState("connected", BACK.plus(ChatPage.WAIT));
            alice.assertRecovered("bob: hi alice", "bob: while you were away 1", "bob: while you were away 2");

            bob.say("welcome back");
            alice.awaitMessage("bob: welcome back");
        }
    }
}
