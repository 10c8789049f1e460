package io.lhttp.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.CacheControl;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /publish/status}: this instance's figures for {@code /status.html}, a resource of the
 * one JAX-RS application ({@link io.lhttp.publish.PublishApplication}) so that the container's
 * {@code /openapi} describes it from these annotations. {@link OperatorGuard} decides who may
 * read it before JAX-RS runs.
 */
@Path("status")
@ApplicationScoped
@Tag(name = "operations", description = "this instance's figures, for its operator")
public class StatusResource {

    @Inject
    StatusDocument status;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "status",
            summary = "This instance's figures now, for the status page",
            description = "Counters are totals since start (the page derives rates); the configuration is the "
                    + "effective one, secrets shown as ***. The same document is at GET /lhttp/status.")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(
            responseCode = "200",
            description = "the figures",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "Status")))
    @APIResponse(responseCode = "401", description = "lhttp.publish.token is set and was not sent as a bearer token")
    @APIResponse(
            responseCode = "403",
            description =
                    "no token is set and the client is not on this host " + "(lhttp.status.allow-remote-without-token)")
    @APIResponse(responseCode = "404", description = "lhttp.metrics.enabled=false")
    public Response get() {
        if (!status.enabled()) {
            return Response.status(Response.Status.NOT_FOUND).build();
        }
        CacheControl noStore = new CacheControl();
        noStore.setNoStore(true);
        return Response.ok(status.json(), MediaType.APPLICATION_JSON_TYPE)
                .cacheControl(noStore)
                .build();
    }
}
