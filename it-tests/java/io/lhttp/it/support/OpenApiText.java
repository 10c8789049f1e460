package io.lhttp.it.support;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks on the OpenAPI document a container serves at {@code /openapi} (YAML, its default
 * format on Payara, WildFly and TomEE), read as text: the operations that come from the
 * MicroProfile OpenAPI annotations on the JAX-RS resources, and the parts of the static
 * {@code META-INF/openapi.yaml}. The containers order and quote keys differently; these checks
 * look inside one path's block, not at the order.
 */
public final class OpenApiText {

    private OpenApiText() {}

    /** What every container must serve: {@code POST /publish}, {@code GET /publish/status}, the static parts. */
    public static void assertDescribesTheHttpApi(String yaml) {
        assertTrue(
                yaml.startsWith("openapi: 3") || yaml.startsWith("---\nopenapi: 3") || yaml.contains("\nopenapi: 3"),
                "an OpenAPI 3 document: " + head(yaml));
        assertTrue(yaml.contains("title: lhttp HTTP API"), "the @OpenAPIDefinition's info: " + head(yaml));

        String publish = path(yaml, "/publish");
        assertTrue(publish.contains("post:"), "POST /publish:\n" + publish);
        assertTrue(publish.contains("operationId: publish"), "the @Operation:\n" + publish);
        for (String code : new String[] {"202", "400", "401", "403", "408", "413", "503"}) {
            assertTrue(
                    publish.contains("\"" + code + "\":") || publish.contains("'" + code + "':"),
                    "POST /publish answers " + code + " (@APIResponse):\n" + publish);
        }
        assertTrue(
                publish.contains("text/plain:") && publish.contains("LHTTP/1.0 chat"),
                "the @RequestBody, text/plain with its example:\n" + publish);
        assertTrue(publish.contains("publishToken"), "the @SecurityRequirement:\n" + publish);
        assertTrue(
                !publish.contains("name: Authorization"),
                "the Authorization header is the security scheme's, " + "not a parameter:\n" + publish);

        String status = path(yaml, "/publish/status");
        assertTrue(
                status.contains("get:") && status.contains("operationId: status"), "GET /publish/status:\n" + status);
        assertTrue(
                status.contains("application/json:") && status.contains("#/components/schemas/Status"),
                "its JSON, the Status schema:\n" + status);
        for (String code : new String[] {"200", "401", "403", "404"}) {
            assertTrue(
                    status.contains("\"" + code + "\":") || status.contains("'" + code + "':"),
                    "GET /publish/status answers " + code + ":\n" + status);
        }

        assertTrue(path(yaml, "/lhttp/metrics").contains("get:"), "the static model's /lhttp/metrics");
        assertTrue(path(yaml, "/health/ready").contains("get:"), "the static model's health");
        assertTrue(yaml.contains("    Status:") && yaml.contains("uptimeSeconds:"), "the static model's Status schema");
        assertTrue(
                yaml.contains("  securitySchemes:")
                        && yaml.contains("    publishToken:")
                        && yaml.contains("scheme: bearer"),
                "the @SecurityScheme");
    }

    /** The block of one entry under {@code paths:} (indented two spaces), up to the next entry or section. */
    public static String path(String yaml, String path) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : yaml.split("\n")) {
            if (in) {
                if (!line.isBlank() && !line.startsWith("   ")) {
                    break;
                }
                out.add(line);
            } else if (line.equals("  " + path + ":")
                    || line.equals("  \"" + path + "\":")
                    || line.equals("  '" + path + "':")) {
                in = true;
                out.add(line);
            }
        }
        assertTrue(in, "no path " + path + " in the document:\n" + yaml);
        return String.join("\n", out);
    }

    private static String head(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "…" : s;
    }
}
