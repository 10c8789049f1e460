package io.lhttp.cluster;

import io.lhttp.config.Secrets;
import io.lhttp.channel.Bus;
import io.lhttp.meters.Meters;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cluster bus: one managed NATS connection for this instance, one NATS subscription per
 * channel with local subscribers. A channel maps to the subject {@code <prefix><channel>}.
 *
 * <p>The connection is made in the background and retried forever, so the application starts
 * (and stays up) while NATS is down. While it is not connected, {@link #publish} refuses with
 * 503 instead of buffering: the client learns at once that its message was not taken, rather
 * than a bounded buffer overflowing silently or delivering minutes late. Subscriptions made
 * while disconnected are kept and sent to the server as soon as it is reachable.
 */
public final class NatsBus implements Bus {

    /** How long {@link #close()} waits for in-flight messages to drain before closing. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private static final Logger LOG = Logger.getLogger(NatsBus.class.getName());

    private final String subjectPrefix;
    private final String name;
    private final List<String> servers;
    private final Object lock = new Object();
    /** Channels this instance receives; replayed on the dispatcher once the first connection exists. */
    private final Map<String, ChannelSubscription> channels = new LinkedHashMap<>();
    private volatile Connection connection; // null until the first successful connect
    private volatile Connection handle;     // the connection object as soon as jnats shows it, even unconnected
    private volatile boolean warned;        // one warning per outage, not one per retry
    private Dispatcher dispatcher;          // guarded by lock
    private boolean closed;                 // guarded by lock
    /** This instance's members of channels, for other instances' presence requests (PROTOCOL.md §2.3). */
    private volatile Presence presenceSource;
    private volatile Duration presenceTimeout = Duration.ofMillis(300);
    private boolean presenceSubscribed;     // guarded by lock
    /** Tells this instance's own presence answer apart from the others' (it counts its members directly). */
    private final String presenceId = java.util.UUID.randomUUID().toString();
    /** History channels in JetStream; null when no channel keeps history. */
    private final JetStreamHistory history;
    /** Bounds the recoveries replaying from JetStream at once on this instance. */
    private final java.util.concurrent.Semaphore replays;
    /** One (re)creation of the stream at a time, at most one every {@link #ENSURE_INTERVAL_NS}. */
    private final java.util.concurrent.atomic.AtomicBoolean ensuring = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long lastEnsure = System.nanoTime() - ENSURE_INTERVAL_NS;
    private static final long ENSURE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);

    /**
     * Starts connecting in the background; returns at once, whether NATS is reachable or not.
     *
     * @param servers       NATS server URLs of one cluster
     * @param subjectPrefix prefix of every channel's subject
     * @param name          connection name, after this instance
     * @param pingInterval  time between pings; two unanswered mark the server as gone
     */
    public NatsBus(List<String> servers, String subjectPrefix, String name, Duration pingInterval) {
        this(servers, subjectPrefix, name, pingInterval, io.lhttp.channel.History.NONE, JetStreamSettings.defaults());
    }

    /**
     * As {@link #NatsBus(List, String, String, Duration)}, with the channels of {@code history}
     * kept in the JetStream stream of {@code jetStream} ({@link JetStreamHistory}).
     */
    public NatsBus(List<String> servers, String subjectPrefix, String name, Duration pingInterval,
            io.lhttp.channel.History history, JetStreamSettings jetStream) {
        this.history = history.isEnabled() ? new JetStreamHistory(history, jetStream, subjectPrefix) : null;
        this.replays = new java.util.concurrent.Semaphore(jetStream.maxReplays());
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no NATS server URL");
        }
        this.servers = List.copyOf(servers);
        this.subjectPrefix = subjectPrefix;
        this.name = name;
        Options options = new Options.Builder()
                .servers(servers.toArray(String[]::new))
                .connectionName(name)
                .maxReconnects(-1)
                // A node that hangs with its sockets open is only noticed by unanswered pings.
                .pingInterval(pingInterval)
                .maxPingsOut(2)
                // Not connected = refuse (503), never queue: see the class comment.
                .reconnectBufferSize(0)
                .connectionListener(this::onEvent)
                .errorListener(new Errors())
                .build();
        try {
            Nats.connectAsynchronously(options, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the NATS connection", e);
        }
    }

    private void onEvent(Connection conn, ConnectionListener.Events event) {
        handle = conn;
        switch (event) {
            // When the very first attempt fails, the later success is reported as RECONNECTED.
            case CONNECTED, RECONNECTED -> {
                if (event == ConnectionListener.Events.RECONNECTED) {
                    Meters.natsReconnected();
                }
                LOG.log(Level.INFO, "NATS {0}: {1} at {2}",
                        new Object[] {event.getEvent(), name, Secrets.maskUrls(conn.getConnectedUrl())});
                warned = false;
                attach(conn);
                // Again after every reconnect: the server may be a new one, or have lost its store (new epoch).
                ensureHistory(conn, true);
            }
            case DISCONNECTED -> LOG.log(Level.WARNING, "NATS disconnected: {0}; publishing is refused (503) until it is back",
                    name);
            case CLOSED -> LOG.log(Level.INFO, "NATS connection closed: {0}", name);
            default -> LOG.log(Level.FINE, "NATS {0}: {1}", new Object[] {event.getEvent(), name});
        }
    }

    /** Takes the connection on its first success and subscribes the channels asked for until then. */
    private void attach(Connection conn) {
        synchronized (lock) {
            if (connection != null) {
                return; // jnats resubscribes by itself after a reconnect
            }
            if (closed) {
                closeQuietly(conn); // closed while the first connect was under way
                return;
            }
            dispatcher = conn.createDispatcher();
            for (ChannelSubscription s : channels.values()) {
                s.start();
            }
            connection = conn;
            answerPresence();
        }
    }

    /**
     * Creates or updates the history stream off the connection's callback thread. Unless
     * {@code force}, at most once every few seconds (a publish that finds the stream gone asks again).
     */
    private void ensureHistory(Connection conn, boolean force) {
        JetStreamHistory h = history;
        if (h == null || (!force && System.nanoTime() - lastEnsure < ENSURE_INTERVAL_NS) || !ensuring.compareAndSet(false, true)) {
            return;
        }
        lastEnsure = System.nanoTime();
        java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                if (!closed && conn.getStatus() == Connection.Status.CONNECTED) {
                    h.ensure(conn);
                }
            } finally {
                ensuring.set(false);
            }
        });
    }

    @Override
    public void publish(String channel, String frame) throws ProtocolException {
        Connection conn = connection;
        if (conn == null || conn.getStatus() != Connection.Status.CONNECTED) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
        JetStreamHistory h = history;
        if (h != null && h.covers(channel)) {
            if (h.isReady()) {
                h.publish(channel, frame); // the stream republishes it to the channel's subject, with its sequence
                return;
            }
            ensureHistory(conn, false);
            if (h.required()) {
                throw new ProtocolException(503, "history store (JetStream) not available, message not published");
            }
            // Not required: carried as a plain channel (no position), as the start-up warning said.
        }
        publishCore(conn, channel, frame);
    }

    /**
     * A connection's pipeline to the history stream, or null without history channels (then every
     * publish is a core NATS publish that never waits).
     */
    @Override
    public Publisher publisher() {
        JetStreamHistory h = history;
        return h == null ? null : new Pipeline(h);
    }

    /** Core NATS only, also on a history channel: its subscribers get it live, without a sequence. */
    @Override
    public void publishTransient(String channel, String frame) throws ProtocolException {
        Connection conn = connection;
        if (conn == null || conn.getStatus() != Connection.Status.CONNECTED) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
        publishCore(conn, channel, frame);
    }

    private void publishCore(Connection conn, String channel, String frame) throws ProtocolException {
        try {
            conn.publish(subjectPrefix + channel, frame.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            // Over the server's max_payload: the frame limit is set above what NATS accepts.
            throw new ProtocolException(413, "message larger than the cluster bus accepts");
        } catch (IllegalStateException e) {
            // Lost the connection between the check and the publish (reconnect buffer is 0), or closing.
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> deliver) {
        return subscribe(channel, (frame, position) -> deliver.accept(frame));
    }

    @Override
    public Subscription subscribe(String channel, Delivery deliver) {
        ChannelSubscription s = new ChannelSubscription(subjectPrefix + channel, deliver,
                history != null && history.covers(channel));
        synchronized (lock) {
            ChannelSubscription previous = channels.put(channel, s);
            if (previous != null) {
                previous.stop(); // the registry holds one per channel; never leave a second one behind
            }
            if (dispatcher != null && !closed) {
                s.start();
            }
        }
        return () -> {
            synchronized (lock) {
                channels.remove(channel, s);
                s.stop();
            }
        };
    }

    /** How long a presence request gathers the other instances' answers. */
    public void presenceTimeout(Duration timeout) {
        this.presenceTimeout = timeout;
    }

    @Override
    public void presenceSource(Presence source) {
        synchronized (lock) {
            presenceSource = source;
            if (connection != null) {
                answerPresence();
            }
        }
    }

    private String presenceSubject(String channel) {
        return "_presence." + subjectPrefix + channel;
    }

    /**
     * Answers other instances' presence requests on {@code _presence.<prefix>>}: first line this
     * bus's id, then one member per line. An instance that is gone simply does not answer, so its
     * members drop out of the next request. Called under the lock.
     */
    private void answerPresence() {
        if (presenceSubscribed || presenceSource == null || dispatcher == null || closed) {
            return;
        }
        presenceSubscribed = true;
        String prefix = presenceSubject("");
        dispatcher.subscribe(prefix + ">", msg -> {
            Connection conn = connection;
            if (msg.getReplyTo() == null || conn == null) {
                return;
            }
            int max;
            try {
                max = Integer.parseInt(new String(msg.getData(), StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                return;
            }
            String channel = msg.getSubject().substring(prefix.length());
            List<String> members = presenceSource.members(channel, max + 1);
            StringBuilder body = new StringBuilder(presenceId);
            for (String m : members) {
                body.append('\n').append(m);
            }
            try {
                conn.publish(msg.getReplyTo(), body.toString().getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "presence answer not sent: {0}", e.toString());
            }
        });
    }

    /**
     * This instance's members, then whatever the other instances answer within the presence
     * timeout (a reply inbox collects them; the request goes to every instance at once). Not
     * connected: this instance's members only.
     */
    @Override
    public java.util.concurrent.CompletableFuture<PresenceList> presence(String channel, int max, Presence local) {
        List<String> all = new java.util.ArrayList<>(local.members(channel, max + 1));
        Connection conn = connection;
        Dispatcher d;
        synchronized (lock) {
            d = dispatcher;
        }
        if (conn == null || d == null || conn.getStatus() != Connection.Status.CONNECTED) {
            return java.util.concurrent.CompletableFuture.completedFuture(PresenceList.of(all, max));
        }
        String inbox = conn.createInbox();
        io.nats.client.Subscription replies = d.subscribe(inbox, msg -> {
            String[] lines = new String(msg.getData(), StandardCharsets.UTF_8).split("\n");
            if (lines.length == 0 || lines[0].equals(presenceId)) {
                return; // our own: counted directly
            }
            synchronized (all) {
                for (int i = 1; i < lines.length && all.size() <= max; i++) {
                    all.add(lines[i]);
                }
            }
        });
        java.util.concurrent.CompletableFuture<PresenceList> result = new java.util.concurrent.CompletableFuture<>();
        try {
            conn.publish(presenceSubject(channel), inbox, Integer.toString(max).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            safeUnsubscribe(d, replies);
            return java.util.concurrent.CompletableFuture.completedFuture(PresenceList.of(all, max));
        }
        java.util.concurrent.CompletableFuture.delayedExecutor(presenceTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    safeUnsubscribe(d, replies);
                    synchronized (all) {
                        result.complete(PresenceList.of(all, max));
                    }
                });
        return result;
    }

    private static void safeUnsubscribe(Dispatcher d, io.nats.client.Subscription s) {
        try {
            d.unsubscribe(s);
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "presence inbox: {0}", e.toString());
        }
    }

    /**
     * Joins a subscriber to a history channel (PROTOCOL.md §2.2) with no gap and no duplicate at the
     * seam: live messages of the channel are buffered for this subscriber from before the stream
     * is read, the stream is read (bound, replay), then under the channel's delivery lock the
     * buffered messages after the replay are sent and the subscriber joins the live fan-out.
     * Buses without JetStream (or channels without history) join as before: no positions, recovered:false.
     */
    @Override
    public void join(String channel, io.lhttp.channel.Position since, Joiner joiner) {
        JetStreamHistory h = history;
        Connection conn = connection;
        ChannelSubscription cs;
        synchronized (lock) {
            cs = channels.get(channel);
        }
        if (h == null || !h.covers(channel) || !h.isReady() || conn == null || cs == null || !cs.history) {
            Bus.super.join(channel, since, joiner);
            return;
        }
        boolean permit = false;
        if (since != null) {
            try {
                permit = replays.tryAcquire(h.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!permit) {
                LOG.log(Level.WARNING, "recovery of {0} not replayed: {1} recoveries already running (lhttp.history.max-replays)",
                        new Object[] {channel, h.maxReplays()});
                Bus.super.join(channel, since, joiner);
                return;
            }
        }
        Pending pending = cs.buffer();
        long served = Long.MAX_VALUE; // nothing known: send every buffered message
        io.lhttp.channel.Position top = null;
        Boolean recovered = since == null ? null : Boolean.FALSE;
        try {
            conn.flush(h.timeout()); // our subscription is on the server before the stream is read
            JetStreamHistory.Recovery r = h.recover(channel, since);
            for (JetStreamHistory.Entry e : r.entries()) {
                joiner.replay(e.frame(), e.position());
            }
            served = r.bound();
            top = r.top();
            recovered = since == null ? null : r.complete();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "recovery of {0} failed ({1}): answering recovered:false", new Object[] {channel, e.toString()});
            recovered = Boolean.FALSE;
        } finally {
            if (permit) {
                replays.release();
            }
            // Bounded wait: the caller holds the registry's lock of this channel's map bin, and a delivery
            // holding the seam lock could (closing a slow consumer synchronously) wait for that bin. Rather
            // than deadlock, give up the seam after the timeout and say so with recovered:false.
            boolean locked = false;
            try {
                locked = cs.seam.tryLock(h.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!locked) {
                cs.pending.remove(pending);
                LOG.log(Level.WARNING, "recovery of {0}: live delivery held the channel too long; joined without the"
                        + " buffered messages, answering recovered:false", channel);
                joiner.joined(top, Boolean.FALSE);
                return;
            }
            try {
                cs.pending.remove(pending);
                boolean first = true;
                for (Buffered b : pending.frames) {
                    if (b.sequence() < 0) {
                        joiner.replay(b.frame(), null); // transient (presence), never in the stream: live news
                        continue;
                    }
                    if (served == Long.MAX_VALUE || b.sequence() > served) {
                        if (first && served != Long.MAX_VALUE && b.previous() > served) {
                            // The channel had a message between the replay and the first live one that reached
                            // neither: with several NATS nodes our interest can reach the stream's node late.
                            LOG.log(Level.WARNING, "recovery of {0}: message {1} reached neither the replay nor this"
                                    + " instance; answering recovered:false", new Object[] {channel, b.previous()});
                            recovered = Boolean.FALSE;
                        }
                        first = false;
                        io.lhttp.channel.Position p = h.position(b.sequence());
                        joiner.replay(b.frame(), p);
                        if (p != null) {
                            top = p; // the subscribed frame tells the newest position the subscriber has
                        }
                    }
                }
                if (pending.overflow) {
                    recovered = Boolean.FALSE;
                }
                joiner.joined(top, recovered);
            } finally {
                cs.seam.unlock();
            }
        }
    }

    @Override
    public boolean isConnected() {
        Connection conn = connection;
        JetStreamHistory h = history;
        // lhttp.jetstream.required: without the stream this instance refuses history channels, so it is not ready.
        return conn != null && conn.getStatus() == Connection.Status.CONNECTED && (h == null || !h.required() || h.isReady());
    }

    /** Whether history channels are kept in JetStream now (false without history channels). */
    public boolean historyReady() {
        JetStreamHistory h = history;
        return h != null && h.isReady();
    }

    /** The URL of the NATS server this instance is connected to now, or null. */
    public String connectedUrl() {
        Connection conn = connection;
        return conn == null ? null : conn.getConnectedUrl();
    }

    @Override
    public String describe() {
        return "nats " + Secrets.maskUrls(String.join(",", servers)) + " as " + name + (history == null ? "" : ", history in " + history);
    }

    /** Drains (subscriptions delivered, publishes flushed) within {@link #DRAIN_TIMEOUT}, then closes. */
    @Override
    public void close() {
        Connection conn;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            conn = connection;
        }
        if (conn == null) {
            // Never connected: stop the background retries if jnats has shown us the connection yet;
            // otherwise attach() closes it when the first connect succeeds.
            LOG.log(Level.INFO, "NATS bus closed before it ever connected: {0}", name);
            Connection retrying = handle;
            if (retrying != null) {
                closeQuietly(retrying);
            }
            return;
        }
        try {
            if (conn.getStatus() == Connection.Status.CONNECTED) {
                conn.drain(DRAIN_TIMEOUT).get(DRAIN_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "NATS drain did not complete: {0}", Secrets.maskUrls(e.toString()));
        } finally {
            closeQuietly(conn);
        }
    }

    private static void closeQuietly(Connection conn) {
        try {
            conn.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Logs through java.util.logging, once per outage for failed connects; captures the connection early. */
    private final class Errors implements ErrorListener {
        @Override
        public void exceptionOccurred(Connection conn, Exception e) {
            handle = conn;
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "NATS {0}: {1}; retrying forever", new Object[] {name, Secrets.maskUrls(e.toString())});
            } else {
                LOG.log(Level.FINE, "NATS {0}: {1}", new Object[] {name, Secrets.maskUrls(e.toString())});
            }
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.log(Level.WARNING, "NATS {0}: server error {1}", new Object[] {name, Secrets.maskUrls(error)});
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            // The dispatcher fell behind its pending limit: NATS dropped messages for this instance.
            LOG.log(Level.WARNING, "NATS {0}: slow consumer, messages dropped", name);
        }
    }

    /**
     * One connection's publishes: to a history channel whose stream is ready they are sent with
     * {@code publishAsync} and not waited for, at most {@code lhttp.jetstream.max-pending-per-connection}
     * unacknowledged (a permit each, given back when the acknowledgement, a refusal or the timeout
     * comes); everything else goes through {@link NatsBus#publish}. The one NATS connection keeps
     * them in order, so the stream stores one client's frames in the order it published them.
     */
    private final class Pipeline implements Publisher {
        private final JetStreamHistory h;
        private final int max;
        private final java.util.concurrent.Semaphore permits;
        /** Sent and not acknowledged; cancelled when the connection closes. */
        private final java.util.Set<java.util.concurrent.CompletableFuture<?>> outstanding =
                java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        Pipeline(JetStreamHistory h) {
            this.h = h;
            this.max = h.maxPending();
            this.permits = new java.util.concurrent.Semaphore(max);
        }

        @Override
        public void publish(String channel, String frame, Consumer<ProtocolException> failed) throws ProtocolException {
            if (!h.covers(channel)) {
                publishTransient(channel, frame); // a plain channel: the core publish, as NatsBus.publish does
                return;
            }
            Connection conn = connection;
            if (closed || !h.isReady() || conn == null || conn.getStatus() != Connection.Status.CONNECTED) {
                NatsBus.this.publish(channel, frame); // no stream (yet), not connected: refused or carried as before
                return;
            }
            if (!permits.tryAcquire()) {
                boolean room = false;
                try {
                    // The oldest is acknowledged or times out within the timeout: then there is room.
                    room = permits.tryAcquire(h.timeout().toMillis() + 100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (!room) {
                    throw new ProtocolException(503, "history store did not acknowledge in time; message not published");
                }
            }
            // Issue 18: what waits for the stream's acknowledgement counts in the memory budget.
            io.lhttp.memory.MemoryBudget budget = h.memoryBudget();
            long cost = frame.length();
            if (budget != null && !budget.tryTake(io.lhttp.memory.MemoryBudget.Use.PUBLISHES, cost)) {
                permits.release();
                throw new ProtocolException(503, "server memory budget full: message not published");
            }
            java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck> sent;
            try {
                sent = h.send(channel, frame);
            } catch (ProtocolException | RuntimeException e) {
                permits.release();
                if (budget != null) {
                    budget.give(io.lhttp.memory.MemoryBudget.Use.PUBLISHES, cost);
                }
                throw e;
            }
            outstanding.add(sent);
            sent.whenComplete((ack, failure) -> {
                outstanding.remove(sent);
                try {
                    ProtocolException refused = h.outcome(channel, ack, failure);
                    if (refused != null && !closed) {
                        failed.accept(refused);
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "late publish failure not reported: {0}", e.toString());
                } finally {
                    if (budget != null) {
                        budget.give(io.lhttp.memory.MemoryBudget.Use.PUBLISHES, cost);
                    }
                    permits.release(); // after the report: a frame that waited for room comes after its error frame
                }
            });
        }

        @Override
        public int pending() {
            return max - permits.availablePermits();
        }

        @Override
        public void close() {
            closed = true;
            for (java.util.concurrent.CompletableFuture<?> f : outstanding) {
                f.cancel(false); // completes it: its permit and its entry go; no report (closed)
            }
        }
    }

    /** A live frame kept for a joining subscriber. */
    private record Buffered(String frame, long sequence, long previous) {
    }

    /** Live frames of a channel kept for one subscriber while its recovery reads the stream. */
    private static final class Pending {
        /** More than this arriving during one recovery: the subscriber is told recovered:false. */
        static final int MAX = 10_000;
        final List<Buffered> frames = new java.util.ArrayList<>();
        boolean overflow;

        void add(String frame, long sequence, long previous) {
            if (frames.size() < MAX) {
                frames.add(new Buffered(frame, sequence, previous));
            } else {
                overflow = true;
            }
        }
    }

    /**
     * One channel's NATS subscription on the shared dispatcher; start and stop run under the lock.
     * A history channel's deliveries run under its seam lock, with its joining subscribers' buffers.
     */
    private final class ChannelSubscription {
        private final String subject;
        private final Delivery deliver;
        final boolean history;
        /** Held while a history frame is buffered for joining subscribers and delivered, and while one joins. */
        final java.util.concurrent.locks.ReentrantLock seam = new java.util.concurrent.locks.ReentrantLock();
        /** Subscribers joining now; changed and read under the seam lock (removed without it only when giving up). */
        final List<Pending> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
        private long lastSequence; // guarded by seam
        private io.nats.client.Subscription subscription;

        ChannelSubscription(String subject, Delivery deliver, boolean history) {
            this.subject = subject;
            this.deliver = deliver;
            this.history = history;
        }

        void start() {
            subscription = dispatcher.subscribe(subject, this::onMessage);
        }

        Pending buffer() {
            Pending p = new Pending();
            seam.lock();
            try {
                pending.add(p);
            } finally {
                seam.unlock();
            }
            return p;
        }

        private void onMessage(io.nats.client.Message msg) {
            // Decoded once here; the registry sends this one String to every local subscriber.
            String frame = new String(msg.getData(), StandardCharsets.UTF_8);
            JetStreamHistory h = NatsBus.this.history;
            if (!history || h == null) {
                deliver.deliver(frame, null);
                return;
            }
            long sequence = h.sequence(msg);
            seam.lock();
            try {
                if (sequence > 0 && sequence <= lastSequence) {
                    // Sequences went back: the stream was created again; learn its epoch.
                    Connection conn = connection;
                    if (conn != null) {
                        ensureHistory(conn, false);
                    }
                }
                if (sequence > 0) {
                    lastSequence = sequence;
                }
                if (!pending.isEmpty()) {
                    long previous = JetStreamHistory.previous(msg);
                    for (Pending p : pending) {
                        p.add(frame, sequence, previous);
                    }
                }
                deliver.deliver(frame, h.position(sequence));
            } finally {
                seam.unlock();
            }
        }

        void stop() {
            if (subscription != null && dispatcher != null && !closed) {
                try {
                    dispatcher.unsubscribe(subscription);
                } catch (IllegalStateException e) {
                    LOG.log(Level.FINE, "unsubscribe {0}: {1}", new Object[] {subject, e.toString()});
                }
            }
            subscription = null;
        }
    }
}
