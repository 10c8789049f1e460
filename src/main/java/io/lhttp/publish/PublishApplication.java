package io.lhttp.publish;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;

/**
 * JAX-RS serves {@code /publish} only, so that static pages and the WebSocket endpoint keep
 * {@code /} to themselves.
 */
@ApplicationPath("/publish")
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
