package io.lhttp.publish;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/**
 * JAX-RS serves {@code /publish} only, so that static pages and the WebSocket endpoint keep
 * {@code /} to themselves.
 */
@ApplicationPath("/publish")
public class PublishApplication extends Application {
}
