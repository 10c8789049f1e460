package io.lhttp.connection;

import jakarta.websocket.Session;

/**
 * What differs between the WebSocket implementations the WAR runs on, in one place. Recognised
 * by class name, so that no container class is imported.
 */
final class Containers {

    private static final String TYRUS = "org.glassfish.tyrus.";

    private Containers() {
    }

    /**
     * Whether the session's stream writer returns without waiting for the write: Tyrus's does
     * (one whole frame per write and close, completion not reported); Tomcat's and Undertow's
     * block until written, which would let a slow client hold up the publisher.
     */
    static boolean nonBlockingStreamWriter(Session session) {
        return session.getClass().getName().startsWith(TYRUS);
    }

    /**
     * Whether an error is Tyrus refusing a frame larger than its incoming buffer
     * ({@code org.glassfish.tyrus.incomingBufferSize}, set in web.xml to the hard frame cap plus
     * the frame header). Tyrus reads every frame whole before any handler sees a part of it, and
     * closes such a frame with 1011 after telling the endpoint; we close first, with 1009, as the
     * other containers and PROTOCOL.md do.
     */
    static boolean incomingFrameTooBig(Session session, Throwable error) {
        return error instanceof IllegalArgumentException && "Buffer overflow.".equals(error.getMessage())
                && session.getClass().getName().startsWith(TYRUS);
    }
}
