package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lhttp.it.browser.ChatPage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat demo in Chromium recovers across a <em>server restart</em> (PROTOCOL.md §2.2, the SDK's
 * {@code recover}): two instances on nats-server with JetStream keep the room's history; alice's
 * instance is stopped (SIGTERM) and started again on the same port while bob, on the other
 * instance, and a backend through {@code POST /publish} keep talking. Alice's page reconnects to
 * the restarted instance and shows what was said meanwhile, once, in order, and says it is all there.
 */
class ChatRecoveryAfterRestartIT {

    /** The restarted instance boots (seconds to minutes on a loaded machine), then the page's next retry (≤ 5 s). */
    private static final Duration BACK = Duration.ofMinutes(10);

    private static NatsNode node;
    private static LhttpInstance a;
    private static LhttpInstance b;
    private static String[] options;

    @BeforeAll
    static void start() {
        node = NatsNode.standalone("chat-js").withJetStream().start();
        options = new String[] {"-Dlhttp.nats.url=" + node.url(), "-Dlhttp.history.channels=recover-*"};
        List<LhttpInstance> ab = LhttpInstance.startAllWithHistory(
                node,
                "recover-probe",
                new LhttpInstance.Launch("chat-A", options),
                new LhttpInstance.Launch("chat-B", options));
        a = ab.get(0);
        b = ab.get(1);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, b, node);
    }

    @Test
    void aPageWhoseServerRestartedShowsWhatWasSaidMeanwhile() throws Exception {
        String room = "recover-" + System.nanoTime();
        try (ChatPage alice = ChatPage.demo(a.http("/"), room, "alice");
                ChatPage bob = ChatPage.demo(b.http("/"), room, "bob")) {
            alice.awaitState("connected", ChatPage.WAIT);
            bob.awaitState("connected", ChatPage.WAIT);
            alice.sayAndAwaitEcho("hello");
            bob.awaitMessage("alice: hello");
            bob.sayAndAwaitEcho("hi alice");
            alice.awaitMessage("bob: hi alice");

            int port = a.port();
            a.close();
            alice.awaitState("reconnecting", ChatPage.WAIT);
            bob.sayAndAwaitEcho("while you were away 1");
            HttpResponse<String> posted = b.post(
                    "/publish", "LHTTP/1.0 chat\r\npublish:" + room + "\r\nnick:backend\r\n\r\nwhile you were away 2");
            assertEquals(202, posted.statusCode(), posted.body());
            bob.awaitMessage("backend: while you were away 2");

            a = LhttpInstance.launchOnPort("chat-A-again", port, options);
            a.awaitStarted();
            a.awaitHistory("recover-probe");
            alice.awaitState("connected", BACK);
            alice.assertRecovered("bob: hi alice", "bob: while you were away 1", "backend: while you were away 2");

            bob.say("welcome back");
            alice.awaitMessage("bob: welcome back");
        }
    }
}
