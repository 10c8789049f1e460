package io.lhttp.presence;

import static io.lhttp.config.ConfigKeys.DEFAULT_PRESENCE_INFO_MAX_BYTES;
import static io.lhttp.config.ConfigKeys.PRESENCE_CLIENT_INFO;
import static io.lhttp.config.ConfigKeys.PRESENCE_INFO_MAX_BYTES;

import io.lhttp.config.ConfigValues;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Opened;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.eclipse.microprofile.config.Config;

/**
 * A connection's public info (docs/PROTOCOL.md "Connection info"): a small JSON value that
 * presence answers and join/leave frames show beside the connection's id, as Centrifugo's
 * {@code conn_info}. It comes from the connect proxy's answer or a token's {@code info} claim
 * (the server's word: a client cannot change it), or, unless {@code lhttp.presence.client-info=false},
 * from the client itself: the handshake's query parameter {@code conn-info} or a frame's
 * {@code conn-info} header. Always valid JSON, kept compact, at most
 * {@code lhttp.presence.info-max-bytes} bytes.
 */
@ApplicationScoped
public class ConnInfo {

    /** The frame header and handshake query parameter a client sets its info with. */
    public static final String HEADER = "conn-info";

    /** Marks info the client set (it may set it again); info without the mark is the server's. */
    static final String FROM_CLIENT = ConnInfo.class.getName() + ".from-client";

    @Inject
    Config config;

    private int maxBytes;
    private boolean fromClients;

    @PostConstruct
    void load() {
        maxBytes = ConfigValues.positive(config, PRESENCE_INFO_MAX_BYTES, DEFAULT_PRESENCE_INFO_MAX_BYTES);
        fromClients =
                config.getOptionalValue(PRESENCE_CLIENT_INFO, Boolean.class).orElse(true);
    }

    /** The largest info, in bytes of its compact JSON. */
    public int maxBytes() {
        return maxBytes;
    }

    /**
     * The info as kept: compact JSON of at most {@link #maxBytes()} bytes.
     *
     * @throws ProtocolException 413 too long, 400 not JSON
     */
    public String validate(String raw) throws ProtocolException {
        if (raw.length() > maxBytes * 4 || raw.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new ProtocolException(413, "conn-info longer than " + maxBytes + " bytes");
        }
        JsonValue value;
        try (JsonReader reader = Json.createReader(new StringReader(raw))) {
            value = reader.readValue();
        } catch (JsonException | IllegalStateException e) {
            throw new ProtocolException(400, "conn-info must be one JSON value");
        }
        String compact = value.toString();
        if (compact.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw new ProtocolException(413, "conn-info longer than " + maxBytes + " bytes");
        }
        return compact;
    }

    /**
     * Sets the info a client sent.
     *
     * @throws ProtocolException 403 when clients may not set it or the server set it, 413/400 as {@link #validate}
     */
    public void setByClient(ClientConnection connection, String raw) throws ProtocolException {
        if (!fromClients) {
            throw new ProtocolException(403, "conn-info from clients is off on this server");
        }
        if (connection.attributes().containsKey(ClientConnection.INFO_ATTRIBUTE)
                && !connection.attributes().containsKey(FROM_CLIENT)) {
            throw new ProtocolException(403, "this connection's info was set by the server");
        }
        String info = validate(raw);
        connection.attributes().put(FROM_CLIENT, Boolean.TRUE);
        connection.attributes().put(ClientConnection.INFO_ATTRIBUTE, info);
    }

    /**
     * Sets info the server vouches for (a token's {@code info} claim): the client cannot change it
     * afterwards. Over {@link #maxBytes()} it is not taken (logged), and the connection keeps what it had.
     */
    public void setByServer(ClientConnection connection, String compactJson) {
        if (compactJson.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            java.util.logging.Logger.getLogger(ConnInfo.class.getName())
                    .fine(() -> "info of " + connection.id() + " longer than " + maxBytes + " bytes: not shown");
            return;
        }
        connection.attributes().remove(FROM_CLIENT);
        connection.attributes().put(ClientConnection.INFO_ATTRIBUTE, compactJson);
    }

    /** The handshake's {@code conn-info} parameter, if any; a bad one is answered with the error frame. */
    void opened(@Observes @Opened ClientConnection connection) {
        String raw = connection.handshake().parameter(HEADER);
        if (raw == null || raw.isEmpty()) {
            return;
        }
        if (connection.attributes().containsKey(ClientConnection.INFO_ATTRIBUTE)) {
            return; // the token or the connect proxy gave info: the server's word wins, quietly (a page may always send
            // its own)
        }
        try {
            setByClient(connection, raw);
        } catch (ProtocolException e) {
            connection.sendError(e.code(), e.reason(), null);
        }
    }
}
