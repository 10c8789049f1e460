package io.lhttp.it.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Addresses;
import io.lhttp.it.support.OpenApiText;
import io.lhttp.it.support.RefusalCounters;
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

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.auth=true", "-Dlhttp.auth.hmac-secret=" + SECRET);
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
        assertTrue(status.body().startsWith("{\"instance\":") && status.body().contains("\"uptimeSeconds\":"),
                status.body());
        assertEquals(200, get(server.httpUri(), "/lhttp/status").statusCode(), "the old URL is kept");
        // Another host: the server is reached through this machine's own non-loopback address, so the
        // connection's source address is that address, not loopback.
        URI offHost = URI.create("http://" + Addresses.external().getHostAddress() + ":" + server.port() + "/");
        for (String path : List.of("/openapi", "/openapi/", "/openapi?format=JSON", "/openapi;x",
                "/openapi/application.wadl", "/publish/status",
                "/lhttp/status", "/lhttp/metrics")) {
            HttpResponse<String> r = get(offHost, path);
            assertEquals(403, r.statusCode(), path + ": " + r.body());
            assertTrue(r.body().contains("lhttp.publish.token") && !r.body().contains("openapi:"), path + ": " + r.body());
        }
    }

    @Test
    void refusedConnectionsAreCountedByReason() throws Exception {
        Map<String, Double> before = RefusalCounters.read(server.httpUri());
        RawHttp.Response origin = RawHttp.upgrade(server.wsUri(), "Origin: http://evil.example");
        assertEquals(403, origin.status());
        assertNull(origin.headers().get("sec-websocket-accept"));
        assertEquals(401, RawHttp.upgrade(URI.create(server.wsUri() + "?token=garbage")).status());
        String wronglySigned = Tokens.hmac("another-secret-another-secret-another!!",
                Tokens.claims("alice", Instant.now().plusSeconds(600), List.of("room")).build());
        assertEquals(401, RawHttp.upgrade(URI.create(server.wsUri() + "?token=" + wronglySigned)).status());
        String expired = Tokens.hmac(SECRET, Tokens.claims("alice", Instant.now().minusSeconds(3600), List.of("room")).build());
        assertEquals(401, RawHttp.upgrade(URI.create(server.wsUri() + "?token=" + expired)).status());
        Map<String, Double> after = RefusalCounters.read(server.httpUri());
        assertEquals(1.0, after.get("origin") - before.get("origin"), "origin: " + after);
        assertEquals(2.0, after.get("token_invalid") - before.get("token_invalid"), "token_invalid: " + after);
        assertEquals(1.0, after.get("token_expired") - before.get("token_expired"), "token_expired: " + after);
        for (String reason : List.of("full", "per_address", "shutting_down", "inbound_budget", "frame_timeout")) {
            assertEquals(before.get(reason), after.get(reason), reason + " did not move: " + after);
        }
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
