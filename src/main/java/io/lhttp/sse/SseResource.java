package io.lhttp.sse;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/**
 * {@code GET /events?channel=a&channel=b} (PROTOCOL.md §8; forwarded here by {@link EventsForward}): an EventSource subscription. Refusals
 * are plain HTTP answers before the stream starts: 400 bad channels or {@code Last-Event-ID}, 401
 * token missing or not valid, 403 origin not allowed or a channel not permitted, 429 more channels
 * than {@code lhttp.max-channels}, 503 connection limits or shutting down.
 */
@Path("events")
@ApplicationScoped
@EventsOnly.Binding
public class SseResource {

    @Inject
    SseStreams streams;

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context HttpServletRequest request, @Context SseEventSink sink, @Context Sse sse) {
        SseStreams.Refusal refusal = streams.open(request, sink, sse);
        if (refusal != null) {
            Response.ResponseBuilder answer = Response.status(refusal.status())
                    .type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity(refusal.reason() + "\n");
            if (refusal.status() == 401) {
                answer.header("WWW-Authenticate", "Bearer realm=\"lhttp\"");
            }
            throw new WebApplicationException(answer.build());
        }
    }
}
