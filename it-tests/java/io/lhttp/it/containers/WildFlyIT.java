package io.lhttp.it.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.ContainerServer;
import io.lhttp.it.support.OpenApiText;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The WAR on WildFly 39 ({@code standalone-microprofile.xml}), unpacked by the build into target/servers/. */
class WildFlyIT extends ContainerContract {

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    ContainerServer.Kind kind() {
        return ContainerServer.Kind.WILDFLY;
    }

    /**
     * WildFly's MicroProfile OpenAPI (SmallRye) builds {@code /openapi} from the WAR's annotations
     * and static model. It serves it outside the WAR, where lhttp's OperatorGuard does not run: the
     * Undertow filter of {@code server-config/wildfly-operator-only.txt} (installed by ContainerServer
     * as by {@code server-config/wildfly.sh}) answers only clients on this host that do not come
     * through a proxy; a forwarded request is another host's.
     */
    @Test
    void openApiIsGeneratedFromTheAnnotationsForThisHostOnly() throws Exception {
        HttpResponse<String> doc = get("/openapi");
        assertEquals(200, doc.statusCode(), doc.body());
        OpenApiText.assertDescribesTheHttpApi(doc.body());
        for (String[] proxied : new String[][] {{"X-Forwarded-For", "203.0.113.7"}, {"Forwarded", "for=203.0.113.7"}}) {
            HttpResponse<String> refused = get("/openapi?format=JSON", proxied);
            assertEquals(403, refused.statusCode(), proxied[0] + ": " + refused.body());
            assertFalse(refused.body().contains("lhttp HTTP API"), refused.body());
        }
        // The status JSON is a JAX-RS resource (RESTEasy here) behind OperatorGuard: the token is set.
        assertEquals(401, get("/publish/status").statusCode());
        HttpResponse<String> status = get("/publish/status", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"uptimeSeconds\":"), status.body());
    }

    private HttpResponse<String> get(String path, String... header) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.httpUri().resolve(path));
        if (header.length == 2) b.header(header[0], header[1]);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * RESTEasy (6.2) writes one {@code data:} line per run of line ends in an SSE event's data, so
     * an empty line of the frame (the one that ends its headers, empty lines of its body) does not
     * reach an EventSource on WildFly (PROTOCOL.md §8).
     */
    @Override
    String sseData(String frame) {
        return frame.replaceAll("\n+", "\n");
    }
}
