package io.lhttp.it.faults;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.faults.OpLog.Result;
import io.lhttp.protocol.Header;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients of one fault run, all through the Java client ({@link LhttpClient}) or plain HTTP:
 * two WebSocket publishers and one {@code POST /publish} publisher on the history channel, one
 * WebSocket publisher on a plain channel, three subscribers of the history channel and one of the
 * plain channel. A client whose connection drops goes to a running instance picked at random
 * (seeded) and, on the history channel, recovers with {@code since} its last position. Everything
 * is written to the {@link OpLog}.
 */
final class Workload implements AutoCloseable {

    /** How long after a WebSocket publish its error frame may still come: the server's timeout (2 s) and margin. */
    static final Duration ACK_WINDOW = Duration.ofSeconds(5);

    static final String CHANNEL = "h-run";
    static final String PLAIN = "plain-run";

    final OpLog log = new OpLog();
    final FaultCluster cluster;
    final long seed;
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "faults-timer");
        t.setDaemon(true);
        return t;
    });
    final List<WsPublisher> wsPublishers = new ArrayList<>();
    final HttpPublisher httpPublisher;
    final List<Subscriber> subscribers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    /** When each message was sent (log time), by publisher and number. */
    final Map<String, Map<Integer, Long>> sentAt = new ConcurrentHashMap<>();

    private volatile boolean stopping;
    private volatile long stoppedAt = Long.MAX_VALUE;

    Workload(FaultCluster cluster, long seed, String suffix) {
        this.cluster = cluster;
        this.seed = seed;
        String channel = CHANNEL + suffix;
        wsPublishers.add(new WsPublisher("P1", channel, 1));
        wsPublishers.add(new WsPublisher("P2", channel, 2));
        wsPublishers.add(new WsPublisher("Q1", PLAIN + suffix, 3));
        httpPublisher = new HttpPublisher("H1", channel, 4);
        for (int i = 1; i <= 3; i++) {
            subscribers.add(new Subscriber(this, "S" + i, channel, true, 10 + i));
        }
        subscribers.add(new Subscriber(this, "T1", PLAIN + suffix, false, 20));
    }

    /** Subscribers first (each joined), then the publishers. */
    void start() throws InterruptedException {
        for (Subscriber s : subscribers) {
            s.connect();
        }
        io.lhttp.it.support.Await.until(
                Duration.ofSeconds(60),
                () -> subscribers.stream().allMatch(Subscriber::joined),
                "every subscriber joined");
        for (WsPublisher p : wsPublishers) {
            threads.add(daemon(p.name, p::run));
        }
        threads.add(daemon(httpPublisher.name, httpPublisher::run));
    }

    private static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, "faults-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void sent(OpLog.Sent s) {
        sentAt.computeIfAbsent(s.publisher(), k -> new ConcurrentHashMap<>()).put(s.n(), s.at());
        log.add(s);
    }

    /** A running instance picked with {@code rnd}; -1 when none runs. */
    int pick(Random rnd) {
        List<Integer> up = new ArrayList<>();
        for (int i = 0; i < cluster.size(); i++) {
            if (cluster.running(i)) {
                up.add(i);
            }
        }
        return up.isEmpty() ? -1 : up.get(rnd.nextInt(up.size()));
    }

    /** Whether, since {@code from} (log time), every history subscriber has a message of every history publisher. */
    boolean progressedSince(long from) {
        for (Subscriber s : subscribers) {
            if (!s.history) {
                continue;
            }
            for (String p : List.of("P1", "P2", "H1")) {
                Long last = s.lastFrom.get(p);
                Long sentAt = s.lastSentAtOf(p);
                if (last == null || sentAt == null || sentAt < from) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Stops the publishers, unsubscribes S1 (and checks nothing reaches it after), lets the last
     * acknowledgement window pass and waits until every subscriber has the last acknowledged
     * message of every publisher of its channel (bounded), then decides every publish's outcome.
     */
    void stop() throws InterruptedException {
        stopping = true;
        for (Thread t : threads) {
            t.join(10_000);
        }
        stoppedAt = log.now();
        subscribers.get(0).unsubscribe();
        // Two more publishes after the unsubscribe, which S1 must not get.
        wsPublishers.get(0).publishOnce();
        long windowEnd = log.now() + ACK_WINDOW.toNanos();
        io.lhttp.it.support.Await.until(
                ACK_WINDOW.plusSeconds(5),
                () -> log.now() > windowEnd,
                "the acknowledgement window after the last publish"); // the protocol's own timeout, not a guess
        for (WsPublisher p : wsPublishers) {
            p.decide();
        }
        try {
            io.lhttp.it.support.Await.until(
                    Duration.ofSeconds(30), this::settled, "every subscriber has every last message");
        } catch (AssertionError notAll) {
            System.out.println("FAULTS: not settled after 30 s; the checker reports what is missing");
        }
    }

    private boolean settled() {
        Map<String, Integer> lastAcked = new java.util.HashMap<>();
        for (OpLog.Op op : log.ops()) {
            if (op instanceof OpLog.Outcome o && o.result() == Result.ACK) {
                lastAcked.merge(o.publisher(), o.n(), Math::max);
            }
        }
        for (Subscriber s : subscribers.subList(1, subscribers.size())) {
            for (Map.Entry<String, Integer> e : lastAcked.entrySet()) {
                boolean mine =
                        s.history ? !e.getKey().startsWith("Q") : e.getKey().startsWith("Q");
                if (mine
                        && s.received.get(e.getKey()) != null
                        && !s.received.get(e.getKey()).contains(e.getValue())) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        stopping = true;
        for (WsPublisher p : wsPublishers) {
            p.closeAll();
        }
        for (Subscriber s : subscribers) {
            s.stop();
        }
        timer.shutdownNow();
    }

    /** A publisher over WebSocket with a {@code request-id} on every frame; 50 frames/s. */
    final class WsPublisher {
        final String name;
        final String channel;
        private final Random rnd;
        private final AtomicInteger n = new AtomicInteger();
        private final List<Conn> conns = new CopyOnWriteArrayList<>();
        private volatile Conn current;

        private final class Conn {
            final LhttpClient client;
            final Map<Integer, Long> sent = new ConcurrentHashMap<>();
            final Set<Integer> errors = ConcurrentHashMap.newKeySet();
            volatile long closedAt = -1;

            Conn(LhttpClient client) {
                this.client = client;
            }
        }

        WsPublisher(String name, String channel, int salt) {
            this.name = name;
            this.channel = channel;
            this.rnd = new Random(seed * 31 + salt);
        }

        void run() {
            while (!stopping) {
                publishOnce();
                try {
                    TimeUnit.MILLISECONDS.sleep(20); // the publishing rate, not a wait for a result
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void publishOnce() {
            Conn c = current;
            if (c == null || c.closedAt >= 0) {
                c = connect();
                if (c == null) {
                    return;
                }
            }
            int k = n.incrementAndGet();
            long at = log.now();
            try {
                c.client.publish(channel, "m", List.of(new Header("request-id", name + "-" + k)), name + ":" + k);
            } catch (RuntimeException closed) {
                n.decrementAndGet(); // never left: not a publish
                return;
            }
            c.sent.put(k, at);
            sent(new OpLog.Sent(at, name, k, channel, false));
        }

        private Conn connect() {
            int i = pick(rnd);
            if (i < 0) {
                return null;
            }
            LhttpClient client = LhttpClient.connect(
                    cluster.ws(i), new LhttpClient.Options().reconnect(false).batching(false));
            Conn c = new Conn(client);
            client.onError(e -> {
                String id = e.message() == null ? null : e.message().header("request-id");
                if (id != null && id.startsWith(name + "-")) {
                    c.errors.add(Integer.parseInt(id.substring(name.length() + 1)));
                }
            });
            client.onClose(x -> {
                if (c.closedAt < 0) {
                    c.closedAt = log.now();
                }
            });
            try {
                if (!client.awaitOpen(Duration.ofSeconds(5))) {
                    client.close();
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            conns.add(c);
            current = c;
            return c;
        }

        /**
         * Each frame's outcome: ERR with an error frame for its id; ACK when its connection stayed
         * open for the acknowledgement window after it without one; UNKNOWN when it closed sooner.
         */
        void decide() {
            for (Conn c : conns) {
                for (Map.Entry<Integer, Long> e : c.sent.entrySet()) {
                    Result r;
                    if (c.errors.contains(e.getKey())) {
                        r = Result.ERR;
                    } else if (c.closedAt < 0 || c.closedAt - e.getValue() >= ACK_WINDOW.toNanos()) {
                        r = Result.ACK;
                    } else {
                        r = Result.UNKNOWN;
                    }
                    log.add(new OpLog.Outcome(e.getValue(), name, e.getKey(), r));
                }
            }
        }

        void closeAll() {
            for (Conn c : conns) {
                c.client.close();
            }
        }
    }

    /** {@code POST /publish} to a running instance, one at a time: 202 is the acknowledgement. */
    final class HttpPublisher {
        final String name;
        final String channel;
        private final Random rnd;
        private final HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

        HttpPublisher(String name, String channel, int salt) {
            this.name = name;
            this.channel = channel;
            this.rnd = new Random(seed * 31 + salt);
        }

        void run() {
            int n = 0;
            while (!stopping) {
                int i = pick(rnd);
                if (i >= 0) {
                    n++;
                    long at = log.now();
                    sent(new OpLog.Sent(at, name, n, channel, true));
                    Result r;
                    try {
                        HttpResponse<String> resp = http.send(
                                HttpRequest.newBuilder(cluster.http(i).resolve("/publish"))
                                        .timeout(Duration.ofSeconds(5))
                                        .header("Content-Type", "text/plain; charset=UTF-8")
                                        .POST(HttpRequest.BodyPublishers.ofString(
                                                "LHTTP/1.0 m\r\npublish:" + channel + "\r\n\r\n" + name + ":" + n,
                                                StandardCharsets.UTF_8))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        r = resp.statusCode() == 202 ? Result.ACK : Result.ERR;
                    } catch (java.io.IOException e) {
                        r = Result.UNKNOWN;
                    } catch (InterruptedException e) {
                        log.add(new OpLog.Outcome(at, name, n, Result.UNKNOWN));
                        return;
                    }
                    log.add(new OpLog.Outcome(at, name, n, r));
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(50); // the publishing rate
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
