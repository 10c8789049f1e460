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
 * Keeps {@link SseResource} to {@code /events}: the {@code /publish} application includes every
 * resource class it finds by scanning (JAX-RS's rule for an application that lists none), this one
 * too, so there a request for it is answered 404 before a stream would start.
 */
@Provider
@EventsOnly.Binding
public class EventsOnly implements ContainerRequestFilter {

    /** Binds this filter to {@link SseResource}. */
    @NameBinding
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    public @interface Binding {}

    @Override
    public void filter(ContainerRequestContext request) {
        String base = request.getUriInfo().getBaseUri().getPath();
        if (!base.endsWith("/events/") && !base.endsWith("/events")) {
            request.abortWith(Response.status(Response.Status.NOT_FOUND).build());
        }
    }
}
