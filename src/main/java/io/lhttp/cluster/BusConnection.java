package io.lhttp.cluster;

import io.lhttp.config.Secrets;
import io.lhttp.meters.Meters;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The NATS bus's one managed connection (a part of {@link NatsBus}): made in the background and
 * retried forever, so the application starts (and stays up) while NATS is down; never buffers
 * while disconnected (reconnect buffer 0: publishing is refused with 503 instead). After every
 * (re)connect the history stream is ensured again; the first connect creates the dispatcher and
 * hands it to the bus, under {@link #lock}.
 */
final class BusConnection {

    private static final Logger LOG = Logger.getLogger(BusConnection.class.getName());
    private static final long ENSURE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(5);

    /** Guards the dispatcher, the closed flag and the bus's channel map. */
    final Object lock = new Object();

    private final String name;
    private final JetStreamHistory history;
    private final Consumer<Dispatcher> attached;
    private volatile Connection connection; // null until the first successful connect
    private volatile Connection handle; // the connection object as soon as jnats shows it, even unconnected
    private volatile boolean warned; // one warning per outage, not one per retry
    private Dispatcher dispatcher; // guarded by lock
    private volatile boolean closed; // written under lock
    /** One (re)creation of the stream at a time, at most one every {@link #ENSURE_INTERVAL_NS}. */
    private final AtomicBoolean ensuring = new AtomicBoolean();

    private volatile long lastEnsure = System.nanoTime() - ENSURE_INTERVAL_NS;

    /**
     * Starts connecting in the background; returns at once.
     *
     * @param attached called once, under {@link #lock}, with the dispatcher of the first connection
     */
    BusConnection(
            List<String> servers,
            String name,
            Duration pingInterval,
            JetStreamHistory history,
            Consumer<Dispatcher> attached) {
        this.name = name;
        this.history = history;
        this.attached = attached;
        Options options = new Options.Builder()
                .servers(servers.toArray(String[]::new))
                .connectionName(name)
                .maxReconnects(-1)
                // A node that hangs with its sockets open is only noticed by unanswered pings.
                .pingInterval(pingInterval)
                .maxPingsOut(2)
                // Not connected = refuse (503), never queue: see NatsBus.
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

    /** The connection, or null before the first connect. */
    Connection connection() {
        return connection;
    }

    /** The connection when it is connected now, else null. */
    Connection connected() {
        Connection conn = connection;
        return conn != null && conn.getStatus() == Connection.Status.CONNECTED ? conn : null;
    }

    /** The dispatcher (null before the first connect); call under {@link #lock}. */
    Dispatcher dispatcher() {
        return dispatcher;
    }

    boolean closed() {
        return closed;
    }

    private void onEvent(Connection conn, ConnectionListener.Events event) {
        handle = conn;
        switch (event) {
            // When the very first attempt fails, the later success is reported as RECONNECTED.
            case CONNECTED, RECONNECTED -> {
                if (event == ConnectionListener.Events.RECONNECTED) {
                    Meters.natsReconnected();
                }
                LOG.log(Level.INFO, "NATS {0}: {1} at {2}", new Object[] {
                    event.getEvent(), name, Secrets.maskUrls(conn.getConnectedUrl())
                });
                warned = false;
                attach(conn);
                // Again after every reconnect: the server may be a new one, or have lost its store (new epoch).
                ensureHistory(true);
            }
            case DISCONNECTED ->
                LOG.log(Level.WARNING, "NATS disconnected: {0}; publishing is refused (503) until it is back", name);
            case CLOSED -> LOG.log(Level.INFO, "NATS connection closed: {0}", name);
            default -> LOG.log(Level.FINE, "NATS {0}: {1}", new Object[] {event.getEvent(), name});
        }
    }

    /** Takes the connection on its first success and lets the bus subscribe what was asked for until then. */
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
            connection = conn;
            attached.accept(dispatcher);
        }
    }

    /**
     * Creates or updates the history stream off the connection's callback thread. Unless
     * {@code force}, at most once every few seconds (a publish that finds the stream gone asks again).
     */
    void ensureHistory(boolean force) {
        JetStreamHistory h = history;
        Connection conn = handle;
        if (h == null
                || conn == null
                || (!force && System.nanoTime() - lastEnsure < ENSURE_INTERVAL_NS)
                || !ensuring.compareAndSet(false, true)) {
            return;
        }
        lastEnsure = System.nanoTime();
        CompletableFuture.runAsync(() -> {
            try {
                if (!closed && conn.getStatus() == Connection.Status.CONNECTED) {
                    h.ensure(conn);
                }
            } finally {
                ensuring.set(false);
            }
        });
    }

    /** Drains (subscriptions delivered, publishes flushed) within {@link NatsBus#DRAIN_TIMEOUT}, then closes. */
    void close() {
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
                conn.drain(NatsBus.DRAIN_TIMEOUT).get(NatsBus.DRAIN_TIMEOUT.toMillis() + 1000, TimeUnit.MILLISECONDS);
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
                LOG.log(Level.WARNING, "NATS {0}: {1}; retrying forever", new Object[] {
                    name, Secrets.maskUrls(e.toString())
                });
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
}
