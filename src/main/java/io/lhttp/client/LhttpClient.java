package io.lhttp.client;

import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A connection to an LHTTP server that reconnects by itself and re-subscribes to the channels it
 * held: the Java twin of the JavaScript SDK's {@code Client} (webapp/lhttp.js, docs/CLIENTS.md "Java
 * client"), on the JDK's {@link java.net.http.WebSocket} and the protocol core only.
 *
 * <p>Frames sent while disconnected are queued (up to {@link Options#maxQueue}) and sent, in
 * order, after the re-subscription. With {@link Options#recover} it also recovers what was
 * published while it was away, from the server's channel history (PROTOCOL.md §2.2), and says
 * per channel whether that was complete ({@link #onRecovered}). Listeners run on the client's WebSocket thread, one event at
 * a time; a listener that throws is logged and does not stop the others.
 *
 * <p>By default it offers the server batch frames ({@link Options#batching}, PROTOCOL.md §7):
 * frames that wait while a send is under way go out together in one WebSocket frame, and batch
 * frames from the server are unpacked; listeners still see one message at a time, in order.
 *
 * <p>This class is the API and its options; the work is done by package-private parts of one job
 * each: {@code Link} (the connection: open, reconnect with backoff, queue, close), {@code Sender}
 * (one send at a time, batching), {@code Receiver} (whole frames, batch unpacking, parsing),
 * {@code Subscriptions} (what to subscribe again, positions, recovery), {@code Requests} and
 * {@code Listeners}.
 */
public final class LhttpClient implements AutoCloseable {

    /** Connection states, as the JS SDK's {@code state}. */
    public enum State {
        CONNECTING,
        OPEN,
        RECONNECTING,
        CLOSED
    }

    /** An error frame from the server (PROTOCOL.md §5), or code 0 for a frame that could not be parsed. */
    public record Error(int code, String reason, Message message) {}

    /** The socket closed (each time). */
    public record Close(int code, String reason) {}

    /** The next connection attempt starts in {@code delayMillis}. */
    public record Reconnecting(int attempt, long delayMillis) {}

    /**
     * The server's answer to a subscribe with positions (PROTOCOL.md §2.2), as the JS SDK's
     * {@code subscribed} event: the channel's newest position ({@code <epoch>:<offset>}, null for a
     * channel without history), for a subscribe with {@code since} whether all was recovered, and
     * the frame itself.
     */
    public record Subscribed(String channel, String position, Boolean recovered, Message message) {}

    /**
     * With {@link Options#recover}, after a reconnect, per positioned channel (the JS SDK's
     * {@code recovered} event): {@code true} when every message published while away was replayed
     * (as ordinary messages, before this event), {@code false} when some may be missing (no history
     * for the channel, history exceeded, server restarted).
     */
    public record Recovered(String channel, boolean recovered) {}

    /** Options, with the JS SDK's defaults. */
    public static final class Options {
        boolean reconnect = true;
        Duration initialDelay = Duration.ofMillis(500);
        Duration maxDelay = Duration.ofSeconds(15);
        double factor = 2;
        double jitter = 0.5;
        int maxQueue = 1000;
        Duration connectTimeout = Duration.ofSeconds(10);
        boolean recover;
        boolean batching = true;
        final Map<String, String> handshakeHeaders = new LinkedHashMap<>();

        /**
         * {@code true} (default): offers the server the {@code lhttp-batch.1} subprotocol
         * (PROTOCOL.md §7); where the server takes it, frames queued behind a send under way go
         * out in one batch frame and the server may send batch frames, which the client unpacks.
         * Servers that do not know it (the original Go server) answer without a subprotocol and
         * every message is one frame, as with {@code false}.
         */
        public Options batching(boolean on) {
            batching = on;
            return this;
        }

        /**
         * {@code true}: every subscribe carries {@code positions:true}; the client remembers each
         * channel's last position and re-subscribes with {@code since} after a reconnect, then
         * tells {@link LhttpClient#onRecovered} whether all was recovered. Default false (the JS
         * SDK's {@code recover}).
         */
        public Options recover(boolean on) {
            recover = on;
            return this;
        }

        /** {@code false}: a drop closes the client. Default true. */
        public Options reconnect(boolean on) {
            reconnect = on;
            return this;
        }

        /** First reconnect delay; default 500 ms. */
        public Options initialDelay(Duration d) {
            initialDelay = d;
            return this;
        }

        /** Longest reconnect delay; default 15 s. */
        public Options maxDelay(Duration d) {
            maxDelay = d;
            return this;
        }

        /** Growth of the delay per attempt; default 2. */
        public Options factor(double f) {
            factor = f;
            return this;
        }

        /** Fraction of each delay taken off at random; default 0.5. */
        public Options jitter(double j) {
            if (j < 0 || j > 1) {
                throw new IllegalArgumentException("jitter must be within 0..1, not " + j);
            }
            jitter = j;
            return this;
        }

        /** Frames kept while disconnected; {@code send} throws beyond. Default 1000. */
        public Options maxQueue(int n) {
            maxQueue = n;
            return this;
        }

        /** How long one connection attempt may take; default 10 s. */
        public Options connectTimeout(Duration d) {
            connectTimeout = d;
            return this;
        }

        /** A header of the WebSocket handshake, e.g. {@code Authorization} or {@code Origin}. */
        public Options handshakeHeader(String name, String value) {
            handshakeHeaders.put(name, value);
            return this;
        }

        /** The delay before the n-th reconnect attempt, in ms: exponential up to {@link #maxDelay}, minus jitter. */
        long delayBefore(int n) {
            double ceiling = Math.min(maxDelay.toMillis(), initialDelay.toMillis() * Math.pow(factor, n - 1));
            // Jitter spreads the reconnects of many clients after a server restart.
            return Math.round(
                    ceiling * (1 - jitter * ThreadLocalRandom.current().nextDouble()));
        }
    }

    /** Default timeout of {@link #request(String, List, String)}, as the JS SDK's {@code requestTimeout}. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A {@link #request} that got an error frame carrying its id ({@code code}, {@code reason},
     * {@code frame}) or no answer in time, or whose client closed first (code 0, no frame): the
     * JS SDK's {@code LhttpRequestError}.
     */
    public static final class RequestException extends RuntimeException {
        private final int code;
        private final String reason;
        private final transient Message frame;

        RequestException(int code, String reason, Message frame) {
            super(code == 0 ? reason : code + " " + reason);
            this.code = code;
            this.reason = reason;
            this.frame = frame;
        }

        public int code() {
            return code;
        }

        public String reason() {
            return reason;
        }

        /** The error frame, or null for a timeout or a closed client. */
        public Message frame() {
            return frame;
        }
    }

    private final Link link;
    private final Listeners listeners = new Listeners();
    private final Options options;

    private LhttpClient(URI url, Options options) {
        this.options = options;
        this.link = new Link(url, options, listeners);
    }

    /** Connects (asynchronously) with default options; see {@link #awaitOpen}. */
    public static LhttpClient connect(URI url) {
        return connect(url, new Options());
    }

    /** Connects (asynchronously); listeners added right after this call see the first {@code open}. */
    public static LhttpClient connect(URI url, Options options) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a ws: or wss: URL is needed, not " + url);
        }
        LhttpClient client =
                new LhttpClient(url.getPath() == null || url.getPath().isEmpty() ? url.resolve("/") : url, options);
        client.link.start(); // after the caller has added its listeners
        return client;
    }

    /** Whether the current connection negotiated batch frames ({@link Options#batching}, PROTOCOL.md §7). */
    public boolean batching() {
        return link.batching();
    }

    public URI url() {
        return link.url();
    }

    public State state() {
        return link.state();
    }

    /** Channels the server has been asked to deliver; re-subscribed after a reconnect. */
    public List<String> channels() {
        return link.channels();
    }

    /** The last history position seen per positioned channel ({@code <epoch>:<offset>}). */
    public Map<String, String> positions() {
        return link.positions();
    }

    /** The server answered a subscribe with positions ({@code LHTTP/1.0 subscribed}: not a message). */
    public Runnable onSubscribed(Consumer<Subscribed> listener) {
        return Listeners.add(listeners.subscribed, listener);
    }

    /** With {@link Options#recover}: after a reconnect, per channel, whether what was missed was replayed. */
    public Runnable onRecovered(Consumer<Recovered> listener) {
        return Listeners.add(listeners.recovered, listener);
    }

    /** Connected ({@code true}: after a drop, messages published meanwhile were missed unless recovered). Returns a remover. */
    public Runnable onOpen(Consumer<Boolean> listener) {
        return Listeners.add(listeners.open, listener);
    }

    /** A frame arrived (error frames go to {@link #onError}). */
    public Runnable onMessage(Consumer<Message> listener) {
        return Listeners.add(listeners.message, listener);
    }

    /** The server answered with an error frame; code 0 for a frame that could not be parsed. */
    public Runnable onError(Consumer<Error> listener) {
        return Listeners.add(listeners.error, listener);
    }

    /** The socket closed (each time; code 1006 when it failed without a close frame). */
    public Runnable onClose(Consumer<Close> listener) {
        return Listeners.add(listeners.close, listener);
    }

    /** The next attempt starts after a delay. */
    public Runnable onReconnecting(Consumer<Reconnecting> listener) {
        return Listeners.add(listeners.reconnecting, listener);
    }

    /** {@link #state()} changed. */
    public Runnable onStateChange(Consumer<State> listener) {
        return Listeners.add(listeners.state, listener);
    }

    /** Waits until the client is open; false on timeout or when it closed for good. */
    public boolean awaitOpen(Duration timeout) throws InterruptedException {
        CompletableFuture<Boolean> open = new CompletableFuture<>();
        Runnable a = onOpen(r -> open.complete(true));
        Runnable b = onStateChange(s -> {
            if (s == State.CLOSED) {
                open.complete(false);
            }
        });
        try {
            State now = state();
            if (now == State.OPEN || now == State.CLOSED) {
                return now == State.OPEN;
            }
            return open.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        } finally {
            a.run();
            b.run();
        }
    }

    public Message subscribe(String channels) {
        return subscribe(channels, "subscribe", List.of(), "");
    }

    public Message subscribe(String channels, String command, List<Header> headers, String body) {
        return sendWith("subscribe", channels, command, headers, body);
    }

    public Message unsubscribe(String channels) {
        return unsubscribe(channels, "unsubscribe", List.of(), "");
    }

    public Message unsubscribe(String channels, String command, List<Header> headers, String body) {
        return sendWith("unsubscribe", channels, command, headers, body);
    }

    /** Publishes to channels (one name or several separated by spaces); subscribers get the frame as sent. */
    public Message publish(String channels, String command, List<Header> headers, String body) {
        return sendWith("publish", channels, command, headers, body);
    }

    public Message publish(String channels, String command, String body) {
        return publish(channels, command, List.of(), body);
    }

    public Message send(String command, List<Header> headers, String body) {
        return send(Message.of(command, headers, body));
    }

    /** Sends one frame, or queues it while disconnected. */
    public Message send(Message message) {
        link.send(message);
        return message;
    }

    /** {@link #request(String, List, String, Duration)} with {@link #DEFAULT_REQUEST_TIMEOUT}. */
    public CompletableFuture<Message> request(String command, List<Header> headers, String body) {
        return request(command, headers, body, DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * Sends one frame with a fresh {@code request-id} header (replacing any given) and completes
     * with the first frame that answers it (PROTOCOL.md §2.1): a processor's reply, an upstream
     * reply, a {@code subscribed} or {@code presence} answer. Completes exceptionally with a
     * {@link RequestException} on an error frame carrying the id, after {@code timeout}, or when
     * the client closes; with the exception of {@link #send} when that throws. A frame that only
     * publishes or subscribes without positions gets no answer: it times out. The answer is also
     * delivered to the message, subscribed or error listeners, as any frame.
     */
    public CompletableFuture<Message> request(String command, List<Header> headers, String body, Duration timeout) {
        return Requests.request(this, command, headers, body, timeout);
    }

    /** Closes for good: no reconnect, queued frames are dropped. */
    @Override
    public void close() {
        close(WebSocket.NORMAL_CLOSURE, "");
    }

    public void close(int code, String reason) {
        link.close(code, reason);
    }

    private Message sendWith(String action, String channels, String command, List<Header> headers, String body) {
        List<String> list = channelList(channels);
        List<Header> pairs = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().trim().equalsIgnoreCase(action)) {
                pairs.add(h);
            }
        }
        if (action.equals("subscribe")
                && options.recover
                && pairs.stream().noneMatch(h -> h.key().trim().equalsIgnoreCase("positions"))) {
            pairs.add(new Header("positions", "true"));
        }
        pairs.add(new Header(action, String.join(" ", list)));
        return send(Message.of(command, pairs, body));
    }

    private static List<String> channelList(String channels) {
        List<String> list = Arrays.stream(channels.trim().split("\\s+"))
                .filter(s -> !s.isEmpty())
                .toList();
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no channel given");
        }
        for (String name : list) {
            if (!ChannelNames.isValid(name)) {
                throw new IllegalArgumentException("not a valid channel name: '" + name + "'");
            }
        }
        return list;
    }
}
