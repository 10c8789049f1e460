package io.lhttp.client;

import io.lhttp.protocol.Batch;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.MessageWriter;
import io.lhttp.protocol.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A connection to an LHTTP server that reconnects by itself and re-subscribes to the channels it
 * held: the Java twin of the JavaScript SDK's {@code Client} (webapp/lhttp.js, README "Java
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
 */
public final class LhttpClient implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LhttpClient.class.getName());
    private static final Set<String> ACTION_HEADERS = Set.of("subscribe", "unsubscribe", "publish");
    /**
     * Not replayed on a re-subscription either: a stale request id, and the recovery headers the
     * client sets itself (as the JS SDK's ACTION_HEADERS).
     */
    private static final Set<String> NOT_REPLAYED = Set.of("request-id", "positions", "since", "presence");
    /**
     * Most chars in one batch frame the client sends: at most 3 UTF-8 bytes each, so within the
     * 40960-byte frame limit of the strictest configuration (PROTOCOL.md §1) whatever the text.
     */
    static final int MAX_BATCH_CHARS = 8192;
    /** The server bounds what it sends; the client only refuses absurd frames. */
    private static final MessageParser PARSER = new MessageParser(new Limits(64 << 20, 4096));

    /** Connection states, as the JS SDK's {@code state}. */
    public enum State { CONNECTING, OPEN, RECONNECTING, CLOSED }

    /** An error frame from the server (PROTOCOL.md §5), or code 0 for a frame that could not be parsed. */
    public record Error(int code, String reason, Message message) {
    }

    /** The socket closed (each time). */
    public record Close(int code, String reason) {
    }

    /** The next connection attempt starts in {@code delayMillis}. */
    public record Reconnecting(int attempt, long delayMillis) {
    }

    /**
     * The server's answer to a subscribe with positions (PROTOCOL.md §2.2), as the JS SDK's
     * {@code subscribed} event: the channel's newest position ({@code <epoch>:<offset>}, null for a
     * channel without history), for a subscribe with {@code since} whether all was recovered, and
     * the frame itself.
     */
    public record Subscribed(String channel, String position, Boolean recovered, Message message) {
    }

    /**
     * With {@link Options#recover}, after a reconnect, per positioned channel (the JS SDK's
     * {@code recovered} event): {@code true} when every message published while away was replayed
     * (as ordinary messages, before this event), {@code false} when some may be missing (no history
     * for the channel, history exceeded, server restarted).
     */
    public record Recovered(String channel, boolean recovered) {
    }

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
    }

    private record Subscription(String command, List<Header> headers, boolean positioned) {
    }

    private final URI url;
    private final Options options;
    private final HttpClient http;
    private final ScheduledExecutorService timer;
    private final Object lock = new Object();
    private final List<Consumer<Boolean>> openListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Message>> messageListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Error>> errorListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Close>> closeListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Reconnecting>> reconnectingListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<State>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Subscribed>> subscribedListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Recovered>> recoveredListeners = new CopyOnWriteArrayList<>();
    // guarded by lock:
    private State state = State.CONNECTING;
    private WebSocket socket;
    private CompletableFuture<?> sending = CompletableFuture.completedFuture(null); // one send at a time
    private boolean batched; // the current socket negotiated batch frames
    private final ArrayDeque<String> outbox = new ArrayDeque<>(); // batched: frames waiting for the send under way
    private CompletableFuture<Void> outboxDrained; // batched: completes when the outbox is empty and no send is under way
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
    private final ArrayDeque<Message> queue = new ArrayDeque<>();
    private final Map<String, String> positions = new LinkedHashMap<>(); // channel -> last position seen
    private final Set<String> recovering = new java.util.HashSet<>();     // re-subscribed, awaiting `subscribed`
    private int attempt;
    private boolean opened;

    private LhttpClient(URI url, Options options) {
        this.url = url;
        this.options = options;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lhttp-client-" + url.getHost());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().connectTimeout(options.connectTimeout).executor(timer).build();
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
        LhttpClient client = new LhttpClient(url.getPath() == null || url.getPath().isEmpty() ? url.resolve("/") : url, options);
        client.timer.execute(client::open); // after the caller has added its listeners
        return client;
    }

    /** Whether the current connection negotiated batch frames ({@link Options#batching}, PROTOCOL.md §7). */
    public boolean batching() {
        synchronized (lock) {
            return socket != null && batched;
        }
    }

    public URI url() {
        return url;
    }

    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    /** Channels the server has been asked to deliver; re-subscribed after a reconnect. */
    public List<String> channels() {
        synchronized (lock) {
            return List.copyOf(subscriptions.keySet());
        }
    }

    /** The last history position seen per positioned channel ({@code <epoch>:<offset>}). */
    public Map<String, String> positions() {
        synchronized (lock) {
            return Map.copyOf(positions);
        }
    }

    /** The server answered a subscribe with positions ({@code LHTTP/1.0 subscribed}: not a message). */
    public Runnable onSubscribed(Consumer<Subscribed> listener) {
        return add(subscribedListeners, listener);
    }

    /** With {@link Options#recover}: after a reconnect, per channel, whether what was missed was replayed. */
    public Runnable onRecovered(Consumer<Recovered> listener) {
        return add(recoveredListeners, listener);
    }

    /** Connected ({@code true}: after a drop, messages published meanwhile were missed unless recovered). Returns a remover. */
    public Runnable onOpen(Consumer<Boolean> listener) {
        return add(openListeners, listener);
    }

    /** A frame arrived (error frames go to {@link #onError}). */
    public Runnable onMessage(Consumer<Message> listener) {
        return add(messageListeners, listener);
    }

    /** The server answered with an error frame; code 0 for a frame that could not be parsed. */
    public Runnable onError(Consumer<Error> listener) {
        return add(errorListeners, listener);
    }

    /** The socket closed (each time; code 1006 when it failed without a close frame). */
    public Runnable onClose(Consumer<Close> listener) {
        return add(closeListeners, listener);
    }

    /** The next attempt starts after a delay. */
    public Runnable onReconnecting(Consumer<Reconnecting> listener) {
        return add(reconnectingListeners, listener);
    }

    /** {@link #state()} changed. */
    public Runnable onStateChange(Consumer<State> listener) {
        return add(stateListeners, listener);
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
        synchronized (lock) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the client is closed");
            }
            if (state == State.OPEN && socket != null && !socket.isOutputClosed()) {
                write(message);
            } else {
                if (queue.size() >= options.maxQueue) {
                    throw new IllegalStateException("send queue full (" + options.maxQueue + " frames)");
                }
                queue.add(message);
            }
        }
        return message;
    }

    /** Request ids: unique per process (prefix) and per request (counter), as the JS SDK's. */
    private static final String REQUEST_PREFIX = Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
    private static final java.util.concurrent.atomic.AtomicLong REQUESTS = new java.util.concurrent.atomic.AtomicLong();

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
        String id = REQUEST_PREFIX + "-" + Long.toString(REQUESTS.incrementAndGet(), 36);
        List<Header> pairs = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().trim().equalsIgnoreCase("request-id")) {
                pairs.add(h);
            }
        }
        pairs.add(new Header("request-id", id));
        CompletableFuture<Message> answer = new CompletableFuture<>();
        // Listeners rather than a table in the read path: a request is rare next to the frames it waits among.
        Runnable[] removers = {
            onMessage(m -> {
                if (id.equals(m.header("request-id"))) {
                    answer.complete(m);
                }
            }),
            onSubscribed(s -> {
                if (id.equals(s.message().header("request-id"))) {
                    answer.complete(s.message());
                }
            }),
            onError(e -> {
                if (e.message() != null && id.equals(e.message().header("request-id"))) {
                    answer.completeExceptionally(new RequestException(e.code(), e.reason(), e.message()));
                }
            }),
            onStateChange(s -> {
                if (s == State.CLOSED) {
                    answer.completeExceptionally(new RequestException(0, "the client is closed", null));
                }
            })
        };
        answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((m, error) -> {
            for (Runnable r : removers) {
                r.run();
            }
        });
        try {
            send(command, pairs, body);
        } catch (RuntimeException e) {
            answer.completeExceptionally(e);
        }
        return answer.exceptionallyCompose(e -> CompletableFuture.failedFuture(
                e instanceof java.util.concurrent.TimeoutException
                        ? new RequestException(0, "no answer within " + timeout.toMillis() + " ms", null) : e));
    }

    /** Closes for good: no reconnect, queued frames are dropped. */
    @Override
    public void close() {
        close(WebSocket.NORMAL_CLOSURE, "");
    }

    public void close(int code, String reason) {
        WebSocket ws;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            queue.clear();
            ws = socket;
            setState(State.CLOSED);
        }
        if (ws != null && !ws.isOutputClosed()) {
            CompletableFuture<?> done;
            synchronized (lock) {
                done = sending = sending.handle((x, e) -> null).thenCompose(x -> ws.sendClose(code, reason));
            }
            try {
                done.get(2, TimeUnit.SECONDS);
            } catch (Exception e) {
                ws.abort();
            }
        }
        timer.schedule(timer::shutdown, 2, TimeUnit.SECONDS); // lets the close handshake finish
    }

    private Message sendWith(String action, String channels, String command, List<Header> headers, String body) {
        List<String> list = channelList(channels);
        List<Header> pairs = new ArrayList<>();
        for (Header h : headers) {
            if (!h.key().trim().equalsIgnoreCase(action)) {
                pairs.add(h);
            }
        }
        if (action.equals("subscribe") && options.recover
                && pairs.stream().noneMatch(h -> h.key().trim().equalsIgnoreCase("positions"))) {
            pairs.add(new Header("positions", "true"));
        }
        pairs.add(new Header(action, String.join(" ", list)));
        return send(Message.of(command, pairs, body));
    }

    private static List<String> channelList(String channels) {
        List<String> list = Arrays.stream(channels.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
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

    /** Sends now (lock held); records subscriptions as the server will apply them. */
    private void write(Message message) {
        WebSocket ws = socket;
        String text = MessageWriter.write(message.command(), message.headers(), message.body());
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
        List<Header> keep = message.headers().stream().filter(h -> {
            String key = h.key().trim().toLowerCase(Locale.ROOT);
            return !ACTION_HEADERS.contains(key) && !NOT_REPLAYED.contains(key);
        }).toList();
        boolean positioned = "true".equals(message.header("positions")) || message.header("since") != null;
        for (String channel : split(message.header("subscribe"))) {
            subscriptions.putIfAbsent(channel, new Subscription(message.command(), keep, positioned));
        }
        for (String channel : split(message.header("unsubscribe"))) {
            subscriptions.remove(channel);
            positions.remove(channel);
            recovering.remove(channel);
        }
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

    private static List<String> split(String value) {
        return value == null ? List.of() : Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    private void open() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
        }
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(options.connectTimeout);
        if (options.batching) {
            builder.subprotocols(Batch.SUBPROTOCOL);
        }
        options.handshakeHeaders.forEach(builder::header);
        builder.buildAsync(url, new Listener()).whenComplete((ws, error) -> {
            if (error != null) {
                LOG.log(Level.FINE, "connecting to {0} failed: {1}", new Object[] {url, error});
                emit(closeListeners, new Close(1006, String.valueOf(error.getCause() == null ? error : error.getCause())));
                dropped();
            }
        });
    }

    private void opened(WebSocket ws) {
        boolean reconnected;
        synchronized (lock) {
            if (state == State.CLOSED) {
                ws.abort();
                return;
            }
            socket = ws;
            sending = CompletableFuture.completedFuture(null);
            batched = Batch.SUBPROTOCOL.equals(ws.getSubprotocol());
            outbox.clear();
            outboxDrained = null;
            reconnected = opened;
            opened = true;
            attempt = 0;
            setState(State.OPEN);
            resubscribe();
            while (!queue.isEmpty()) {
                write(queue.poll());
            }
        }
        emit(openListeners, reconnected);
    }

    /**
     * One frame per distinct (command, headers): usually one frame for all channels. A positioned
     * channel with a known position gets a frame of its own with {@code since} (PROTOCOL.md §2.2).
     */
    private void resubscribe() {
        Map<Subscription, List<String>> groups = new LinkedHashMap<>();
        recovering.clear();
        List<Map.Entry<String, Subscription>> all = new ArrayList<>(subscriptions.entrySet()); // write() touches the map
        for (Map.Entry<String, Subscription> e : all) {
            String channel = e.getKey();
            Subscription s = e.getValue();
            if (s.positioned()) {
                recovering.add(channel);
                String since = positions.get(channel);
                if (since != null) {
                    List<Header> headers = new ArrayList<>(s.headers());
                    headers.add(new Header("since", since));
                    headers.add(new Header("subscribe", channel));
                    write(Message.of(s.command(), headers, ""));
                    continue;
                }
            }
            groups.computeIfAbsent(s, k -> new ArrayList<>()).add(channel);
        }
        groups.forEach((s, channels) -> {
            List<Header> headers = new ArrayList<>(s.headers());
            if (s.positioned()) {
                headers.add(new Header("positions", "true"));
            }
            headers.add(new Header("subscribe", String.join(" ", channels)));
            write(Message.of(s.command(), headers, ""));
        });
    }

    private void dropped() {
        long delay;
        int n;
        synchronized (lock) {
            socket = null;
            if (state == State.CLOSED) {
                return;
            }
            if (!options.reconnect) {
                queue.clear();
                setState(State.CLOSED);
                timer.shutdown();
                return;
            }
            n = ++attempt;
            double ceiling = Math.min(options.maxDelay.toMillis(),
                    options.initialDelay.toMillis() * Math.pow(options.factor, n - 1));
            // Jitter spreads the reconnects of many clients after a server restart.
            delay = Math.round(ceiling * (1 - options.jitter * ThreadLocalRandom.current().nextDouble()));
            setState(opened ? State.RECONNECTING : State.CONNECTING);
        }
        emit(reconnectingListeners, new Reconnecting(n, delay));
        timer.schedule(this::open, delay, TimeUnit.MILLISECONDS);
    }

    private void frame(String text) {
        Message message;
        try {
            message = PARSER.parse(text);
        } catch (ProtocolException e) {
            emit(errorListeners, new Error(0, e.reason(), null));
            return;
        }
        if (message.command().equals("error") && message.header("publish") == null) {
            int code;
            try {
                code = Integer.parseInt(String.valueOf(message.header("code")).trim());
            } catch (NumberFormatException e) {
                code = 0;
            }
            String reason = message.header("reason");
            emit(errorListeners, new Error(code, reason == null ? "" : reason, message));
        } else if (message.command().equals("subscribed") && message.header("publish") == null) {
            subscribed(message);
        } else {
            notePosition(message);
            emit(messageListeners, message);
        }
    }

    /** A whole frame: one message, or on a socket that negotiated batching possibly a batch frame of several. */
    private void received(WebSocket ws, String text) {
        if (Batch.isBatch(text) && Batch.SUBPROTOCOL.equals(ws.getSubprotocol())) {
            List<String> messages;
            try {
                messages = Batch.split(text);
            } catch (ProtocolException e) {
                emit(errorListeners, new Error(0, e.reason(), null));
                return;
            }
            for (String m : messages) {
                frame(m);
            }
        } else {
            frame(text);
        }
    }

    /** The answer to a subscribe with positions: the channel's position, and after a reconnect whether all was recovered. */
    private void subscribed(Message message) {
        String channel = message.header("channel");
        String position = message.header("position");
        String recovered = message.header("recovered");
        boolean wasRecovering;
        synchronized (lock) {
            if (position != null && subscriptions.containsKey(channel)) {
                positions.put(channel, position);
            }
            wasRecovering = recovering.remove(channel);
        }
        emit(subscribedListeners, new Subscribed(channel, position, recovered == null ? null : "true".equals(recovered), message));
        if (wasRecovering) {
            emit(recoveredListeners, new Recovered(channel, "true".equals(recovered)));
        }
    }

    /**
     * A delivered frame's position counts for the one positioned channel among those it was
     * published to. The server inserts its position as the first header line; a publisher's own
     * {@code position} header comes later.
     */
    private void notePosition(Message message) {
        List<Header> headers = message.headers();
        if (headers.isEmpty() || !headers.get(0).key().trim().equalsIgnoreCase("position")) {
            return;
        }
        String position = headers.get(0).value().trim();
        synchronized (lock) {
            String mine = null;
            for (String channel : split(message.header("publish"))) {
                Subscription s = subscriptions.get(channel);
                if (s != null && s.positioned()) {
                    if (mine != null && !mine.equals(channel)) {
                        return; // published to several of ours at once: it moves none of them
                    }
                    mine = channel;
                }
            }
            if (mine != null) {
                positions.put(mine, position);
            }
        }
    }

    private void setState(State next) { // lock held
        if (state != next) {
            state = next;
            timer.execute(() -> emit(stateListeners, next));
        }
    }

    private static <T> Runnable add(List<Consumer<T>> listeners, Consumer<T> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    private static <T> void emit(List<Consumer<T>> listeners, T detail) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(detail);
            } catch (RuntimeException e) {
                // One failing listener must not stop the others or the client itself.
                LOG.log(Level.WARNING, "lhttp client listener failed", e);
            }
        }
    }

    /** Reads whole frames (text, or binary as UTF-8) and follows the socket's life. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket ws) {
            opened(ws);
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String frame = text.toString();
                text.setLength(0);
                received(ws, frame);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                String frame = binary.toString(StandardCharsets.UTF_8);
                binary.reset();
                received(ws, frame);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            emit(closeListeners, new Close(code, reason));
            synchronized (lock) {
                if (state != State.CLOSED && !ws.isOutputClosed()) {
                    ws.sendClose(code == WebSocket.NORMAL_CLOSURE ? code : WebSocket.NORMAL_CLOSURE, "");
                }
            }
            dropped();
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            LOG.log(Level.FINE, "lhttp connection failed", error);
            emit(closeListeners, new Close(1006, String.valueOf(error)));
            dropped();
        }
    }
}
