package io.lhttp.connection;

import io.lhttp.meters.Meters;
import io.lhttp.processor.Exchange;
import io.lhttp.protocol.Batch;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.protocol.RequestId;
import io.lhttp.protocol.Utf8;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import jakarta.websocket.DecodeException;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.nio.ByteBuffer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * LHTTP over WebSocket at {@code /} (the URL the original SDK and chat demo use). One instance
 * per connection. Every frame is answered or dispatched; a bad frame gets the error frame of
 * PROTOCOL.md §5 and the connection stays open.
 *
 * <p>Frames are received in parts ({@code @OnMessage} with a {@code boolean last}) and put
 * together by a {@link FrameAssembler}, which closes with 1009 the moment a frame passes
 * {@code lhttp.max-frame-hard-bytes}; each whole frame is then decoded by the
 * {@link MessageDecoder}. A whole-message handler would let the container buffer the frame first,
 * and the containers disagree on how (see {@link FrameAssembler}).
 *
 * <p>Instances come from {@link EndpointFactory}, with its shared dependencies; a container that
 * makes them itself injects the factory, and the endpoint takes them from it at open.
 *
 * <p>A client that offers the {@value Batch#SUBPROTOCOL} subprotocol gets it (the container's
 * default negotiation: the first offered that the endpoint lists); such a client may send and
 * receive batch frames (PROTOCOL.md §7). A client that offers none or only others gets no
 * subprotocol, as before, and one message per frame.
 */
@ServerEndpoint(value = "/", subprotocols = Batch.SUBPROTOCOL, configurator = HandshakeConfigurator.class)
public class LhttpEndpoint {

    private static final Logger LOG = Logger.getLogger(LhttpEndpoint.class.getName());

    /** Set by the container when it makes the endpoint itself (one injection point, not seven). */
    @Inject
    EndpointFactory factory;

    private EndpointFactory.Dependencies d;

    /** For the container, which then injects {@link #factory}. */
    public LhttpEndpoint() {}

    /** For {@link EndpointFactory}. */
    LhttpEndpoint(EndpointFactory.Dependencies dependencies) {
        this.d = dependencies;
    }

    /**
     * See {@link #dispatch}: the context class loader the container gave this connection's
     * callbacks (the application's), and the one left behind between frames.
     */
    private ClassLoader applicationLoader;

    private static final ClassLoader BETWEEN_FRAMES = ClassLoader.getPlatformClassLoader();

    private Connection connection;
    private FrameAssembler frames;
    private MessageDecoder decoder;

    @OnOpen
    public void open(Session session) {
        applicationLoader = Thread.currentThread().getContextClassLoader();
        if (d == null) {
            d = factory.dependencies();
        }
        connection = d.connections().open(session);
        if (connection != null) {
            frames = new FrameAssembler(
                    d.config().maxFrameHardBytes(), d.deadlines().budget());
            decoder = new MessageDecoder(d.config().parser());
            connection.frames(frames);
            d.deadlines().watch(connection);
            d.opened().fire(connection);
        }
    }

    /** A text frame, or a part of one. */
    @OnMessage
    public void onText(String part, boolean last) {
        if (connection == null) {
            return; // refused at open (connection limit): nothing to dispatch to
        }
        connection.received();
        String frame;
        try {
            frame = frames.text(part, last);
        } catch (FrameAssembler.Refused refused) {
            refuse(refused);
            return;
        }
        if (frame == null) {
            return; // more to come
        }
        if (connection.batching() && Batch.isBatch(frame)) {
            onBatch(frame);
            return;
        }
        onWholeText(frame);
    }

    /**
     * A batch frame (PROTOCOL.md §7): within the frame-size limit as a whole, then each message
     * handled as if it had come in a frame of its own, in order (rate limit, errors, request ids).
     */
    private void onBatch(String frame) {
        java.util.List<String> messages;
        try {
            if (Utf8.exceeds(frame, d.config().limits().maxFrameBytes())) {
                throw new ProtocolException(
                        413, "batch frame larger than " + d.config().limits().maxFrameBytes() + " bytes");
            }
            messages = Batch.split(frame);
        } catch (ProtocolException bad) {
            Meters.received();
            if (admit(null)) {
                connection.sendError(bad.code(), bad.reason(), null);
            }
            return;
        }
        SendQueue.cork(); // what the batch's messages send to batching connections goes out packed
        try {
            for (String message : messages) {
                onWholeText(message);
            }
        } finally {
            SendQueue.uncork();
        }
    }

    private void onWholeText(String frame) {
        Meters.received();
        Message message;
        try {
            message = decoder.decode(frame);
        } catch (DecodeException e) {
            // A frame that does not parse whole may still say which request it was (PROTOCOL.md §2.1).
            String requestId = RequestId.scan(frame);
            if (admit(requestId)) {
                ProtocolException bad = (ProtocolException) e.getCause();
                connection.sendError(bad.code(), bad.reason(), requestId);
            }
            return;
        }
        if (connection.tryAcquireMessage()) {
            dispatch(message);
        } else {
            refuseRate(RequestId.of(message));
        }
    }

    /** A binary frame, or a part of one: read as UTF-8 text (PROTOCOL.md §1). */
    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        if (connection == null) {
            return;
        }
        connection.received();
        ByteBuffer frame;
        try {
            frame = frames.binary(part, last);
        } catch (FrameAssembler.Refused refused) {
            refuse(refused);
            return;
        }
        if (frame == null) {
            return;
        }
        Meters.received();
        if (!connection.tryAcquireMessage()) {
            refuseRate(RequestId.scan(lenient(frame))); // counted before parsing: a flood costs no parse
            return;
        }
        Message message;
        try {
            message = d.config().parser().parse(frame);
        } catch (ProtocolException e) {
            connection.sendError(e.code(), e.reason(), RequestId.scan(lenient(frame)));
            return;
        }
        dispatch(message);
    }

    /** The answer to our ping (or an unsolicited one): the client is alive. */
    @OnMessage
    public void onPong(PongMessage pong) {
        if (connection != null) {
            connection.received();
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
    private void dispatch(Message message) {
        Thread thread = Thread.currentThread();
        thread.setContextClassLoader(applicationLoader);
        try {
            d.dispatcher().dispatch(new Exchange(connection, message));
        } finally {
            thread.setContextClassLoader(BETWEEN_FRAMES);
        }
    }

    @OnError
    public void onError(Session session, Throwable error) {
        if (connection != null && Containers.incomingFrameTooBig(session, error)) {
            tooBig();
            return;
        }
        LOG.log(Level.FINE, "connection " + session.getId() + " failed", error);
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        if (connection == null) {
            return;
        }
        d.deadlines().unwatch(connection);
        d.registry().removeAll(connection);
        d.connections().closed(connection);
        connection.released();
        d.closed().fire(connection);
    }

    /** Counts the frame against the client's rate; over it, the client gets 429 and the frame is dropped. */
    private boolean admit(String requestId) {
        if (connection.tryAcquireMessage()) {
            return true;
        }
        refuseRate(requestId);
        return false;
    }

    private void refuseRate(String requestId) {
        connection.sendError(
                429, "too many messages: at most " + d.config().maxMessagesPerSecond() + " per second", requestId);
    }

    /** A refused binary frame's text for {@link RequestId#scan}: bytes that are not UTF-8 become U+FFFD. */
    private static String lenient(ByteBuffer frame) {
        return java.nio.charset.StandardCharsets.UTF_8.decode(frame.duplicate()).toString();
    }

    private void refuse(FrameAssembler.Refused refused) {
        if (refused.refusal() == FrameAssembler.Refusal.TOO_BIG) {
            tooBig();
        } else {
            Meters.refused(Meters.Refusal.INBOUND_BUDGET);
            connection.close(
                    CloseReason.CloseCodes.TRY_AGAIN_LATER, "server busy: too many unfinished frames, try again later");
        }
    }

    private void tooBig() {
        connection.close(
                CloseReason.CloseCodes.TOO_BIG,
                "frame larger than " + d.config().maxFrameHardBytes() + " bytes");
    }
}
