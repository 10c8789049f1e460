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
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server API's control requests across instances ({@link Bus#control}), a part of
 * {@link NatsBus}: a request is published once on {@code _control.<prefix>api} with a reply inbox;
 * every instance runs it on its own connections (off the bus's dispatcher thread, which carries
 * the channels' messages) and answers; the asking instance gathers the answers within the presence
 * timeout. Whoever may publish on NATS may send these: NATS is the cluster's trusted inside
 * (docs/SECURITY.md).
 */
final class ClusterControl {

    private static final Logger LOG = Logger.getLogger(ClusterControl.class.getName());
    /** Answers gathered for one request at most: more instances than this are not a cluster we serve. */
    static final int MAX_ANSWERS = 256;

    private final BusConnection bus;
    private final String subject;
    /** Tells this instance's own request apart when it comes back (it answers it directly). */
    private final String controlId = UUID.randomUUID().toString();

    private volatile Function<String, String> source;
    private volatile Duration timeout = Duration.ofMillis(300);
    private boolean subscribed; // guarded by bus.lock

    ClusterControl(BusConnection bus, String subjectPrefix) {
        this.bus = bus;
        this.subject = "_control." + subjectPrefix + "api";
    }

    void timeout(Duration timeout) {
        this.timeout = timeout;
    }

    void source(Function<String, String> source) {
        synchronized (bus.lock) {
            this.source = source;
            if (bus.connection() != null) {
                answer();
            }
        }
    }

    /** Answers the other instances' requests. Called under the bus's lock. */
    void answer() {
        Dispatcher dispatcher = bus.dispatcher();
        if (subscribed || source == null || dispatcher == null || bus.closed()) {
            return;
        }
        subscribed = true;
        dispatcher.subscribe(subject, msg -> {
            String replyTo = msg.getReplyTo();
            String text = new String(msg.getData(), StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            if (replyTo == null || nl < 0 || text.substring(0, nl).equals(controlId)) {
                return; // not a request, or our own: run directly by the asker
            }
            String request = text.substring(nl + 1);
            Function<String, String> run = source;
            CompletableFuture.supplyAsync(() -> run.apply(request)).whenComplete((answer, failure) -> {
                Connection conn = bus.connection();
                if (failure != null || conn == null) {
                    LOG.log(Level.WARNING, "server API request not answered: {0}", String.valueOf(failure));
                    return;
                }
                try {
                    conn.publish(replyTo, answer.getBytes(StandardCharsets.UTF_8));
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "server API answer not sent: {0}", e.toString());
                }
            });
        });
    }

    /** See {@link Bus#control}: sent to the others first, then run here, then the others' answers gathered. */
    CompletableFuture<List<String>> request(String request, Function<String, String> local) {
        List<String> others = new ArrayList<>();
        Connection conn = bus.connected();
        Dispatcher d;
        synchronized (bus.lock) {
            d = bus.dispatcher();
        }
        io.nats.client.Subscription replies = null;
        if (conn != null && d != null) {
            String inbox = conn.createInbox();
            replies = d.subscribe(inbox, msg -> {
                synchronized (others) {
                    if (others.size() < MAX_ANSWERS) {
                        others.add(new String(msg.getData(), StandardCharsets.UTF_8));
                    }
                }
            });
            try {
                conn.publish(subject, inbox, (controlId + "\n" + request).getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                safeUnsubscribe(d, replies);
                replies = null;
            }
        }
        String mine = local.apply(request);
        if (replies == null) {
            return CompletableFuture.completedFuture(List.of(mine));
        }
        CompletableFuture<List<String>> result = new CompletableFuture<>();
        io.nats.client.Subscription r = replies;
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    safeUnsubscribe(d, r);
                    List<String> all = new ArrayList<>();
                    all.add(mine);
                    synchronized (others) {
                        all.addAll(others);
                    }
                    result.complete(all);
                });
        return result;
    }

    private static void safeUnsubscribe(Dispatcher d, io.nats.client.Subscription s) {
        try {
            d.unsubscribe(s);
        } catch (IllegalStateException e) {
            LOG.log(Level.FINE, "control inbox: {0}", e.toString());
        }
    }
}
