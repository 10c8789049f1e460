package io.lhttp.it.limits;

import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Raw attacking connections, each on its own thread: it does what the test says, then reads until
 * the server closes it. {@link #closeCode} completes with the close code the server sent (1006 when
 * the socket ended without one).
 *
 * <p>Raw, not the SDK: attackers send unfinished frames and never answer pings.
 */
final class Attack implements AutoCloseable {

    interface Move {
        void run(RawWebSocket ws) throws IOException;
    }

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "attacker");
        t.setDaemon(true);
        return t;
    });
    private final java.util.List<RawWebSocket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Connects (on this thread, so the connection exists when this returns) and starts the move. */
    CompletableFuture<Integer> start(URI uri, int receiveBuffer, Move move) throws IOException {
        return start(uri, null, receiveBuffer, move);
    }

    /** As {@link #start(URI, int, Move)}, from the given local address (127.0.0.x: another client address), or any when null. */
    CompletableFuture<Integer> start(URI uri, java.net.InetAddress local, int receiveBuffer, Move move)
            throws IOException {
        RawWebSocket ws =
                RawWebSocket.connect(uri, local, Duration.ofSeconds(30), RawWebSocket.LARGE_BUFFERS, receiveBuffer);
        ws.answerPings(false); // pong bytes would land in the middle of an unfinished frame
        sockets.add(ws);
        CompletableFuture<Integer> close = new CompletableFuture<>();
        threads.execute(() -> {
            try {
                move.run(ws);
            } catch (IOException refusedMidway) {
                // the server closed while we were still writing: its close frame may still be readable
            }
            try {
                ws.readAll((b, o, l) -> {});
            } catch (IOException e) {
                // socket ended: closeCode() says whether a close frame came first
            }
            close.complete(ws.closeCode());
        });
        return close;
    }

    @Override
    public void close() {
        sockets.forEach(RawWebSocket::close);
        threads.shutdownNow();
    }
}
