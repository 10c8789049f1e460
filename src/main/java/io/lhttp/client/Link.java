package io.lhttp.client;

import io.lhttp.protocol.Batch;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connection behind an {@link LhttpClient}: opens the socket, reconnects after a drop with
 * backoff and jitter, subscribes again and then sends what was queued while disconnected, and
 * closes for good. Its state, the queue, the {@link Sender} and the {@link Subscriptions} are
 * guarded by one lock; listeners are called outside it.
 */
final class Link {

    private static final Logger LOG = Logger.getLogger(LhttpClient.class.getName());

    private final URI url;
    private final LhttpClient.Options options;
    private final Listeners listeners;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    // guarded by lock:
    private final Sender sender = new Sender(lock);
    private final Subscriptions subscriptions = new Subscriptions();
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private LhttpClient.State state = LhttpClient.State.CONNECTING;
    private int attempt;
    private boolean opened;

    Link(URI url, LhttpClient.Options options, Listeners listeners) {
        this.url = url;
        this.options = options;
        this.listeners = listeners;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lhttp-client-" + url.getHost());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.connectTimeout)
                .executor(timer)
                .build();
    }

    /** Connects on the client's thread, after the caller has added its listeners. */
    void start() {
        timer.execute(this::open);
    }

    URI url() {
        return url;
    }

    LhttpClient.State state() {
        synchronized (lock) {
            return state;
        }
    }

    boolean batching() {
        synchronized (lock) {
            return sender.batching();
        }
    }

    List<String> channels() {
        synchronized (lock) {
            return subscriptions.channels();
        }
    }

    Map<String, String> positions() {
        synchronized (lock) {
            return subscriptions.positions();
        }
    }

    /** Sends one frame, or queues it while disconnected. */
    void send(Message message) {
        synchronized (lock) {
            if (state == LhttpClient.State.CLOSED) {
                throw new IllegalStateException("the client is closed");
            }
            if (state == LhttpClient.State.OPEN && sender.writable()) {
                write(message);
            } else {
                if (queue.size() >= options.maxQueue) {
                    throw new IllegalStateException("send queue full (" + options.maxQueue + " frames)");
                }
                queue.add(message);
            }
        }
    }

    /** Closes for good: no reconnect, queued frames are dropped. */
    void close(int code, String reason) {
        WebSocket ws;
        synchronized (lock) {
            if (state == LhttpClient.State.CLOSED) {
                return;
            }
            queue.clear();
            ws = sender.socket();
            setState(LhttpClient.State.CLOSED);
        }
        if (ws != null && !ws.isOutputClosed()) {
            CompletableFuture<?> done;
            synchronized (lock) {
                done = sender.close(ws, code, reason);
            }
            try {
                done.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
        timer.schedule(timer::shutdown, 2, TimeUnit.SECONDS); // lets the close handshake finish
    }

    /** Sends now (lock held); records subscriptions as the server will apply them. */
    private void write(Message message) {
        sender.write(MessageWriter.write(message.command(), message.headers(), message.body()));
        subscriptions.sent(message);
    }

    private void open() {
        synchronized (lock) {
            if (state == LhttpClient.State.CLOSED) {
                return;
            }
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(options.connectTimeout);
        if (options.batching) {
            builder.subprotocols(Batch.SUBPROTOCOL);
        }
        options.handshakeHeaders.forEach(builder::header);
        builder.buildAsync(url, new Receiver(this, listeners)).whenComplete((ws, error) -> {
            if (error != null) {
                LOG.log(Level.FINE, "connecting to {0} failed: {1}", new Object[] {url, error});
                Listeners.emit(
                        listeners.close,
                        new LhttpClient.Close(
                                1006, String.valueOf(error.getCause() == null ? error : error.getCause())));
                dropped();
            }
        });
    }

    /** The socket is open: subscribe again, send what was queued, then tell the listeners. */
    void opened(WebSocket ws) {
        boolean reconnected;
        synchronized (lock) {
            if (state == LhttpClient.State.CLOSED) {
                ws.abort();
                return;
            }
            sender.attach(ws);
            reconnected = opened;
            opened = true;
            attempt = 0;
            setState(LhttpClient.State.OPEN);
            for (Message frame : subscriptions.resubscription()) {
                write(frame);
            }
            while (!queue.isEmpty()) {
                write(queue.poll());
            }
        }
        Listeners.emit(listeners.open, reconnected);
    }

    /** The server closed the socket: answer its close frame, then reconnect. */
    void closedByServer(WebSocket ws, int code) {
        synchronized (lock) {
            if (state != LhttpClient.State.CLOSED && !ws.isOutputClosed()) {
                ws.sendClose(code == WebSocket.NORMAL_CLOSURE ? code : WebSocket.NORMAL_CLOSURE, "");
            }
        }
        dropped();
    }

    /** The socket is gone (or never came): the next attempt after a delay, unless reconnecting is off. */
    void dropped() {
        long delay;
        int n;
        synchronized (lock) {
            sender.detach();
            if (state == LhttpClient.State.CLOSED) {
                return;
            }
            if (!options.reconnect) {
                queue.clear();
                setState(LhttpClient.State.CLOSED);
                timer.shutdown();
                return;
            }
            n = ++attempt;
            delay = options.delayBefore(n);
            setState(opened ? LhttpClient.State.RECONNECTING : LhttpClient.State.CONNECTING);
        }
        Listeners.emit(listeners.reconnecting, new LhttpClient.Reconnecting(n, delay));
        timer.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    /** The answer to a subscribe with positions: the channel's position, and after a reconnect whether all was recovered. */
    void subscribed(Message message) {
        String channel = message.header("channel");
        String position = message.header("position");
        String recovered = message.header("recovered");
        boolean wasRecovering;
        synchronized (lock) {
            wasRecovering = subscriptions.answered(channel, position);
        }
        Listeners.emit(
                listeners.subscribed,
                new LhttpClient.Subscribed(
                        channel, position, recovered == null ? null : "true".equals(recovered), message));
        if (wasRecovering) {
            Listeners.emit(listeners.recovered, new LhttpClient.Recovered(channel, "true".equals(recovered)));
        }
    }

    /** A message arrived: its position, if any, moves its channel's. */
    void delivered(Message message) {
        String position = Subscriptions.position(message);
        if (position == null) {
            return;
        }
        synchronized (lock) {
            subscriptions.delivered(message, position);
        }
    }

    private void setState(LhttpClient.State next) { // lock held
        if (state != next) {
            state = next;
            timer.execute(() -> Listeners.emit(listeners.state, next));
        }
    }
}
