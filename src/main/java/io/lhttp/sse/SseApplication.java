package io.lhttp.sse;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import java.util.Set;

/**
 * JAX-RS serves {@code /events} with {@link SseResource} alone (PROTOCOL.md §8), beside the
 * {@code /publish} application, so that {@code /} stays the WebSocket endpoint's and the pages'.
 */
@ApplicationPath("/events")
public class SseApplication extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(SseResource.class, EventsOnly.class);
    }

    /** As {@code PublishApplication}: no WADL from Jersey. */
    @Override
    public Map<String, Object> getProperties() {
        return Map.of("jersey.config.server.wadl.disableWadl", true);
    }
}
