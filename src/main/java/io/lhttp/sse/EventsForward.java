package io.lhttp.sse;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import java.io.IOException;

/**
 * Serves {@code GET /events} (PROTOCOL.md §8) with {@link SseResource}, which lives in the one
 * JAX-RS application ({@code /publish}): a WAR may hold only one portably (a second one made
 * WildFly's OpenAPI document lose the first's paths), and {@code /} must stay the WebSocket
 * endpoint's and the pages'. The request is forwarded as it is, query and headers included; the
 * {@code /publish} filters do not run for a forward, and {@link EventsOnly} answers 404 to a
 * request that reaches {@code /publish/events} without coming through here.
 */
@WebFilter(filterName = "lhttp-events", urlPatterns = "/events", asyncSupported = true)
public class EventsForward implements jakarta.servlet.Filter {

    /** Where the resource is inside the JAX-RS application. */
    static final String TARGET = "/publish/events";

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        request.getRequestDispatcher(TARGET).forward(request, response);
    }
}
