package io.lhttp.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Addresses;
import io.lhttp.it.support.Await;
import io.lhttp.it.support.OpenApiText;
import io.lhttp.it.support.RefusalCounters;
import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.security.Tokens;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator reads on the packaged server (Payara Micro) with tokens on and no
 * {@code lhttp.publish.token}: the container's {@code /openapi}, generated from the MicroProfile
 * OpenAPI annotations and served only to this host, like the status JSON; and the refused
 * connections counted by reason in the Prometheus text (issue 11).
 */
class OperatorEndpointsIT {

    private static final String SECRET = "it-operator-secret-it-operator-secret!!";
    /** Planted in the NATS URLs (a password and a token; nobody listens there) and upstream URLs: must never come out. */
    private static final String PLANTED = "Planted7Password";

    private static final String PLANTED_TOKEN = "Planted7Token";

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** HTTP/1.1 only: a plain request per path, without the h2c upgrade attempt. */
    private static final HttpClient HTTP1 =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.auth=true",
                "-Dlhttp.auth.hmac-secret=" + SECRET,
                "-Dlhttp.nats.url=nats://lhttp:" + PLANTED + "@127.0.0.1:" + UberJarServer.freePort() + ",nats://"
                        + PLANTED_TOKEN + "@127.0.0.1:" + UberJarServer.freePort(),
                "-Dlhttp.upstream.allow=http://127.0.0.1:" + UberJarServer.freePort() + "/api");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theOpenApiDocumentIsGeneratedFromTheAnnotations() throws Exception {
        HttpResponse<String> r = get(server.httpUri(), "/openapi");
        assertEquals(200, r.statusCode(), r.body());
        OpenApiText.assertDescribesTheHttpApi(r.body());
    }

    @Test
    void openApiAndTheStatusAreForThisHostOnly() throws Exception {
        HttpResponse<String> status = get(server.httpUri(), "/publish/status");
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(
                status.body().startsWith("{\"instance\":") && status.body().contains("\"uptimeSeconds\":"),
                status.body());
        assertEquals(200, get(server.httpUri(), "/lhttp/status").statusCode(), "the old URL is kept");
        // Another host: the server is reached through this machine's own non-loopback address, so the
        // connection's source address is that address, not loopback.
        URI offHost = URI.create("http://" + Addresses.external().getHostAddress() + ":" + server.port() + "/");
        for (String path : List.of(
                "/openapi",
                "/openapi/",
                "/openapi?format=JSON",
                "/openapi;x",
                "/openapi/application.wadl",
                "/publish/status",
                "/lhttp/status",
                "/lhttp/metrics")) {
            HttpResponse<String> r = get(offHost, path);
            assertEquals(403, r.statusCode(), path + ": " + r.body());
            assertTrue(
                    r.body().contains("lhttp.publish.token") && !r.body().contains("openapi:"), path + ": " + r.body());
        }
    }

    @Test
    void refusedConnectionsAreCountedByReason() throws Exception {
        Map<String, Double> before = RefusalCounters.read(server.httpUri());
        RawHttp.Response origin = RawHttp.upgrade(server.wsUri(), "Origin: http://evil.example");
        assertEquals(403, origin.status());
        assertNull(origin.headers().get("sec-websocket-accept"));
        assertEquals(
                401,
                RawHttp.upgrade(URI.create(server.wsUri() + "?token=garbage")).status());
        String wronglySigned = Tokens.hmac(
                "another-secret-another-secret-another!!",
                Tokens.claims("alice", Instant.now().plusSeconds(600), List.of("room"))
                        .build());
        assertEquals(
                401,
                RawHttp.upgrade(URI.create(server.wsUri() + "?token=" + wronglySigned))
                        .status());
        String expired = Tokens.hmac(
                SECRET,
                Tokens.claims("alice", Instant.now().minusSeconds(3600), List.of("room"))
                        .build());
        assertEquals(
                401,
                RawHttp.upgrade(URI.create(server.wsUri() + "?token=" + expired))
                        .status());
        Map<String, Double> after = RefusalCounters.read(server.httpUri());
        assertEquals(1.0, after.get("origin") - before.get("origin"), "origin: " + after);
        assertEquals(2.0, after.get("token_invalid") - before.get("token_invalid"), "token_invalid: " + after);
        assertEquals(1.0, after.get("token_expired") - before.get("token_expired"), "token_expired: " + after);
        for (String reason : List.of("full", "per_address", "shutting_down", "inbound_budget", "frame_timeout")) {
            assertEquals(before.get(reason), after.get(reason), reason + " did not move: " + after);
        }
    }

    /**
     * Issue 18: credentials in URLs never leave the process. Every public answer (health, status,
     * metrics, OpenAPI, error frames and bodies, from this host and from another) and the server
     * log are searched for the planted password and token.
     */
    @Test
    void credentialsInUrlsAreInNoAnswerAndNotInTheLog() throws Exception {
        Await.until(
                Duration.ofSeconds(60), () -> log().contains("retrying forever"), "the failed NATS connect is logged");
        URI offHost = URI.create("http://" + Addresses.external().getHostAddress() + ":" + server.port() + "/");
        StringBuilder seen = new StringBuilder();
        for (URI base : List.of(server.httpUri(), offHost)) {
            for (String path : List.of(
                    "/health",
                    "/health/ready",
                    "/health/live",
                    "/health/started",
                    "/publish/status",
                    "/lhttp/status",
                    "/status.html",
                    "/lhttp/metrics",
                    "/openapi",
                    "/")) {
                HttpResponse<String> r = HTTP1.send(
                        HttpRequest.newBuilder(base.resolve(path))
                                .timeout(Duration.ofSeconds(60))
                                .build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                seen.append(base)
                        .append(path)
                        .append(' ')
                        .append(r.statusCode())
                        .append('\n')
                        .append(r.body())
                        .append('\n');
            }
        }
        HttpResponse<String> ready = get(offHost, "/health/ready");
        assertEquals(503, ready.statusCode(), "NATS is down: " + ready.body());
        assertTrue(
                ready.body().contains("\"lhttp-bus\"")
                        && ready.body().contains("DOWN")
                        && !ready.body().contains("nats:"),
                "a stranger sees the status only: " + ready.body());
        assertTrue(
                get(server.httpUri(), "/publish/status").body().contains("nats://***@127.0.0.1:"),
                "the operator still sees which servers, masked");
        String token = Tokens.hmac(
                SECRET,
                Tokens.claims("alice", Instant.now().plusSeconds(600), List.of("room"))
                        .build());
        try (SdkClient c = SdkClient.connect(URI.create(server.wsUri() + "?token=" + token))) {
            c.send(io.lhttp.it.support.Frames.frame("chat", "publish:room\r\n", "hi"));
            seen.append(c.next()).append('\n');
            c.send(io.lhttp.it.support.Frames.frame(
                    "get", "upstream:GET http://u:" + PLANTED + "@127.0.0.1:1/api/x\r\n", ""));
            seen.append(c.next()).append('\n');
        }
        seen.append(RawHttp.request(
                        server.httpUri(),
                        "POST",
                        "/publish",
                        "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi",
                        "Content-Type: text/plain")
                .body());
        String all = seen.toString();
        assertTrue(all.contains("\"UP\"") && all.contains("LHTTP/1.0 error"), all);
        for (String secret : List.of(PLANTED, PLANTED_TOKEN)) {
            assertTrue(!all.contains(secret), "answers show " + secret + ": " + all);
            assertTrue(!log().contains(secret), "the log shows " + secret);
        }
    }

    private static String log() {
        try {
            // Without the first line: the test's own command line, with the -D options, not the server's output.
            String log = java.nio.file.Files.readString(server.logFile(), StandardCharsets.ISO_8859_1);
            return log.startsWith("$ ") ? log.substring(log.indexOf('\n') + 1) : log;
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
