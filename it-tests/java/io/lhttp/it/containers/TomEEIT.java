package io.lhttp.it.containers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.ContainerServer;
import io.lhttp.it.support.OpenApiText;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The WAR on TomEE 9 MicroProfile (Tomcat 10.0, Jakarta EE 9.1), unpacked by the build into target/servers/. */
class TomEEIT extends ContainerContract {

    private final HttpClient http = HttpClient.newHttpClient();

    @Override
    ContainerServer.Kind kind() {
        return ContainerServer.Kind.TOMEE;
    }

    /**
     * TomEE's MicroProfile OpenAPI (SmallRye) registers {@code /openapi} inside the WAR, so
     * OperatorGuard applies as to the status JSON: with lhttp.publish.token set (it is here), the
     * token or 401. The static model is read from the WAR's own {@code META-INF/openapi.yaml}.
     * Health still answers under the one JAX-RS application with the status resource added to it.
     */
    @Test
    void openApiIsGeneratedFromTheAnnotationsAndAsksForTheToken() throws Exception {
        for (String path : new String[] {"/openapi", "/openapi/", "/publish/status"}) {
            assertEquals(401, get(path, null).statusCode(), path);
            assertEquals(401, get(path, "wrong").statusCode(), path);
        }
        HttpResponse<String> doc = get("/openapi", TOKEN);
        assertEquals(200, doc.statusCode(), doc.body());
        OpenApiText.assertDescribesTheHttpApi(doc.body());
        HttpResponse<String> status = get("/publish/status", TOKEN);
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"uptimeSeconds\":"), status.body());
        HttpResponse<String> ready = get("/publish/health/ready", null);
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("\"lhttp-bus\""), ready.body());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        // TomEE 9's /openapi answers 500 to a request without Accept (it lower-cases the header unchecked);
        // curl and browsers send one.
        HttpRequest.Builder b =
                HttpRequest.newBuilder(server.httpUri().resolve(path)).header("Accept", "*/*");
        if (token != null) b.header("Authorization", "Bearer " + token);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
