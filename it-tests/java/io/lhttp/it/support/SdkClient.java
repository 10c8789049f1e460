package io.lhttp.it.support;

import io.lhttp.client.LhttpClient;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.ProtocolException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Java client SDK ({@link LhttpClient}) as tests drive it: one connection, no reconnect,
 * frames written out as text by the test (parsed, then sent byte for byte by the SDK), and every
 * frame that arrives, messages and error frames alike, queued in arrival order as its exact text
 * (one exception: the SDK works on parsed messages, so a frame without its blank line, sent or
 * received, gains one)
 * so that a test can wait for the next one and compare bytes. Frames no real client sends
 * (malformed LHTTP, broken WebSocket framing) go through {@link io.lhttp.testkit.RawWebSocket}.
 */
public final class SdkClient implements AutoCloseable {

    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Bounds well above the server's, so that a test can send what the server must refuse (413). */
    private static final MessageParser PARSER = new MessageParser(new Limits(64 << 20, 4096));

    private final LhttpClient client;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<LhttpClient.Close> closed = new CompletableFuture<>();

    private SdkClient(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        LhttpClient.Options options = new LhttpClient.Options().reconnect(false);
        headers.forEach(options::handshakeHeader);
        client = LhttpClient.connect(uri, options);
        CompletableFuture<Boolean> opened = new CompletableFuture<>();
        client.onOpen(opened::complete);
        client.onMessage(m -> received.add(m.frame()));
        client.onSubscribed(
                s -> received.add(s.message().frame())); // answers the SDK keeps apart: a test sees every frame
        client.onError(e -> received.add(
                e.message() == null
                        ? "unparseable frame: " + e.reason()
                        : e.message().frame()));
        client.onClose(closed::complete);
        if (client.state() == LhttpClient.State.OPEN) {
            opened.complete(
                    true); // opened before the listener above was added (the connect runs on the client's own thread)
        }
        try {
            // Opened, even if the server closes right after (as it does with 1013 when full): like a
            // WebSocket connect, this succeeds once the handshake has.
            CompletableFuture.anyOf(opened, closed).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // reported below
        }
        if (!opened.isDone()) {
            client.close();
            throw new IOException("no connection to " + uri + ": " + closed.getNow(null));
        }
    }

    public static SdkClient connect(URI uri) throws IOException, InterruptedException {
        return new SdkClient(uri, Map.of());
    }

    /** Connects with these extra handshake headers (e.g. {@code Origin}, {@code Cookie}). */
    public static SdkClient connect(URI uri, Map<String, String> headers) throws IOException, InterruptedException {
        return new SdkClient(uri, headers);
    }

    /** The SDK client underneath, for what a test does through its own API. */
    public LhttpClient sdk() {
        return client;
    }

    /**
     * Sends this frame, exactly these characters; it must be LHTTP/1.0 (size and header count
     * are not checked: those are the server's to refuse).
     */
    public SdkClient send(String frame) {
        Message message;
        try {
            message = PARSER.parse(frame);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("not an LHTTP frame (" + e.reason() + "): send it with RawWebSocket", e);
        }
        client.send(message);
        return this;
    }

    /**
     * Sends one frame unless the server has already closed the connection (as it does with 1013
     * right after the handshake when full); returns whether the frame was handed to the socket.
     */
    public boolean sendIfOpen(String frame) {
        try {
            send(frame);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        }
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
    public LhttpClient.Close awaitClose() throws Exception {
        return closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean isOpen() {
        return client.state() == LhttpClient.State.OPEN;
    }

    @Override
    public void close() {
        client.close();
    }
}
