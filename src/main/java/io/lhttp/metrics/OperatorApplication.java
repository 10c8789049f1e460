package io.lhttp.metrics;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/**
 * JAX-RS at {@code /lhttp}: the operator's endpoints (metrics, status), and nothing else, so that
 * {@code /publish}'s resource is not served here too.
 */
@ApplicationPath("/lhttp")
@OpenAPIDefinition(info = @Info(title = "lhttp HTTP API", version = "1.0",
        description = "POST /publish, and the operator's GET /lhttp/metrics and GET /lhttp/status. "
                + "The WebSocket protocol itself is in docs/PROTOCOL.md."))
public class OperatorApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(StatusResource.class);
    }

    /** No {@code /lhttp/application.wadl} on Jersey; other JAX-RS implementations ignore the key. */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.wadl.disableWadl", true);
    }
}
