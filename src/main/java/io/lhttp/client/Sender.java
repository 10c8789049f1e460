package io.lhttp.client;

import io.lhttp.protocol.Batch;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Writes frames to the client's current socket, one send at a time. Where the socket negotiated
 * batch frames (PROTOCOL.md §7), frames that wait while a send is under way go out together in
 * one batch frame. Guarded by the client's lock, which the completion of a send takes too.
 */
final class Sender {

    /**
     * Most chars in one batch frame the client sends: at most 3 UTF-8 bytes each, so within the
     * 40960-byte frame limit of the strictest configuration (PROTOCOL.md §1) whatever the text.
     */
    static final int MAX_BATCH_CHARS = 8192;

    private final Object lock;
    private WebSocket socket;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null); // one send at a time
    private boolean batched; // the current socket negotiated batch frames
    private final ArrayDeque<String> outbox = new ArrayDeque<>(); // batched: frames waiting for the send under way
    private CompletableFuture<Void>
            outboxDrained; // batched: completes when the outbox is empty and no send is under way

    Sender(Object lock) {
        this.lock = lock;
    }

    /** A new socket is open: sends go to it from now on. */
    void attach(WebSocket ws) {
        socket = ws;
        sending = CompletableFuture.completedFuture(null);
        batched = Batch.SUBPROTOCOL.equals(ws.getSubprotocol());
        outbox.clear();
        outboxDrained = null;
    }

    void detach() {
        socket = null;
    }

    WebSocket socket() {
        return socket;
    }

    boolean batching() {
        return socket != null && batched;
    }

    boolean writable() {
        return socket != null && !socket.isOutputClosed();
    }

    /** Sends one frame's text after those before it. */
    void write(String text) {
        WebSocket ws = socket;
        if (batched) {
            outbox.add(text);
            if (outboxDrained == null) {
                outboxDrained = new CompletableFuture<>();
                sending = outboxDrained;
                sendOutbox(ws);
            }
        } else {
            sending = sending.handle((x, e) -> null).thenCompose(x -> ws.sendText(text, true));
        }
    }

    /** Sends the close frame after the frames before it; completes when it is sent. */
    CompletableFuture<?> close(WebSocket ws, int code, String reason) {
        return sending = sending.handle((x, e) -> null).thenCompose(x -> ws.sendClose(code, reason));
    }

    /**
     * Sends what waits in the outbox as one frame: a lone frame as it is, several as a batch
     * frame of at most {@link #MAX_BATCH_CHARS}; when that send completes, the next. Lock held.
     */
    private void sendOutbox(WebSocket ws) {
        String first = outbox.poll();
        if (first == null || socket != ws) {
            outbox.clear();
            CompletableFuture<Void> drained = outboxDrained;
            outboxDrained = null;
            if (drained != null) {
                drained.complete(null);
            }
            return;
        }
        String frame = first;
        int total = Batch.recordLength(first);
        if (!outbox.isEmpty() && total + Batch.recordLength(outbox.peek()) <= MAX_BATCH_CHARS) {
            StringBuilder batch = Batch.append(new StringBuilder(), first);
            while (!outbox.isEmpty() && total + Batch.recordLength(outbox.peek()) <= MAX_BATCH_CHARS) {
                String next = outbox.poll();
                Batch.append(batch, next);
                total += Batch.recordLength(next);
            }
            frame = batch.toString();
        }
        ws.sendText(frame, true).whenComplete((w, error) -> {
            synchronized (lock) {
                if (error != null) {
                    outbox.clear(); // the socket is failing: its close is reported on its own
                }
                sendOutbox(ws);
            }
        });
    }
}
