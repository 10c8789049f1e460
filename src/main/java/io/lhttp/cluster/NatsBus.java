package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.lhttp.config.Secrets;
import io.lhttp.protocol.ProtocolException;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The cluster bus: one managed NATS connection for this instance, one NATS subscription per
 * channel with local subscribers. A channel maps to the subject {@code <prefix><channel>}.
 *
 * <p>The connection is made in the background and retried forever, so the application starts
 * (and stays up) while NATS is down. While it is not connected, {@link #publish} refuses with
 * 503 instead of buffering: the client learns at once that its message was not taken, rather
 * than a bounded buffer overflowing silently or delivering minutes late. Subscriptions made
 * while disconnected are kept and sent to the server as soon as it is reachable.
 *
 * <p>Its jobs live in their own classes of this package: {@link BusConnection} (the connection),
 * {@link HistoryPipeline} (a connection's publishes to the history stream), {@link ChannelSubscription}
 * (a channel's subscription, live delivery and gap repair), {@link HistoryJoin} (replay and join),
 * {@link ClusterPresence} (presence across instances) and {@link JetStreamHistory} (the stream).
 */
public final class NatsBus implements Bus {

    /** How long {@link #close()} waits for in-flight messages to drain before closing. */
    public static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

    private final String subjectPrefix;
    private final String name;
    private final List<String> servers;
    /** Channels this instance receives; started on the dispatcher once the first connection exists. Guarded by the connection's lock. */
    private final Map<String, ChannelSubscription> channels = new LinkedHashMap<>();
    /** History channels in JetStream; null when no channel keeps history. */
    private final JetStreamHistory history;

    private final HistoryJoin joins;
    private final ClusterPresence presence;
    private final ClusterControl control;
    private final BusConnection connection;

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
    public NatsBus(
            List<String> servers,
            String subjectPrefix,
            String name,
            Duration pingInterval,
            io.lhttp.channel.History history,
            JetStreamSettings jetStream) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no NATS server URL");
        }
        this.history = history.isEnabled() ? new JetStreamHistory(history, jetStream, subjectPrefix) : null;
        this.joins = this.history == null ? null : new HistoryJoin(this.history);
        this.servers = List.copyOf(servers);
        this.subjectPrefix = subjectPrefix;
        this.name = name;
        ClusterPresence[] p = new ClusterPresence[1];
        ClusterControl[] c = new ClusterControl[1];
        this.connection = new BusConnection(servers, name, pingInterval, this.history, dispatcher -> {
            for (ChannelSubscription s : channels.values()) {
                s.start(dispatcher);
            }
            if (p[0] != null) {
                p[0].answer(); // null only while the constructor runs: presenceSource() answers then
            }
            if (c[0] != null) {
                c[0].answer(); // likewise: controlSource() answers then
            }
        });
        this.presence = new ClusterPresence(connection, subjectPrefix);
        p[0] = presence;
        this.control = new ClusterControl(connection, subjectPrefix);
        c[0] = control;
    }

    @Override
    public void publish(String channel, String frame) throws ProtocolException {
        Connection conn = connection.connected();
        if (conn == null) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
        JetStreamHistory h = history;
        if (h != null && h.covers(channel)) {
            if (h.isReady()) {
                h.publish(channel, frame); // the stream republishes it to the channel's subject, with its sequence
                return;
            }
            connection.ensureHistory(false);
            if (h.required()) {
                throw new ProtocolException(503, "history store (JetStream) not available, message not published");
            }
            // Not required: carried as a plain channel (no position), as the start-up warning said.
        }
        publishCore(conn, channel, frame);
    }

    /** History channels while the stream is ready: JetStream deduplicates them by {@code Nats-Msg-Id}, cluster-wide. */
    @Override
    public boolean deduplicates(String channel) {
        JetStreamHistory h = history;
        return h != null && h.covers(channel) && h.isReady();
    }

    @Override
    public boolean publish(String channel, String frame, String messageId) throws ProtocolException {
        Connection conn = connection.connected();
        if (conn == null) {
            throw new ProtocolException(503, "cluster bus not connected, message not published");
        }
        JetStreamHistory h = history;
        if (h != null && h.covers(channel) && h.isReady()) {
            return h.publish(channel, frame, messageId);
        }
        publish(channel, frame); // the stream went meanwhile: as an unkeyed publish
        return true;
    }

    /**
     * A connection's pipeline to the history stream, or null without history channels (then every
     * publish is a core NATS publish that never waits).
     */
    @Override
    public Publisher publisher() {
        JetStreamHistory h = history;
        return h == null ? null : new HistoryPipeline(this, connection, h);
    }

    /** Core NATS only, also on a history channel: its subscribers get it live, without a sequence. */
    @Override
    public void publishTransient(String channel, String frame) throws ProtocolException {
        Connection conn = connection.connected();
        if (conn == null) {
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
        ChannelSubscription s = new ChannelSubscription(connection, history, channel, subjectPrefix + channel, deliver);
        synchronized (connection.lock) {
            ChannelSubscription previous = channels.put(channel, s);
            Dispatcher d = connection.dispatcher();
            if (previous != null) {
                previous.stop(d); // the registry holds one per channel; never leave a second one behind
            }
            if (d != null && !connection.closed()) {
                s.start(d);
            }
        }
        return () -> {
            synchronized (connection.lock) {
                channels.remove(channel, s);
                s.stop(connection.dispatcher());
            }
        };
    }

    /** How long a presence request, and a server API request, gathers the other instances' answers. */
    public void presenceTimeout(Duration timeout) {
        presence.timeout(timeout);
        control.timeout(timeout);
    }

    @Override
    public void controlSource(java.util.function.Function<String, String> source) {
        control.source(source);
    }

    @Override
    public CompletableFuture<List<String>> control(String request, java.util.function.Function<String, String> local) {
        return control.request(request, local);
    }

    @Override
    public void presenceSource(Presence source) {
        presence.source(source);
    }

    @Override
    public CompletableFuture<PresenceList> presence(String channel, int max, Presence local) {
        return presence.presence(channel, max, local);
    }

    /**
     * Joins a subscriber to a history channel with no gap and no duplicate at the seam
     * ({@link HistoryJoin}). Buses without JetStream (or channels without history) join as before:
     * no positions, recovered:false.
     */
    @Override
    public void join(String channel, io.lhttp.channel.Position since, Joiner joiner) {
        retryHistoryIfNotReady();
        Connection conn = connection.connection();
        ChannelSubscription cs;
        synchronized (connection.lock) {
            cs = channels.get(channel);
        }
        if (joins == null || !joins.applies(cs, conn)) {
            Bus.super.join(channel, since, joiner);
            return;
        }
        joins.join(conn, cs, channel, since, joiner);
    }

    /**
     * Reads a history channel from the stream ({@link JetStreamHistory#recover}: one request per
     * message, at most {@code lhttp.history.size}); other channels answer empty.
     */
    @Override
    public HistoryRead history(String channel, io.lhttp.channel.Position since, int max) throws ProtocolException {
        JetStreamHistory h = history;
        if (h == null || !h.covers(channel)) {
            return new HistoryRead(List.of(), null, false);
        }
        if (!h.isReady() || connection.connected() == null) {
            throw new ProtocolException(503, "history store not available");
        }
        try {
            // Without since: from the channel's first kept message (an epoch that matches none replays all kept).
            JetStreamHistory.Recovery r =
                    h.recover(channel, since == null ? new io.lhttp.channel.Position("none", 0) : since);
            List<HistoryEntry> all = new java.util.ArrayList<>();
            for (JetStreamHistory.Entry e : r.entries()) {
                all.add(new HistoryEntry(e.frame(), e.position()));
            }
            return Bus.cut(all, r.top(), since, since == null || r.complete(), max);
        } catch (java.io.IOException | io.nats.client.JetStreamApiException e) {
            throw new ProtocolException(503, "history store could not be read: " + e.getMessage());
        }
    }

    @Override
    public boolean isConnected() {
        retryHistoryIfNotReady();
        JetStreamHistory h = history;
        // lhttp.jetstream.required: without the stream this instance refuses history channels, so it is not ready.
        return connection.connected() != null && (h == null || !h.required() || h.isReady());
    }

    /**
     * When the stream could not be made or checked (NATS without JetStream yet, or a failure while
     * the server was still starting: a CI run once saw {@code IllegalStateException: zip file
     * closed} from the class loader during deployment), asks again, at most every few seconds and
     * off the caller's thread. Called by readiness probes and by subscribers that join a channel,
     * so an instance does not stay without history until the next NATS reconnect or history publish.
     */
    private void retryHistoryIfNotReady() {
        JetStreamHistory h = history;
        if (h != null && !h.isReady()) {
            connection.ensureHistory(false);
        }
    }

    /** Whether history channels are kept in JetStream now (false without history channels). */
    public boolean historyReady() {
        JetStreamHistory h = history;
        return h != null && h.isReady();
    }

    /** The URL of the NATS server this instance is connected to now, or null. */
    public String connectedUrl() {
        Connection conn = connection.connection();
        return conn == null ? null : conn.getConnectedUrl();
    }

    @Override
    public String describe() {
        return "nats " + Secrets.maskUrls(String.join(",", servers)) + " as " + name
                + (history == null ? "" : ", history in " + history);
    }

    /** Drains (subscriptions delivered, publishes flushed) within {@link #DRAIN_TIMEOUT}, then closes. */
    @Override
    public void close() {
        connection.close();
    }
}
