package io.lhttp.sse;

import jakarta.ws.rs.NameBinding;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keeps {@link SseResource} to {@code /events}: a request that reaches {@code /publish/events}
 * directly, not forwarded by {@link EventsForward}, is answered 404 before a stream would start.
 */
@Provider
@EventsOnly.Binding
public class EventsOnly implements ContainerRequestFilter {

    /** Binds this filter to {@link SseResource}. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Binding {}

    @jakarta.ws.rs.core.Context
    jakarta.servlet.http.HttpServletRequest servlet;

    @Override
    public void filter(ContainerRequestContext request) {
        if (servlet.getAttribute(jakarta.servlet.RequestDispatcher.FORWARD_REQUEST_URI) == null) {
            request.abortWith(Response.status(Response.Status.NOT_FOUND).build());
        }
    }
}
