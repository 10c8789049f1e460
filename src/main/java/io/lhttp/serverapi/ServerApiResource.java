package io.lhttp.serverapi;

import io.lhttp.admission.AdmissionConfig;
import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.ServerApi;
import io.lhttp.publish.PublishGuard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The server API over HTTP (docs/SERVER-API.md, the served /openapi), under
 * {@code /publish/api/}: the operator's door. Who may use it: with {@code lhttp.publish.token}
 * set, whoever sends it as {@code Authorization: Bearer} (401 otherwise); without it, clients on
 * this host only (403 otherwise) — {@code lhttp.publish.allow-remote-without-token} and
 * {@code lhttp.status.allow-remote-without-token} do not open it. {@link PublishGuard} refuses
 * cross-site writes before this runs. Actions are POSTs of {@code application/x-www-form-urlencoded}
 * bodies (at most {@value #MAX_BODY_BYTES} bytes); answers are JSON, errors plain text.
 */
@Path("api")
@ApplicationScoped
@Tag(name = "server API", description = "disconnect, subscribe and read the running cluster (docs/SERVER-API.md)")
public class ServerApiResource {

    /** Largest form body: 256 channels of 128 characters, encoded, fit. */
    static final int MAX_BODY_BYTES = 65_536;
    /** Form fields one request may hold. */
    static final int MAX_FIELDS = ServerApi.MAX_CHANNELS + 8;
    /** A disconnect's code when none is given: an application code, "disconnected by the server". */
    static final int DEFAULT_CODE = 4000;

    static final String DEFAULT_REASON = "disconnected by the server";
    private static final String BEARER = "Bearer ";

    @Inject
    ServerApi api;

    @Inject
    LhttpConfig config;

    @Inject
    AdmissionConfig admission;

    @POST
    @Path("{op: disconnect|subscribe|unsubscribe}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "serverApiAction",
            summary = "Disconnect, subscribe or unsubscribe a user's (or one connection's) live connections,"
                    + " on every instance",
            description = "Form fields: user or connection (exactly one); disconnect: code (default 4000),"
                    + " reason; subscribe/unsubscribe: channel (repeated, or space-separated channels).")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(responseCode = "200", description = "what each instance that answered in time did")
    @APIResponse(responseCode = "400", description = "a field missing or out of its limits")
    @APIResponse(responseCode = "401", description = "lhttp.publish.token is set and was not sent as a bearer token")
    @APIResponse(responseCode = "403", description = "no token is set and the client is not on this host")
    @APIResponse(responseCode = "413", description = "the form is larger than 65536 bytes")
    public Response act(
            @PathParam("op") String op,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServletRequest request,
            InputStream body) {
        Response denied = access(authorization, request);
        if (denied != null) {
            return denied;
        }
        Form form;
        try {
            form = Form.read(body);
        } catch (TooLarge e) {
            return text(413, "the form is larger than " + MAX_BODY_BYTES + " bytes");
        } catch (IOException | IllegalArgumentException e) {
            return text(400, "not a form: " + e.getMessage());
        }
        return answer(() -> {
            form.allowOnly(
                    switch (op) {
                        case "disconnect" -> Set.of("user", "connection", "code", "reason");
                        default -> Set.of("user", "connection", "channel", "channels");
                    });
            ServerApi.Target target = new ServerApi.Target(form.one("user"), form.one("connection"));
            return Json.outcome(
                    switch (op) {
                        case "disconnect" ->
                            api.disconnect(
                                    target,
                                    form.one("code") == null ? DEFAULT_CODE : parseInt("code", form.one("code")),
                                    form.one("reason") == null ? DEFAULT_REASON : form.one("reason"));
                        case "subscribe" -> api.subscribe(target, form.channels());
                        default -> api.unsubscribe(target, form.channels());
                    });
        });
    }

    @GET
    @Path("presence")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "serverApiPresence", summary = "A channel's members on every instance")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(responseCode = "200", description = "the members, at most lhttp.presence.max-entries")
    @APIResponse(responseCode = "400", description = "no channel, or a bad channel name")
    public Response presence(
            @QueryParam("channel") String channel,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServletRequest request) {
        Response denied = access(authorization, request);
        return denied != null ? denied : answer(() -> Json.presence(api.presence(required("channel", channel))));
    }

    @GET
    @Path("history")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(
            operationId = "serverApiHistory",
            summary = "A history channel's kept messages: the newest limit, or the oldest limit after since")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(responseCode = "200", description = "the messages, oldest first, with their positions")
    @APIResponse(responseCode = "400", description = "no channel, a bad channel, limit (1-1000) or since")
    @APIResponse(responseCode = "503", description = "the history store cannot be read now")
    public Response history(
            @QueryParam("channel") String channel,
            @QueryParam("limit") String limit,
            @QueryParam("since") String since,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServletRequest request) {
        Response denied = access(authorization, request);
        return denied != null
                ? denied
                : answer(() -> Json.history(api.history(
                        required("channel", channel), limit == null ? 100 : parseInt("limit", limit), since)));
    }

    @GET
    @Path("channels")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "serverApiChannels", summary = "Each instance's channels with subscribers now, and counts")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(responseCode = "200", description = "per instance, at most limit channels (default 1000, 1-10000)")
    @APIResponse(responseCode = "400", description = "a bad limit")
    public Response channels(
            @QueryParam("limit") String limit,
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServletRequest request) {
        Response denied = access(authorization, request);
        return denied != null
                ? denied
                : answer(() -> Json.channels(api.channels(limit == null ? 1000 : parseInt("limit", limit))));
    }

    @GET
    @Path("info")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "serverApiInfo", summary = "Each instance's connection, channel and subscription counts")
    @SecurityRequirement(name = "publishToken")
    @APIResponse(responseCode = "200", description = "per instance that answered in time")
    public Response info(
            @Parameter(hidden = true) @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @Context HttpServletRequest request) {
        Response denied = access(authorization, request);
        return denied != null ? denied : answer(() -> Json.info(api.info()));
    }

    private static Response answer(Supplier<String> json) {
        try {
            return Response.ok(json.get(), MediaType.APPLICATION_JSON_TYPE).build();
        } catch (IllegalArgumentException e) {
            return text(400, e.getMessage());
        } catch (IllegalStateException e) {
            return text(503, e.getMessage());
        }
    }

    private static String required(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static int parseInt(String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number");
        }
    }

    static Response text(int status, String text) {
        return Response.status(status)
                .entity(text + "\n")
                .type(MediaType.TEXT_PLAIN)
                .build();
    }

    /** Null when the client may use the API; else the answer that refuses it. */
    private Response access(String authorization, HttpServletRequest request) {
        String token = config.publishToken();
        if (!token.isEmpty()) {
            if (bearerMatches(authorization, token)) {
                return null;
            }
            return Response.status(401)
                    .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"lhttp\"")
                    .entity("the lhttp.publish.token is required as a bearer token\n")
                    .type(MediaType.TEXT_PLAIN)
                    .build();
        }
        String client = admission
                .trustedProxies()
                .clientAddress(request.getRemoteAddr(), Collections.list(request.getHeaders("X-Forwarded-For")));
        return PublishGuard.isLoopback(client)
                ? null
                : text(403, "only this host may use the server API without lhttp.publish.token");
    }

    private static boolean bearerMatches(String authorization, String token) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.getBytes(StandardCharsets.UTF_8)); // constant time
    }

    /** The form is over {@link #MAX_BODY_BYTES}. */
    static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;
    }

    /** A bounded {@code application/x-www-form-urlencoded} body. */
    static final class Form {
        private final List<String[]> fields;

        private Form(List<String[]> fields) {
            this.fields = fields;
        }

        static Form read(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] chunk = new byte[8192];
            int n;
            while ((n = in.read(chunk)) >= 0) {
                out.write(chunk, 0, n);
                if (out.size() > MAX_BODY_BYTES) {
                    throw new TooLarge();
                }
            }
            return parse(out.toString(StandardCharsets.UTF_8));
        }

        static Form parse(String body) {
            List<String[]> fields = new ArrayList<>();
            if (!body.isEmpty()) {
                for (String pair : body.split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    if (fields.size() >= MAX_FIELDS) {
                        throw new IllegalArgumentException("more than " + MAX_FIELDS + " fields");
                    }
                    int eq = pair.indexOf('=');
                    String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                    String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                    fields.add(new String[] {k, v});
                }
            }
            return new Form(fields);
        }

        void allowOnly(Set<String> names) {
            for (String[] f : fields) {
                if (!names.contains(f[0])) {
                    throw new IllegalArgumentException(
                            "unknown field '" + (f[0].length() > 40 ? f[0].substring(0, 40) : f[0])
                                    + "'; this operation takes " + new java.util.TreeSet<>(names));
                }
            }
        }

        /** The field's value; null when absent. */
        String one(String name) {
            String found = null;
            for (String[] f : fields) {
                if (f[0].equals(name)) {
                    if (found != null) {
                        throw new IllegalArgumentException(name + " given twice");
                    }
                    found = f[1];
                }
            }
            return found;
        }

        /** Every {@code channel} field, and the space-separated names of {@code channels}. */
        List<String> channels() {
            List<String> out = new ArrayList<>();
            for (String[] f : fields) {
                if (f[0].equals("channel")) {
                    out.add(f[1]);
                } else if (f[0].equals("channels")) {
                    for (String c : f[1].trim().split(" +")) {
                        if (!c.isEmpty()) {
                            out.add(c);
                        }
                    }
                }
                if (out.size() > ServerApi.MAX_CHANNELS) {
                    throw new IllegalArgumentException("name 1-" + ServerApi.MAX_CHANNELS + " channels");
                }
            }
            return out;
        }
    }
}
