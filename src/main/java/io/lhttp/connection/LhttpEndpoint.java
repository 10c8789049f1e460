package io.lhttp.connection;

import io.lhttp.admission.ClientAddress;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.config.LhttpConfig;
import io.lhttp.metrics.Meters;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Dispatcher;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.Opened;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.protocol.Utf8;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * LHTTP over WebSocket at {@code /} (the URL the original SDK and chat demo use). One instance
 * per connection. Every frame is answered or dispatched; a bad frame gets the error frame of
 * PROTOCOL.md §5 and the connection stays open.
 */
@ServerEndpoint(value = "/", decoders = MessageDecoder.class, encoders = MessageEncoder.class,
        configurator = ClientAddress.Configurator.class)
public class LhttpEndpoint {

    private static final Logger LOG = Logger.getLogger(LhttpEndpoint.class.getName());

    @Inject
    LhttpConfig config;

    @Inject
    Connections connections;

    @Inject
    ChannelRegistry registry;

    @Inject
    Dispatcher dispatcher;

    @Inject
    @Opened
    Event<Connection> opened;

    @Inject
    @Closed
    Event<Connection> closed;

    /**
     * See {@link #onMessage}: the context class loader the container gave this connection's
     * callbacks (the application's), and the one left behind between frames.
     */
    private ClassLoader applicationLoader;
    private static final ClassLoader BETWEEN_FRAMES = ClassLoader.getPlatformClassLoader();

    private Connection connection;

    @OnOpen
    public void open(Session session) {
        // Frames over the hard cap are never buffered whole: the container closes with 1009.
        session.setMaxTextMessageBufferSize(config.maxFrameHardBytes());
        session.setMaxBinaryMessageBufferSize(config.maxFrameHardBytes());
        applicationLoader = Thread.currentThread().getContextClassLoader();
        connection = connections.open(session);
        if (connection != null) {
            opened.fire(connection);
        }
    }

    /**
     * Dispatches with the application's context class loader, and leaves the platform loader
     * behind. Why: before each frame it reads, Tyrus reschedules the session's idle timer on
     * Payara's managed scheduled executor, whose context capture runs a {@code ServiceLoader}
     * lookup over the context class loader; with the application's loader that scans every jar
     * of the server, and cost more than the whole fan-out of a one-subscriber publish
     * (docs/BENCHMARKS.md). Frames that arrive together are read in one loop, so all but the
     * first see the cheap loader. Processors and filters still run with the application's.
     */
    @OnMessage
    public void onMessage(Message message) {
        if (connection == null) {
            return; // refused at open (connection limit): nothing to dispatch to
        }
        Meters.received();
        Thread thread = Thread.currentThread();
        thread.setContextClassLoader(applicationLoader);
        try {
            if (admit()) {
                dispatcher.dispatch(new Exchange(connection, message));
            }
        } finally {
            thread.setContextClassLoader(BETWEEN_FRAMES);
        }
    }

    /** Binary frames are read as UTF-8 text (PROTOCOL.md §1). */
    @OnMessage
    public void onBinary(ByteBuffer frame) {
        if (connection == null) {
            return;
        }
        Meters.received();
        if (frame.remaining() > config.maxFrameHardBytes()) {
            tooBig();
        } else if (admit()) {
            try {
                dispatcher.dispatch(new Exchange(connection, config.parser().parse(frame)));
            } catch (ProtocolException e) {
                connection.sendError(e.code(), e.reason());
            }
        }
    }

    @OnError
    public void onError(Session session, Throwable error) {
        if (connection != null && error instanceof DecodeException decode
                && decode.getCause() instanceof ProtocolException bad) {
            if (decode.getText() != null && Utf8.exceeds(decode.getText(), config.maxFrameHardBytes())) {
                tooBig();
            } else if (admit()) {
                connection.sendError(bad.code(), bad.reason());
            }
            return;
        }
        LOG.log(Level.FINE, "connection " + session.getId() + " failed", error);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (connection == null) {
            return;
        }
        registry.removeAll(connection);
        connections.closed(connection);
        connection.released();
        closed.fire(connection);
    }

    /** Counts the frame against the client's rate; over it, the client gets 429 and the frame is dropped. */
    private boolean admit() {
        if (connection.tryAcquireMessage()) {
            return true;
        }
        connection.sendError(429, "too many messages: at most " + config.maxMessagesPerSecond() + " per second");
        return false;
    }

    private void tooBig() {
        connection.close(CloseReason.CloseCodes.TOO_BIG, "frame larger than " + config.maxFrameHardBytes() + " bytes");
    }
}
