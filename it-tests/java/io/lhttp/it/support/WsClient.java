package io.lhttp.it.support;

import jakarta.websocket.ClientEndpointConfig;
import jakarta.websocket.CloseReason;
import jakarta.websocket.ContainerProvider;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.Session;
import jakarta.websocket.WebSocketContainer;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A WebSocket client for tests (Tyrus over real loopback sockets): sends raw frames, queues
 * every frame it receives, and records how the connection closed.
 */
public final class WsClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final WebSocketContainer CONTAINER = ContainerProvider.getWebSocketContainer();

    static {
        CONTAINER.setDefaultMaxTextMessageBufferSize(4 << 20);
        CONTAINER.setDefaultMaxBinaryMessageBufferSize(4 << 20);
    }

    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
    private final Session session;

    private WsClient(URI uri) throws Exception {
        this(uri, java.util.Map.of());
    }

    private WsClient(URI uri, java.util.Map<String, String> headers) throws Exception {
        Endpoint endpoint = new Endpoint() {
            @Override
            public void onOpen(Session s, EndpointConfig config) {
                s.addMessageHandler(String.class, (MessageHandler.Whole<String>) received::add);
            }

            @Override
            public void onClose(Session s, CloseReason reason) {
                closed.complete(reason);
            }
        };
        ClientEndpointConfig config = ClientEndpointConfig.Builder.create()
                .configurator(new ClientEndpointConfig.Configurator() {
                    @Override
                    public void beforeRequest(java.util.Map<String, java.util.List<String>> request) {
                        headers.forEach((k, v) -> request.put(k, java.util.List.of(v)));
                    }
                }).build();
        session = CONTAINER.connectToServer(endpoint, config, uri);
    }

    public static WsClient connect(URI uri) throws Exception {
        return new WsClient(uri);
    }

    /** Connects with these extra handshake headers (e.g. {@code Origin}, {@code Cookie}). */
    public static WsClient connect(URI uri, java.util.Map<String, String> headers) throws Exception {
        return new WsClient(uri, headers);
    }

    /** Sends one text frame, exactly these characters. */
    public WsClient send(String frame) throws IOException {
        session.getBasicRemote().sendText(frame);
        return this;
    }

    /**
     * Sends one text frame unless the server has already closed the connection (as it does
     * with 1013 right after the handshake when full); returns whether the frame was sent.
     */
    public boolean sendIfOpen(String frame) throws IOException {
        try {
            session.getBasicRemote().sendText(frame);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        } catch (IOException e) {
            if (session.isOpen()) {
                throw e;
            }
            return false;
        }
    }

    /** Sends one binary frame. */
    public WsClient sendBinary(byte[] frame) throws IOException {
        session.getBasicRemote().sendBinary(ByteBuffer.wrap(frame));
        return this;
    }

    /** The next frame received, waiting at most {@link #TIMEOUT}; fails when none comes. */
    public String next() throws InterruptedException {
        String frame = received.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (frame == null) {
            throw new AssertionError("no frame received within " + TIMEOUT);
        }
        return frame;
    }

    /** The next frame, or null when the connection closes first; fails when neither happens within {@link #TIMEOUT}. */
    public String nextOrClose() throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String frame = received.poll(20, TimeUnit.MILLISECONDS);
            if (frame != null) {
                return frame;
            }
            if (closed.isDone()) {
                return received.poll();
            }
        }
        throw new AssertionError("neither a frame nor a close within " + TIMEOUT);
    }

    /** The frame received next, if one is already here. */
    public String poll() {
        return received.poll();
    }

    /** How the connection closed, waiting at most {@link #TIMEOUT}. */
    public CloseReason awaitClose() throws Exception {
        return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public void close() throws IOException {
        if (session.isOpen()) {
            session.close();
        }
    }
}
