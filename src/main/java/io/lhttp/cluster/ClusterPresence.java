package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Presence across instances (PROTOCOL.md §2.3), a part of {@link NatsBus}: answers the other
 * instances' requests on {@code _presence.<prefix>>} with this instance's members and gathers
 * theirs within the presence timeout.
 */
final class ClusterPresence {

    private static final Logger LOG = Logger.getLogger(ClusterPresence.class.getName());

    private final BusConnection bus;
    private final String subjectPrefix;
    /** Tells this instance's own presence answer apart from the others' (it counts its members directly). */
    private final String presenceId = UUID.randomUUID().toString();
    /** This instance's members of channels, for other instances' presence requests. */
    private volatile Bus.Presence source;

    private volatile Duration timeout = Duration.ofMillis(300);
    private boolean subscribed; // guarded by bus.lock

    ClusterPresence(BusConnection bus, String subjectPrefix) {
        this.bus = bus;
        this.subjectPrefix = subjectPrefix;
    }

    void timeout(Duration timeout) {
        this.timeout = timeout;
    }

    void source(Bus.Presence source) {
        synchronized (bus.lock) {
            this.source = source;
            if (bus.connection() != null) {
                answer();
            }
        }
    }

    private String subject(String channel) {
        return "_presence." + subjectPrefix + channel;
    }

    /**
     * Answers other instances' presence requests: first line this bus's id, then one member per
     * line. An instance that is gone simply does not answer, so its members drop out of the next
     * request. Called under the bus's lock.
     */
    void answer() {
        Dispatcher dispatcher = bus.dispatcher();
        if (subscribed || source == null || dispatcher == null || bus.closed()) {
            return;
        }
        subscribed = true;
        String prefix = subject("");
        dispatcher.subscribe(prefix + ">", msg -> {
            Connection conn = bus.connection();
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
            List<String> members = source.members(channel, max + 1);
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
    CompletableFuture<Bus.PresenceList> presence(String channel, int max, Bus.Presence local) {
        List<String> all = new ArrayList<>(local.members(channel, max + 1));
        Connection conn = bus.connected();
        Dispatcher d;
        synchronized (bus.lock) {
            d = bus.dispatcher();
        }
        if (conn == null || d == null) {
            return CompletableFuture.completedFuture(Bus.PresenceList.of(all, max));
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
        CompletableFuture<Bus.PresenceList> result = new CompletableFuture<>();
        try {
            conn.publish(subject(channel), inbox, Integer.toString(max).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            safeUnsubscribe(d, replies);
            return CompletableFuture.completedFuture(Bus.PresenceList.of(all, max));
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    safeUnsubscribe(d, replies);
                    synchronized (all) {
                        result.complete(Bus.PresenceList.of(all, max));
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
}
