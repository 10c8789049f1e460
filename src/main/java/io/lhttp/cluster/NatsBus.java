package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.lhttp.metrics.Meters;
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

    /**
     * Starts connecting in the background; returns at once, whether NATS is reachable or not.
     *
     * @param servers       NATS server URLs of one cluster
     * @param subjectPrefix prefix of every channel's subject
     * @param name          connection name, after this instance
     * @param pingInterval  time between pings; two unanswered mark the server as gone
     */
    public NatsBus(List<String> servers, String subjectPrefix, String name, Duration pingInterval) {
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
                        new Object[] {event.getEvent(), name, conn.getConnectedUrl()});
                warned = false;
                attach(conn);
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

    @Override
    public void publish(String channel, String frame) throws ProtocolException {
        Connection conn = connection;
        if (conn == null || conn.getStatus() != Connection.Status.CONNECTED) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
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
        ChannelSubscription s = new ChannelSubscription(subjectPrefix + channel, deliver);
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

    @Override
    public boolean isConnected() {
        Connection conn = connection;
        return conn != null && conn.getStatus() == Connection.Status.CONNECTED;
    }

    /** The URL of the NATS server this instance is connected to now, or null. */
    public String connectedUrl() {
        Connection conn = connection;
        return conn == null ? null : conn.getConnectedUrl();
    }

    @Override
    public String describe() {
        return "nats " + String.join(",", servers) + " as " + name;
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
            LOG.log(Level.WARNING, "NATS drain did not complete: {0}", e.toString());
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
                LOG.log(Level.WARNING, "NATS {0}: {1}; retrying forever", new Object[] {name, e.toString()});
            } else {
                LOG.log(Level.FINE, "NATS {0}: {1}", new Object[] {name, e.toString()});
            }
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.log(Level.WARNING, "NATS {0}: server error {1}", new Object[] {name, error});
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            // The dispatcher fell behind its pending limit: NATS dropped messages for this instance.
            LOG.log(Level.WARNING, "NATS {0}: slow consumer, messages dropped", name);
        }
    }

    /** One channel's NATS subscription on the shared dispatcher; start and stop run under the lock. */
    private final class ChannelSubscription {
        private final String subject;
        private final Consumer<String> deliver;
        private io.nats.client.Subscription subscription;

        ChannelSubscription(String subject, Consumer<String> deliver) {
            this.subject = subject;
            this.deliver = deliver;
        }

        void start() {
            // Decoded once here; the registry sends this one String to every local subscriber.
            subscription = dispatcher.subscribe(subject,
                    msg -> deliver.accept(new String(msg.getData(), StandardCharsets.UTF_8)));
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
