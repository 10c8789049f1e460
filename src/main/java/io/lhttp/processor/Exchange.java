package io.lhttp.processor;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.Part;
import io.lhttp.protocol.RequestId;
import jakarta.enterprise.inject.spi.CDI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One message on its way through the header filters and the processor of its command
 * (PROTOCOL.md §4): the request as received, the response being built, and the connection
 * it came from. Used on one thread at a time; not thread-safe.
 *
 * <p>The response starts as the request: its command and its headers (the {@code publish}
 * header included). What a processor sets here is what {@link #send(String)} sends back and
 * what the {@code publish} filter delivers to subscribers.
 *
 * <p><b>Answering later.</b> A processor that must wait for something (a database, another
 * service) returns at once and answers from another thread: keep {@link #connection()} (or build
 * the reply message before returning) and call {@link ClientConnection#send(Message)} when ready;
 * {@code ClientConnection.send} is thread-safe and never blocks. Do not use the exchange itself from
 * the other thread. See docs/YOUR-APP.md ("Answering asynchronously") for the
 * {@code ManagedExecutorService} pattern.
 *
 * <p><b>Publishing.</b> {@link #publish(String, String)} and {@link #publish(String, Message)}
 * send a message to every subscriber of a channel on every instance, through {@link Publisher}.
 *
 * <p><b>HTTP.</b> A message posted to {@code POST /publish} runs through the same header filters
 * in an exchange made by {@link #fromHttp(Message)}: it has no connection ({@link #connection()}
 * is null, {@link #isHttp()} is true), {@link #send} does nothing and {@link #fail} turns into the
 * HTTP status of the response.
 */
public final class Exchange {

    private final ClientConnection connection;
    private final Message request;
    private List<Part> parts = List.of();
    private String responseCommand;
    private List<Header> responseHeaders; // null while the response headers are the request's
    private Message response; // cached; reset by every change
    private int errorCode;
    private String errorReason;
    private final boolean http;
    private Map<String, Object> httpAttributes; // the attributes of a connection-less exchange

    /**
     * An exchange for a message a client sent on {@code connection}; made by the endpoint.
     *
     * @param connection the client's connection (null only in tests)
     * @param request    the message as received
     */
    public Exchange(ClientConnection connection, Message request) {
        this(connection, request, false);
    }

    private Exchange(ClientConnection connection, Message request, boolean http) {
        this.connection = connection;
        this.request = request;
        this.responseCommand = request.command();
        this.http = http;
    }

    /**
     * A connection-less exchange for a message posted to {@code POST /publish}: the header filters
     * run on it as on a WebSocket message, so a moderation or permission filter cannot be bypassed
     * over HTTP. Processors and the built-in subscribe, unsubscribe, upstream and publish filters do
     * not act on it (there is no client connection to answer, subscribe or reply to); the caller
     * publishes the response after the filters ({@code io.lhttp.publish.HttpPublish}).
     */
    public static Exchange fromHttp(Message request) {
        return new Exchange(null, request, true);
    }

    /** Whether this message came over {@code POST /publish} (no connection) rather than a WebSocket. */
    public boolean isHttp() {
        return http;
    }

    /**
     * The connection the message came from: thread-safe to {@link ClientConnection#send send} to
     * from any thread, also after the processor returned. Null for a message that came over
     * HTTP ({@link #isHttp()}).
     */
    public ClientConnection connection() {
        return connection;
    }

    /** The connection's id; "" for a message that came over HTTP. */
    public String connectionId() {
        return connection == null ? "" : connection.id();
    }

    /**
     * Per-connection attributes: what a filter or processor keeps between messages of one client.
     * For a message that came over HTTP, an empty map of this exchange alone.
     */
    public Map<String, Object> attributes() {
        if (connection != null) {
            return connection.attributes();
        }
        if (httpAttributes == null) {
            httpAttributes = new ConcurrentHashMap<>();
        }
        return httpAttributes;
    }

    /** The message as the client sent it. */
    public Message request() {
        return request;
    }

    /** The request's command. */
    public String command() {
        return request.command();
    }

    /** The request's header {@code name} as interpreted (case-insensitive key, trimmed value, last wins), or null. */
    public String header(String name) {
        return request.header(name);
    }

    /** The request's header lines, exactly as sent. */
    public List<Header> headers() {
        return request.headers();
    }

    /** The request's body. */
    public String body() {
        return request.body();
    }

    /** The parts of a {@code multipart} message, in order; empty for other messages. */
    public List<Part> parts() {
        return parts;
    }

    /** Sets the parsed parts; for the multipart header filter. */
    public void parts(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** The response command: the request's unless set. */
    public String responseCommand() {
        return responseCommand;
    }

    /** Sets the command of the response (what {@link #send} and {@code publish} deliver). */
    public Exchange responseCommand(String command) {
        Message.of(command, ""); // validates the token
        this.responseCommand = command;
        this.response = null;
        return this;
    }

    /** The response headers: the request's unless changed. */
    public List<Header> responseHeaders() {
        return responseHeaders == null ? request.headers() : List.copyOf(responseHeaders);
    }

    /** Adds a response header line. */
    public Exchange addHeader(String key, String value) {
        mutableHeaders().add(new Header(key, value));
        return this;
    }

    /** Replaces every response header line with key {@code key} (ignoring case) by one line. */
    public Exchange setHeader(String key, String value) {
        removeHeader(key);
        return addHeader(key, value);
    }

    /** Removes every response header line with key {@code key} (ignoring case). */
    public Exchange removeHeader(String key) {
        mutableHeaders().removeIf(h -> h.is(key));
        return this;
    }

    /** Removes all response headers. */
    public Exchange clearHeaders() {
        mutableHeaders().clear();
        return this;
    }

    private List<Header> mutableHeaders() {
        if (responseHeaders == null) {
            responseHeaders = new ArrayList<>(request.headers());
        }
        response = null;
        return responseHeaders;
    }

    /**
     * The response message with the request's body: what subscribers receive when the message
     * is published. While nothing was changed this is the request itself, so its frame is the
     * client's own text and publishing costs no encoding.
     */
    public Message response() {
        Message r = response;
        if (r == null) {
            r = responseHeaders == null && responseCommand.equals(request.command())
                    ? request
                    : Message.of(responseCommand, responseHeaders(), request.body());
            response = r;
        }
        return r;
    }

    /**
     * Sends the response command and headers with this body to the client that sent the message.
     * Does nothing for a message that came over HTTP (there is no client to answer).
     */
    public void send(String body) {
        if (connection != null) {
            connection.send(RequestId.tag(Message.of(responseCommand, responseHeaders(), body), requestId()));
        }
    }

    /**
     * Publishes a message with the response command, one header {@code publish: <channel>} (as a
     * client's own publish would carry) and this body to every subscriber of {@code channel}, on
     * every instance. The header filters do not run for it: it comes from the server.
     *
     * @return false when the bus cannot take it now (a cluster bus that is disconnected or full)
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     * @see Publisher#publish(String, Message)
     */
    public boolean publish(String channel, String body) {
        return publish(channel, Message.of(responseCommand, List.of(new Header("publish", channel)), body));
    }

    /**
     * Publishes {@code message}, exactly as given, to every subscriber of {@code channel}, on every
     * instance.
     *
     * @return false when the bus cannot take it now
     * @throws IllegalArgumentException when {@code channel} is not a valid channel name
     * @see Publisher#publish(String, Message)
     */
    public boolean publish(String channel, Message message) {
        return CDI.current().select(Publisher.class).get().publish(channel, message);
    }

    /**
     * Refuses the message: the client gets the error frame of PROTOCOL.md §5 (unless error
     * replies are off), and the built-in filters skip their work for it. A filter usually returns
     * without calling {@code proceed()} after this.
     *
     * @param code   400, 403, 409, 413, 429, 502, 503 or 504 (PROTOCOL.md §5)
     * @param reason one line for the client
     */
    public void fail(int code, String reason) {
        if (errorCode == 0) {
            errorCode = code;
            errorReason = reason;
            if (connection != null) {
                connection.sendError(code, reason, requestId());
            }
        }
    }

    /** The reason it was refused with, or null. */
    public String errorReason() {
        return errorReason;
    }

    /**
     * The request's {@code request-id} when it is valid (PROTOCOL.md §2.1), else null. Every answer
     * to this message ({@link #send}, {@link #fail}, an upstream reply) carries it.
     */
    public String requestId() {
        return RequestId.of(request);
    }

    /** Whether the message was refused by {@link #fail}. */
    public boolean failed() {
        return errorCode != 0;
    }

    /** The code it was refused with, or 0. */
    public int errorCode() {
        return errorCode;
    }
}
