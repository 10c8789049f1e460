package io.lhttp.it.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.UberJarServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The chat demo (webapp/index.html) and the original-API page, in real headless Chromium. */
class ChatDemoIT {

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
    void messageTypedInOnePageAppearsInTheOtherAndInTheSendersOwnButNotInAnotherRoom() {
        String otherRoom = "elsewhere-" + System.nanoTime();
        try (ChatPage alice = ChatPage.demo(server.httpUri(), "chatroom", "alice");
                ChatPage bob = ChatPage.demo(server.httpUri(), "chatroom", "bob");
                ChatPage carol = ChatPage.demo(server.httpUri(), otherRoom, "carol")) {
            for (ChatPage page : List.of(alice, bob, carol)) page.awaitState("connected", ChatPage.WAIT);
            // Own echoes prove each page's subscription is active before anyone relies on it.
            bob.sayAndAwaitEcho("bob is here");
            carol.sayAndAwaitEcho("carol is here");

            alice.say("hello from alice");
            assertEquals("alice: hello from alice", last(alice.awaitMessage("hello from alice")));
            assertEquals("alice: hello from alice", last(bob.awaitMessage("hello from alice")));

            // Both deliveries are done, so had carol been subscribed to chatroom, alice's message
            // would be queued to her before this later one. Waiting for it replaces a sleep.
            carol.sayAndAwaitEcho("anyone?");
            assertEquals(List.of("carol: carol is here", "carol: anyone?"), carol.messages());
        }
    }

    @Test
    void demoDefaultsToChatroomAndScreenshotOfAShortConversation() throws Exception {
        // Named, so that the screenshot only changes when the page does.
        try (ChatPage ada = ChatPage.demo(server.httpUri(), null, "ada")) {
            ada.awaitState("connected", ChatPage.WAIT);
            assertEquals("chatroom", ada.room());
            // "connected" means the subscribe frame was sent, not handled: ada's own echo proves her
            // subscription before anyone else publishes. Grace is not there yet, so her page (the
            // screenshot) does not show it.
            ada.sayAndAwaitEcho("Morning!");
            try (ChatPage grace = ChatPage.demo(server.httpUri(), "chatroom", "grace")) {
                grace.awaitState("connected", ChatPage.WAIT);
                grace.sayAndAwaitEcho("Hi! Is the new build deployed?");
                ada.awaitMessage("grace: Hi! Is the new build deployed?");
                ada.sayAndAwaitEcho("Yes, 1.0 is live: lhttp on Payara Micro.");
                grace.awaitMessage("Yes, 1.0 is live: lhttp on Payara Micro.");
                grace.sayAndAwaitEcho("Great, reconnects work too. Thanks!");
                ada.awaitMessage("Great, reconnects work too. Thanks!");

                Path png = Path.of(System.getProperty("project.basedir", "."), "docs", "chat-demo.png");
                grace.screenshot(png);
                assertTrue(Files.size(png) > 5_000, "screenshot written");
            }
        }
    }

    @Test
    void theMemberListShowsNicknamesAndMarksTheReadersOwnEntry() {
        String room = "nicks-" + System.nanoTime();
        try (ChatPage ann = ChatPage.demo(server.httpUri(), room, "ann", "refresh=1000");
                ChatPage bob = ChatPage.demo(server.httpUri(), room, "bob", "refresh=1000")) {
            // Nicknames, not connection ids: each page's nickname is its connection's public info.
            assertEquals(List.of("ann", "bob"), ann.awaitMembers(2));
            assertEquals(List.of("ann", "bob"), bob.awaitMembers(2));
            assertEquals(List.of("ann"), ann.awaitOwnEntry());
            assertEquals(List.of("bob"), bob.awaitOwnEntry());
        }
    }

    @Test
    void pageWrittenForTheOriginalSdkChatsWithThePageUsingTheNewOne() {
        try (ChatPage old = ChatPage.compat(server.httpUri());
                ChatPage dave = ChatPage.demo(server.httpUri(), "chatroom", "dave")) {
            dave.awaitState("connected", ChatPage.WAIT);
            dave.sayAndAwaitEcho("dave is here"); // proves dave's subscription before old publishes
            // The original page has no state display: its own echo shows it is connected and subscribed.
            old.sayAndAwaitEcho("written in 2016");
            dave.awaitMessage("anonymous: written in 2016");

            dave.say("still works, colons too: a:b");
            assertEquals("still works, colons too: a:b", last(old.awaitMessage("still works, colons too: a:b")));
        }
    }

    @Test
    void sdkMultipartOffsetsAreTheBytesTheServerCutsAndErrorFramesAreErrorEvents() {
        try (ChatPage page = ChatPage.demo(server.httpUri(), "chatroom", "erin")) {
            // The server's upload example answers with the parts it cut, as JSON.
            Object parts = page.runAsync("""
                    import("/lhttp.js").then(({ connect, multipart }) => {
                      const lhttp = connect();
                      const mp = multipart([
                        { headers: { name: "grüße.txt", type: "text/plain" }, body: "héllo 日本 😀\\r\\n\\r\\nend" },
                        { body: "no headers" },
                      ]);
                      lhttp.on("message", ({ message }) => {
                        if (message.command === "upload") { lhttp.close(); done(JSON.parse(message.body)); }
                      });
                      lhttp.on("error", ({ code, reason }) => done("error " + code + ": " + reason));
                      lhttp.send("upload", { multipart: mp.offsets }, mp.body);
                    });
                    """);
            assertEquals(
                    List.of(
                            Map.of(
                                    "headers",
                                    Map.of("name", "grüße.txt", "type", "text/plain"),
                                    "body",
                                    "héllo 日本 😀\r\n\r\nend"),
                            Map.of("headers", Map.of(), "body", "no headers")),
                    parts);

            Object error = page.runAsync("""
                    import("/lhttp.js").then(({ connect }) => {
                      const lhttp = connect();
                      lhttp.on("message", ({ message }) => done("message " + message.command));
                      lhttp.on("error", ({ code, reason, message }) => {
                        lhttp.close();
                        done({ code, reason, command: message.command, state: lhttp.state });
                      });
                      lhttp.send("chat", { multipart: "0 99" }, "k:v\\r\\n\\r\\nx");
                    });
                    """);
            Map<?, ?> e = (Map<?, ?>) error;
            assertEquals(400L, e.get("code"));
            assertEquals("error", e.get("command"));
            assertTrue(!((String) e.get("reason")).isBlank(), "a reason is given");
        }
    }

    private static String last(List<String> lines) {
        return lines.get(lines.size() - 1);
    }
}
