package io.lhttp.publish;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * JAX-RS serves {@code /publish} only, so that static pages and the WebSocket endpoint keep
 * {@code /} to themselves: {@code POST /publish} and {@code GET /publish/status}
 * ({@link io.lhttp.metrics.StatusResource}). One application, found by scanning: TomEE serves
 * MicroProfile Health under it ({@code /publish/health}) only so.
 *
 * <p>The OpenAPI document the container serves at {@code /openapi} is built from the annotations
 * here and on the resources, merged with {@code META-INF/openapi.yaml} (what is not ours to
 * annotate: {@code /lhttp/metrics}, health, the status schema).
 */
@ApplicationPath("/publish")
@OpenAPIDefinition(
        info =
                @Info(
                        title = "lhttp HTTP API",
                        version = "1.0",
                        description =
                                "POST /publish and this instance's status (docs/OPERATING.md). The WebSocket protocol "
                                        + "itself is in docs/PROTOCOL.md."))
@SecurityScheme(
        securitySchemeName = "publishToken",
        type = SecuritySchemeType.HTTP,
        scheme = "bearer",
        description = "lhttp.publish.token. Without it /publish and the operator's endpoints answer only clients "
                + "on the server's host (unless reopened, docs/SECURITY.md).")
public class PublishApplication extends Application {

    /**
     * Jersey (Payara, GlassFish) would also serve {@code /publish/application.wadl}, describing
     * the API and naming its own version to anyone; other JAX-RS implementations ignore the key.
     */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.wadl.disableWadl", true);
    }
}
