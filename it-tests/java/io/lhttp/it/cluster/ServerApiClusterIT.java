package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.client.ServerApiClient;
import io.lhttp.it.support.SdkClient;
import io.lhttp.security.Tokens;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server API across two lhttp instances on one nats-server (docs/SERVER-API.md): a request made
 * on one instance acts on the other's connections too, and the answer counts per instance —
 * disconnecting a user, subscribing and unsubscribing one server-side, the reads.
 */
class ServerApiClusterIT {

    static final String SECRET = "api-cluster-secret-api-cluster-secret!!";
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static NatsNode node;
    private static LhttpInstance a;
    private static LhttpInstance b;
    private static ServerApiClient apiA;
    private static ServerApiClient apiB;

    @BeforeAll
    static void start() throws Exception {
        node = NatsNode.standalone("server-api").withJetStream().start();
        String[] options = {
            "-Dlhttp.nats.url=" + node.url(),
            "-Dlhttp.auth=true",
            "-Dlhttp.auth.hmac-secret=" + SECRET,
            "-Dlhttp.history.channels=hist*",
            "-Dlhttp.jetstream.storage=memory"
        };
        List<LhttpInstance> ab = LhttpInstance.startAll(
                node, new LhttpInstance.Launch("api-A", options), new LhttpInstance.Launch("api-B", options));
        a = ab.get(0);
        b = ab.get(1);
        apiA = ServerApiClient.of(a.http("/"), null); // no publish token: loopback may call
        apiB = ServerApiClient.of(b.http("/"), null);
        awaitBothAnswer(apiA);
        awaitBothAnswer(apiB);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, b, node);
    }

    /** Until both instances answer a request made on this one (each has its NATS connection up), within the deadline. */
    private static void awaitBothAnswer(ServerApiClient api) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<ServerApiClient.Info> last = null;
        while (System.nanoTime() < deadline) {
            last = api.info();
            if (last.size() == 2 && historyReady(api)) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100); // between requests, bounded by the deadline
        }
        throw new AssertionError("never both instances answered: " + last);
    }

    /** Whether the instance reads history from the stream (503 until its JetStream stream is there). */
    private static boolean historyReady(ServerApiClient api) throws Exception {
        try {
            return api.history("hist-probe", 1, null).top() != null;
        } catch (ServerApiClient.ApiException e) {
            if (e.status() == 503) {
                return false;
            }
            throw e;
        }
    }

    static SdkClient as(LhttpInstance on, String user, String... channels) throws Exception {
        String token = Tokens.hmac(
                SECRET,
                Tokens.claims(user, Instant.now().plusSeconds(600), List.of(channels))
                        .build());
        return SdkClient.connect(URI.create(on.ws() + "?token=" + token));
    }

    static void sync(SdkClient c) throws Exception {
        c.send("LHTTP/1.0 echo\r\n\r\nsync");
        assertEquals("LHTTP/1.0 echo\r\n\r\nsync", c.next());
    }

    @Test
    void disconnectingAUserOnOneInstanceClosesItsConnectionsOnBoth() throws Exception {
        try (SdkClient onA = as(a, "alice", "room");
                SdkClient onB = as(b, "alice", "room");
                SdkClient alsoB = as(b, "alice", "room");
                SdkClient bob = as(b, "bob", "room")) {
            // The client sees the handshake's answer before the server has registered the connection
            // (@OnOpen): a round trip on each proves it is known.
            for (SdkClient c : List.of(onA, onB, alsoB)) {
                sync(c);
            }
            ServerApiClient.Outcome o = apiA.disconnectUser("alice", 4003, "banned");
            assertEquals(Map.of("api-A", 1, "api-B", 2), o.perInstance());
            assertEquals(3, o.connections());
            for (SdkClient c : List.of(onA, onB, alsoB)) {
                assertEquals(new LhttpClient.Close(4003, "banned"), c.awaitClose());
            }
            sync(bob);
            assertTrue(bob.isOpen(), "only alice's connections");
        }
    }

    @Test
    void historyIsReadFromTheStreamWhicheverInstanceIsAsked() throws Exception {
        for (int i = 1; i <= 4; i++) {
            assertEquals(
                    202,
                    a.post("/publish", "LHTTP/1.0 m\r\npublish:hist-api\r\n\r\n" + i)
                            .statusCode());
        }
        ServerApiClient.History fromB = apiB.history("hist-api", 2, null);
        assertEquals(
                List.of("LHTTP/1.0 m\r\npublish:hist-api\r\n\r\n3", "LHTTP/1.0 m\r\npublish:hist-api\r\n\r\n4"),
                fromB.frames());
        assertEquals(fromB.positions().get(1), fromB.top());
        ServerApiClient.History after =
                apiA.history("hist-api", 10, fromB.positions().get(0));
        assertEquals(List.of("LHTTP/1.0 m\r\npublish:hist-api\r\n\r\n4"), after.frames());
        assertTrue(after.complete());
    }

    @Test
    void subscribingAUserServerSideOnOneInstanceSubscribesItsConnectionsOnTheOther() throws Exception {
        try (SdkClient carolOnA = as(a, "carol", "room");
                SdkClient daveOnA = as(a, "dave", "room")) {
            sync(carolOnA);
            ServerApiClient.Outcome o = apiB.subscribeUser("carol", List.of("news"));
            assertEquals(Map.of("api-A", 1, "api-B", 0), o.perInstance());
            HttpResponse<String> r = b.post("/publish", "LHTTP/1.0 notice\r\npublish:news\r\n\r\nfrom B");
            assertEquals(202, r.statusCode(), r.body());
            assertEquals("LHTTP/1.0 notice\r\npublish:news\r\n\r\nfrom B", carolOnA.next(), "across the cluster");
            assertEquals(Map.of("news", 1), apiB.channels(100), "seen from B: A's channel and count");
            List<String> members = apiB.presence("news").members();
            assertEquals(1, members.size(), members.toString());
            assertTrue(members.get(0).endsWith(" carol"), members.toString());
            assertEquals(1, apiB.unsubscribeUser("carol", List.of("news")).connections());
            carolOnA.send("LHTTP/1.0 join\r\nsubscribe:room\r\n\r\n");
            sync(carolOnA);
            // Both from B over one NATS connection, in this order: 'end' comes after whatever 'gone' would.
            assertEquals(
                    202,
                    b.post("/publish", "LHTTP/1.0 notice\r\npublish:news\r\n\r\ngone")
                            .statusCode());
            assertEquals(
                    202,
                    b.post("/publish", "LHTTP/1.0 notice\r\npublish:room\r\n\r\nend")
                            .statusCode());
            assertEquals("LHTTP/1.0 notice\r\npublish:room\r\n\r\nend", carolOnA.next(), "unsubscribed on A from B");
            sync(daveOnA);
            assertNull(daveOnA.poll(), "dave never was");
        }
    }
}
