package io.lhttp.connection;

import jakarta.websocket.Session;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What differs between the WebSocket implementations the WAR runs on, in one place. Recognised
 * by class name, so that no container class is imported.
 */
final class Containers {

    private static final Logger LOG = Logger.getLogger(Containers.class.getName());
    private static final String TYRUS = "org.glassfish.tyrus.";
    private static final String UNDERTOW = "io.undertow.";

    private Containers() {}

    /**
     * How a session's send queue sends frames without waiting for each to be acknowledged
     * ({@code lhttp.send-batch} frames per acknowledged send), or null where every send must be
     * acknowledged:
     * <ul>
     * <li>Tyrus (Payara): its stream writer, which returns at once and skips the per-send idle
     * timer task of an acknowledged send.</li>
     * <li>Undertow (WildFly): the Jakarta batching API. Frames are queued with asynchronous sends
     * and one {@code flushBatch()} writes them all; Undertow's flush only schedules the write on
     * its I/O thread. One acknowledged send at a time flushed every frame on its own, and a
     * full-speed burst filled healthy readers' queues faster than that drained them. Batching is
     * on only while the queue sends ({@link SendQueue.StreamWriter#batching}): left on, it held
     * back the pongs and close frames Undertow owes the client.</li>
     * <li>Tomcat (TomEE) and others: none. Tomcat's {@code flushBatch()} blocks until written (a
     * stalled client would hold up the publisher) and concurrent asynchronous sends lose
     * messages there, so each frame is one acknowledged send.</li>
     * </ul>
     *
     * @param failed told when a send made without acknowledgement fails
     */
    static SendQueue.StreamWriter unacknowledgedWriter(Session session, Consumer<Throwable> failed) {
        String name = session.getClass().getName();
        if (name.startsWith(TYRUS)) {
            return SendQueue.StreamWriter.of(session.getBasicRemote());
        }
        if (name.startsWith(UNDERTOW)) {
            try {
                // Tried once here: a container that refuses batching gets acknowledged sends.
                session.getAsyncRemote().setBatchingAllowed(true);
                session.getAsyncRemote().setBatchingAllowed(false);
                return SendQueue.StreamWriter.batching(session.getAsyncRemote(), failed);
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "batching not allowed; every send acknowledged", e);
            }
        }
        return null;
    }

    /**
     * Turns the container's own idle timeout off with a negative value, on every container; our
     * sweeper ({@link Deadlines}) pings and closes idle connections instead. Why negative, not 0:
     * Tyrus 2.1.6, 2.2.1 and later schedule no idle-timer task per frame for a negative timeout,
     * but do schedule one (which then closes nothing) for 0; older Tyrus (Payara 6 ships 2.1.5)
     * treats a negative timeout as 0. Undertow ({@code IdleTimeoutConduit}) and Tomcat
     * ({@code WsSession.checkExpiration}) read any timeout below 1 as none, as the Jakarta
     * WebSocket API says of "zero or negative".
     */
    static void noIdleTimer(Session session) {
        try {
            session.setMaxIdleTimeout(-1);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "could not turn the container's idle timeout off", e);
        }
    }

    /**
     * Ends batching before a close frame: a batching container (Undertow) holds every frame,
     * the close frame too, until a flush, and disallowing batching sends what is held.
     */
    static void endBatching(Session session) {
        try {
            if (session.getAsyncRemote().getBatchingAllowed()) {
                session.getAsyncRemote().setBatchingAllowed(false);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "could not end batching before the close", e);
        }
    }

    /** Writes a control frame just sent (a ping) where a batching container would hold it back. */
    static void flushControl(Session session) throws IOException {
        if (session.getAsyncRemote().getBatchingAllowed()) {
            session.getAsyncRemote().flushBatch(); // Undertow's only schedules the write
        }
    }

    /** What web.xml adds to the hard frame cap for Tyrus's incoming buffer: 64 KiB and the longest frame header. */
    static final int TYRUS_BUFFER_SLACK = 65_536 + 14;

    /**
     * Issue 18: the bytes the container may buffer for this session's next frame before any
     * handler of ours sees a byte of it, or 0 where the container hands us parts as they arrive
     * (our {@link FrameAssembler} counts those). Tyrus reads every frame whole into a buffer of up
     * to {@code org.glassfish.tyrus.servlet.incoming-buffer-size} (web.xml: the hard frame cap plus
     * {@value #TYRUS_BUFFER_SLACK}).
     */
    static long unseenFrameBytes(Session session, int maxFrameHardBytes) {
        return session.getClass().getName().startsWith(TYRUS) ? (long) maxFrameHardBytes + TYRUS_BUFFER_SLACK : 0;
    }

    /**
     * Whether an error is Tyrus refusing a frame larger than its incoming buffer
     * ({@code org.glassfish.tyrus.servlet.incoming-buffer-size}, the name Tyrus's servlet container
     * reads, set in web.xml to the hard frame cap plus 64 KiB and the frame header; until issue 18
     * only {@code org.glassfish.tyrus.incomingBufferSize} was set, which the servlet container
     * ignores, so its 4 MiB default applied). Tyrus reads every frame whole before any handler sees a part of it, and
     * closes such a frame with 1011 after telling the endpoint; we close first, with 1009, as the
     * other containers and PROTOCOL.md do. A frame still arriving when it fills the buffer is
     * another path (Tyrus's servlet reader, "Tyrus input buffer exceeded"): Tyrus closes it with
     * 1011 and logs a warning without telling the endpoint, so there the code is Tyrus's.
     */
    static boolean incomingFrameTooBig(Session session, Throwable error) {
        return error instanceof IllegalArgumentException
                && "Buffer overflow.".equals(error.getMessage())
                && session.getClass().getName().startsWith(TYRUS);
    }
}
