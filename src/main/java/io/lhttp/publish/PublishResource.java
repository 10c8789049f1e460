package io.lhttp.publish;

import io.lhttp.channel.Bus;
import io.lhttp.channel.PublishFilter;
import io.lhttp.config.LhttpConfig;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * {@code POST /publish} (PROTOCOL.md §3): the body is one LHTTP message with a {@code publish}
 * header, delivered as posted to every subscriber of the channels it names, on every instance.
 * 202 published, 400 not LHTTP or no valid channel, 401 token required, 413 too large,
 * 503 the cluster bus cannot take it now.
 */
@Path("/")
@ApplicationScoped
public class PublishResource {

    private static final String BEARER = "Bearer ";

    @Inject
    LhttpConfig config;

    @Inject
    Bus bus;

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public Response publish(@HeaderParam(HttpHeaders.AUTHORIZATION) String authorization, InputStream body)
            throws IOException {
        if (!authorized(authorization)) {
            return Response.status(Response.Status.UNAUTHORIZED)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lhttp\"")
                    .entity("a bearer token is required\n").build();
        }
        // Read one byte past the limit, never more: the size of what a client can make us buffer is bounded.
        int limit = config.limits().maxFrameBytes();
        byte[] bytes = body.readNBytes(limit + 1);
        try {
            if (bytes.length > limit) {
                throw new ProtocolException(413, "message larger than " + limit + " bytes");
            }
            Message message = config.parser().parse(ByteBuffer.wrap(bytes));
            if (PublishFilter.RESERVED_COMMANDS.contains(message.command())) {
                // Error frames come only from the server to one connection (docs/SECURITY.md), never from a channel.
                throw new ProtocolException(403, "command '" + message.command() + "' is reserved for the server");
            }
            String publish = message.header("publish");
            if (publish == null) {
                throw new ProtocolException(400, "the message has no publish header");
            }
            List<String> channels = ChannelNames.parseList(publish);
            String frame = new String(bytes, StandardCharsets.UTF_8); // delivered exactly as posted
            for (String channel : channels) {
                bus.publish(channel, frame);
            }
            return Response.accepted().build();
        } catch (ProtocolException e) {
            return Response.status(e.code()).entity(e.reason() + "\n").type(MediaType.TEXT_PLAIN).build();
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
