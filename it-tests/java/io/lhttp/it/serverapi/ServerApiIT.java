package io.lhttp.it.serverapi;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.client.ServerApiClient;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.security.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server API over HTTP on the packaged server with the in-process bus (docs/SERVER-API.md),
 * through the Java {@link ServerApiClient}: disconnecting a user's connections or one connection
 * with a close code, server-side subscribe and unsubscribe (past the token's channel claims: the
 * operator decides), the reads, the publish token, and every field's limit.
 */
class ServerApiIT {

    static final String SECRET = "api-secret-api-secret-api-secret-api-secret!";
    static final String TOKEN = "operator-token-1";
    private static UberJarServer server;
    private static ServerApiClient api;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.auth=true",
                "-Dlhttp.auth.hmac-secret=" + SECRET,
                "-Dlhttp.publish.token=" + TOKEN,
                "-Dlhttp.instance-name=api-A",
                "-Dlhttp.history.channels=hist*",
                "-Dlhttp.history.size=10");
        api = ServerApiClient.of(server.httpUri(), TOKEN);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static SdkClient as(String user, String... channels) throws Exception {
        String token = Tokens.hmac(
                SECRET,
                Tokens.claims(user, Instant.now().plusSeconds(600), List.of(channels))
                        .build());
        return SdkClient.connect(URI.create(server.wsUri() + "?token=" + token));
    }

    static void sync(SdkClient c) throws Exception {
        c.send(frame("echo", "", "sync"));
        assertEquals(frame("echo", "", "sync"), c.next());
    }

    /** The connection id of {@code c}, from the presence of a channel only it is in. */
    static String idOf(SdkClient c, String channel) throws Exception {
        c.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
        sync(c);
        List<String> members = api.presence(channel).members();
        assertEquals(1, members.size(), members.toString());
        return members.get(0).split(" ")[0];
    }

    @Test
    void disconnectsEveryConnectionOfAUserWithTheCodeAndReasonAndNoOneElse() throws Exception {
        try (SdkClient a1 = as("alice", "room-1");
                SdkClient a2 = as("alice", "room-1");
                SdkClient bob = as("bob", "room-1")) {
            ServerApiClient.Outcome o = api.disconnectUser("alice", 4001, "banned");
            assertEquals(2, o.connections());
            assertEquals(Map.of("api-A", 2), o.perInstance());
            assertEquals(new LhttpClient.Close(4001, "banned"), a1.awaitClose());
            assertEquals(new LhttpClient.Close(4001, "banned"), a2.awaitClose());
            sync(bob);
            assertTrue(bob.isOpen());
            assertEquals(0, api.disconnectUser("alice", 4001, "again").connections(), "nobody left");
            assertEquals(0, api.disconnectUser("nobody", 1000, "").connections());
        }
    }

    @Test
    void disconnectsOneConnectionById() throws Exception {
        try (SdkClient c1 = as("carol", "c-*");
                SdkClient c2 = as("carol", "c-*")) {
            String id = idOf(c1, "c-only-1");
            assertEquals(1, api.disconnectConnection(id, 1008, "").connections());
            assertEquals(1008, c1.awaitClose().code());
            sync(c2);
            assertEquals(0, api.disconnectConnection(id, 1008, "").connections(), "already gone");
        }
    }

    @Test
    void subscribesAndUnsubscribesAUsersLiveConnectionsServerSide() throws Exception {
        try (SdkClient dave = as("dave", "room-1");
                SdkClient eve = as("eve", "eve-*")) {
            ServerApiClient.Outcome o = api.subscribeUser("dave", List.of("news", "alerts"));
            assertEquals(1, o.connections(), "past the token's claims: the operator decides");
            Map<String, Integer> channels = api.channels(100);
            assertEquals(1, channels.get("news"), channels.toString());
            assertEquals(1, channels.get("alerts"), channels.toString());
            post("LHTTP/1.0 notice\r\npublish:news\r\n\r\nhello");
            assertEquals("LHTTP/1.0 notice\r\npublish:news\r\n\r\nhello", dave.next());
            assertEquals(1, api.unsubscribeUser("dave", List.of("news")).connections());
            assertEquals(0, api.unsubscribeUser("dave", List.of("news")).connections(), "had none of them");
            post("LHTTP/1.0 notice\r\npublish:news\r\n\r\nnot for dave");
            post("LHTTP/1.0 notice\r\npublish:alerts\r\n\r\nstill");
            assertEquals("LHTTP/1.0 notice\r\npublish:alerts\r\n\r\nstill", dave.next());
            String eveId = idOf(eve, "eve-only");
            assertEquals(1, api.subscribeConnection(eveId, List.of("alerts")).connections());
            post("LHTTP/1.0 notice\r\npublish:alerts\r\n\r\nboth");
            assertEquals("LHTTP/1.0 notice\r\npublish:alerts\r\n\r\nboth", dave.next());
            assertEquals("LHTTP/1.0 notice\r\npublish:alerts\r\n\r\nboth", eve.next());
            assertEquals(
                    1,
                    api.unsubscribeConnection(eveId, List.of("alerts", "eve-only"))
                            .connections());
            assertNull(dave.poll());
            ServerApiClient.Info info = api.info().get(0);
            assertEquals("api-A", info.instance());
            assertTrue(info.connections() >= 2, info.toString());
            assertTrue(info.channels() >= 1 && info.subscriptions() >= 1, "alerts (dave) at least: " + info);
            assertEquals(null, api.channels(100).get("news"), "nobody left in news");
        }
    }

    @Test
    void readsAHistoryChannelsNewestMessagesOrThoseAfterAPosition() throws Exception {
        for (int i = 1; i <= 12; i++) {
            post("LHTTP/1.0 m\r\npublish:hist-read\r\n\r\n" + i);
        }
        ServerApiClient.History last3 = api.history("hist-read", 3, null);
        assertEquals(
                List.of(
                        "LHTTP/1.0 m\r\npublish:hist-read\r\n\r\n10",
                        "LHTTP/1.0 m\r\npublish:hist-read\r\n\r\n11",
                        "LHTTP/1.0 m\r\npublish:hist-read\r\n\r\n12"),
                last3.frames());
        String epoch = last3.top().split(":")[0];
        assertEquals(epoch + ":12", last3.top());
        assertEquals(List.of(epoch + ":10", epoch + ":11", epoch + ":12"), last3.positions());
        ServerApiClient.History after = api.history("hist-read", 2, epoch + ":5");
        assertEquals(List.of(epoch + ":6", epoch + ":7"), after.positions(), "the oldest two after 5");
        assertTrue(after.complete(), "6 and 7 are still kept (10 per channel)");
        ServerApiClient.History lost = api.history("hist-read", 100, epoch + ":1");
        assertEquals(10, lost.frames().size(), "all kept: 3..12");
        assertTrue(!lost.complete(), "2 was dropped: not complete");
        ServerApiClient.History none = api.history("plain-read", 5, null);
        assertEquals(null, none.top(), "no history on a plain channel");
        assertEquals(List.of(), none.frames());
        assertEquals(400, get("history?channel=hist-read&since=bad").statusCode());
        assertEquals(400, get("history?channel=hist-read&limit=1001").statusCode());
        assertEquals(400, get("history?channel=hist-read&limit=0").statusCode());
    }

    @Test
    void everyFieldHasALimitAndTheTokenIsRequired() throws Exception {
        assertEquals(
                401,
                assertThrows(
                                ServerApiClient.ApiException.class,
                                () -> ServerApiClient.of(server.httpUri(), "wrong")
                                        .info())
                        .status());
        for (String form : List.of(
                "code=4000",
                "user=a&connection=b",
                "user=a&code=999",
                "user=a&code=2000",
                "user=a&code=5000",
                "user=a&reason=" + "r".repeat(124),
                "user=a&reason=line%0Abreak",
                "user=" + "u".repeat(257),
                "connection=has%20space",
                "user=a&bogus=1",
                "user=a&user=b")) {
            HttpResponse<String> r = raw("disconnect", form);
            assertEquals(400, r.statusCode(), form + ": " + r.body());
        }
        assertEquals(400, raw("subscribe", "user=a").statusCode(), "no channel");
        assertEquals(400, raw("subscribe", "user=a&channel=a..b").statusCode());
        assertEquals(400, raw("subscribe", "user=a&channel=a*").statusCode());
        StringBuilder many = new StringBuilder("user=a");
        for (int i = 0; i < 257; i++) {
            many.append("&channel=c").append(i);
        }
        assertEquals(400, raw("subscribe", many.toString()).statusCode(), "over 256 channels");
        assertEquals(
                413, raw("subscribe", "user=a&channels=" + "x".repeat(70_000)).statusCode());
        assertEquals(400, get("channels?limit=0").statusCode());
        assertEquals(400, get("channels?limit=10001").statusCode());
        assertEquals(400, get("presence").statusCode());
        assertEquals(400, get("presence?channel=a..b").statusCode());
        assertEquals(200, get("channels?limit=10000").statusCode());
    }

    @Test
    void theServedOpenApiDocumentDescribesTheServerApi() throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/openapi"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        String yaml = r.body();
        for (String path : List.of("/publish/api/info", "/publish/api/presence", "/publish/api/history")) {
            String block = io.lhttp.it.support.OpenApiText.path(yaml, path);
            assertTrue(block.contains("get:") && block.contains("publishToken"), path + ":\n" + block);
        }
        for (String id : List.of("serverApiAction", "serverApiChannels", "serverApiHistory", "serverApiInfo")) {
            assertTrue(yaml.contains("operationId: " + id), id);
        }
    }

    @Test
    void lhttpCliCallsTheServerApi() throws Exception {
        String url = server.httpUri().toString();
        try (SdkClient zed = as("zed", "room-1")) {
            sync(zed);
            String[] ok = cli("api", "--token", TOKEN, url, "disconnect", "user=zed", "code=4005", "reason=by cli");
            assertEquals("0", ok[0], ok[2]);
            assertTrue(ok[1].startsWith("{\"connections\":1,"), ok[1]);
            assertEquals(new LhttpClient.Close(4005, "by cli"), zed.awaitClose());
        }
        String[] info = cli("api", "--token", TOKEN, url, "info");
        assertEquals("0", info[0], info[2]);
        assertTrue(info[1].contains("\"instance\":\"api-A\""), info[1]);
        assertEquals("1", cli("api", "--token", "wrong", url, "info")[0], "401: refused");
        assertEquals("1", cli("api", "--token", TOKEN, url, "disconnect", "code=4000")[0], "400: no target");
        assertEquals("2", cli("api", url, "drop-everything")[0], "bad usage");
    }

    /** {@code java -jar target/lhttp-cli.jar ARGS}: exit code, stdout, stderr. */
    static String[] cli(String... args) throws Exception {
        java.nio.file.Path jar =
                java.nio.file.Path.of(System.getProperty("project.basedir", "."), "target", "lhttp-cli.jar");
        List<String> command = new java.util.ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString(),
                "-jar",
                jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        java.util.concurrent.CompletableFuture<String> out =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        java.util.concurrent.CompletableFuture<String> err =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the CLI did not exit: " + String.join(" ", args));
        }
        return new String[] {Integer.toString(p.exitValue()), out.get(), err.get()};
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static void post(String message) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofString(message))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), r.body());
    }

    static HttpResponse<String> raw(String op, String form) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/publish/api/" + op))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(form))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(server.httpUri().resolve("/publish/api/" + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
