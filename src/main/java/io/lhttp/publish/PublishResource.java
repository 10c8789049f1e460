package io.lhttp.publish;

import io.lhttp.admission.AddressCounter;
import io.lhttp.admission.AdmissionConfig;
import io.lhttp.admission.RateLimitedLog;
import io.lhttp.channel.Channels;
import io.lhttp.config.LhttpConfig;
import io.lhttp.memory.MemoryConfig;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.IdempotencyKey;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.Semaphore;
import java.util.logging.Logger;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /publish} (PROTOCOL.md §3): the body is one LHTTP message with a {@code publish}
 * header, delivered as posted to every subscriber of the channels it names, on every instance.
 * 202 published, 400 not LHTTP or no valid channel, 401 token required, 413 too large,
 * 503 the cluster bus cannot take it now, or {@code lhttp.publish.max-concurrent} bodies are being
 * received already ({@code lhttp.publish.max-concurrent-per-address} from the client's address); 408 the body took longer than {@code lhttp.publish.read-timeout-ms}.
 */
@Path("/")
@ApplicationScoped
@Tag(name = "publish", description = "publishing over HTTP (PROTOCOL.md §3)")
public class PublishResource {

    private static final String BEARER = "Bearer ";
    /** Answer header of a publish whose idempotency key made it a duplicate on every channel (as Stripe names it). */
    static final String REPLAYED = "Idempotent-Replayed";

    private static final Logger LOG = Logger.getLogger(PublishResource.class.getName());
    /** Aborted and timed-out bodies come in floods when someone tries: a few lines, then a count. */
    private static final RateLimitedLog WARNINGS = new RateLimitedLog(LOG);

    @Inject
    LhttpConfig config;

    @Inject
    MemoryConfig memory;

    @Inject
    AdmissionConfig admission;

    @Inject
    HttpPublish httpPublish;

    private Semaphore reading;
    private final AddressCounter perAddress = new AddressCounter();

    @PostConstruct
    void init() {
        reading = new Semaphore(config.publishMaxConcurrent());
    }

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(
            operationId = "publish",
            summary = "Publish one LHTTP message to the channels of its publish header, on every instance",
            description = "Delivered as posted (unless a header filter changes it) to every subscriber of the "
                    + "channels it names. Without lhttp.publish.token only clients on the server's host may post.")
    @SecurityRequirement(name = "publishToken")
    @RequestBody(
            required = true,
            description = "one LHTTP message (PROTOCOL.md) with a publish header",
            content =
                    @Content(
                            mediaType = MediaType.TEXT_PLAIN,
                            schema = @Schema(type = SchemaType.STRING),
                            examples =
                                    @ExampleObject(
                                            name = "chat",
                                            value = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello")))
    @APIResponse(
            responseCode = "202",
            description = "published; with the header Idempotent-Replayed: true when its Idempotency-Key"
                    + " had been published with on every channel already (nothing delivered again)")
    @APIResponse(
            responseCode = "400",
            description = "not LHTTP, no publish header, no valid channel, or a bad Idempotency-Key")
    @APIResponse(responseCode = "401", description = "lhttp.publish.token is set and was not sent as a bearer token")
    @APIResponse(
            responseCode = "403",
            description = "a command reserved for the server (error), or no token "
                    + "is set and the client is not on this host (lhttp.publish.allow-remote-without-token)")
    @APIResponse(responseCode = "408", description = "the body took longer than lhttp.publish.read-timeout-ms")
    @APIResponse(responseCode = "413", description = "larger than lhttp.max-frame-bytes")
    @APIResponse(
            responseCode = "503",
            description = "the cluster bus cannot take it now, or too many bodies are "
                    + "being received (lhttp.publish.max-concurrent, lhttp.publish.max-concurrent-per-address)")
    public Response publish(
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Parameter(
                            description = "makes a retry land once per channel within lhttp.idempotency.window-ms"
                                    + " (PROTOCOL.md §2.5): 1-64 characters of A-Z a-z 0-9 _ - . :")
                    @HeaderParam(IdempotencyKey.HTTP_HEADER)
                    String idempotencyKey,
            @Context HttpServletRequest request,
            InputStream body)
            throws IOException {
        if (!authorized(authorization)) {
            return Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lhttp\"")
                    .entity("a bearer token is required\n")
                    .build();
        }
        if (!memory.memoryBudget().acceptsNewWork()) {
            io.lhttp.meters.Meters.refused(io.lhttp.meters.Meters.Refusal.MEMORY_BUDGET);
            return busy("server memory budget full: try again later");
        }
        // Slow bodies hold a container worker thread each while they trickle in: at most this many,
        // and only a few of them from one client address, so that one client cannot take them all.
        String address = admission
                .trustedProxies()
                .clientAddress(request.getRemoteAddr(), request.getHeaders("X-Forwarded-For"));
        if (!perAddress.tryAcquire(address, config.publishMaxConcurrentPerAddress())) {
            return busy("too many publish requests being received from your address: at most "
                    + config.publishMaxConcurrentPerAddress() + " at once");
        }
        if (!reading.tryAcquire()) {
            perAddress.release(address);
            return busy(
                    "too many publish requests being received: at most " + config.publishMaxConcurrent() + " at once");
        }
        byte[] bytes;
        try {
            bytes = read(body);
        } catch (TooSlow e) {
            WARNINGS.warning("POST /publish body not received within {0} ms: answered 408", e.millis);
            return Response.status(Response.Status.REQUEST_TIMEOUT)
                    .header("Connection", "close")
                    .entity("the body did not arrive within " + e.millis + " ms\n")
                    .type(MediaType.TEXT_PLAIN)
                    .build();
        } catch (IOException e) {
            // The client went away mid-body. Caught here, or Jersey and the servlet container would
            // each log the exception with its whole stack (~170 lines per aborted body).
            WARNINGS.warning("POST /publish body aborted by the client: {0}", e.toString());
            return Response.status(Response.Status.BAD_REQUEST)
                    .header("Connection", "close")
                    .build();
        } finally {
            reading.release();
            perAddress.release(address);
        }
        int limit = config.limits().maxFrameBytes();
        try {
            if (bytes.length > limit) {
                throw new ProtocolException(413, "message larger than " + limit + " bytes");
            }
            Message message = config.parser().parse(ByteBuffer.wrap(bytes));
            if (Channels.RESERVED_COMMANDS.contains(message.command())) {
                // Error frames come only from the server to one connection (docs/SECURITY.md), never from a channel.
                throw new ProtocolException(403, "command '" + message.command() + "' is reserved for the server");
            }
            String publish = message.header("publish");
            if (publish == null) {
                throw new ProtocolException(400, "the message has no publish header");
            }
            ChannelNames.parseList(publish); // a bad channel list is 400 before any filter runs
            // The HTTP header, else the message's own idempotency-key header; a bad one is 400.
            String key = idempotencyKey != null ? IdempotencyKey.check(idempotencyKey) : IdempotencyKey.of(message);
            // delivered exactly as posted unless a header filter changes it: see HttpPublish
            boolean delivered = httpPublish.publish(message, new String(bytes, StandardCharsets.UTF_8), key);
            return delivered
                    ? Response.accepted().build()
                    : Response.accepted().header(REPLAYED, "true").build();
        } catch (ProtocolException e) {
            return Response.status(e.code())
                    .entity(e.reason() + "\n")
                    .type(MediaType.TEXT_PLAIN)
                    .build();
        }
    }

    private static Response busy(String reason) {
        return Response.status(Response.Status.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .header("Connection", "close") // the body stays unread: the connection cannot be reused
                .entity(reason + "\n")
                .type(MediaType.TEXT_PLAIN)
                .build();
    }

    /**
     * Reads the body, one byte past the size limit and never more (so what a client can make us
     * buffer is bounded), within {@code lhttp.publish.read-timeout-ms}. The deadline is checked
     * whenever bytes arrive; a client that sends nothing at all is cut off by the container's own
     * idle read timeout.
     */
    private byte[] read(InputStream body) throws IOException, TooSlow {
        int max = config.limits().maxFrameBytes() + 1;
        long millis = config.publishReadTimeout().toMillis();
        long deadline = System.nanoTime() + config.publishReadTimeout().toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] chunk = new byte[Math.min(max, 8192)];
        while (out.size() < max) {
            int n = body.read(chunk, 0, Math.min(chunk.length, max - out.size()));
            if (n < 0) {
                break;
            }
            out.write(chunk, 0, n);
            if (System.nanoTime() - deadline > 0) {
                throw new TooSlow(millis);
            }
        }
        return out.toByteArray();
    }

    /** The body took longer than the read deadline. */
    private static final class TooSlow extends Exception {
        private static final long serialVersionUID = 1L;
        final long millis;

        TooSlow(long millis) {
            super(null, null, false, false); // thrown for control flow: no stack trace to fill
            this.millis = millis;
        }
    }

    private boolean authorized(String authorization) {
        String token = config.publishToken();
        if (token.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8)); // constant time
    }
}
