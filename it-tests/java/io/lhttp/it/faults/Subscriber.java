package io.lhttp.it.faults;

import io.lhttp.client.LhttpClient;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A subscriber with positions that recovers with {@code since} on whichever instance it reaches. */
final class Subscriber {
    private final Workload w;
    private final OpLog log;
    final String name;
    final String channel;
    final boolean history;
    private final Random rnd;
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile LhttpClient client;
    private volatile int session;
    private volatile boolean joinedNow;
    private volatile String lastPosition;
    private volatile boolean stopped;
    /** Cut the connection at the first replayed message of the next recovery (then recover again). */
    volatile boolean cutNextReplay;

    final AtomicInteger cuts = new AtomicInteger();
    final Map<String, Long> lastFrom = new ConcurrentHashMap<>();
    final Map<String, Set<Integer>> received = new ConcurrentHashMap<>();
    private final Map<String, Integer> lastN = new ConcurrentHashMap<>();

    Subscriber(Workload w, String name, String channel, boolean history, int salt) {
        this.w = w;
        this.log = w.log;
        this.name = name;
        this.channel = channel;
        this.history = history;
        this.rnd = new Random(w.seed * 31 + salt);
    }

    boolean joined() {
        return joinedNow;
    }

    /** When the newest message of {@code publisher} this subscriber has was sent (log time), or null. */
    Long lastSentAtOf(String publisher) {
        Integer n = lastN.get(publisher);
        return n == null ? null : w.sentAt.getOrDefault(publisher, Map.of()).get(n);
    }

    synchronized void connect() {
        if (stopped) {
            return;
        }
        int i = w.pick(rnd);
        if (i < 0) {
            retry();
            return;
        }
        int s = sessions.incrementAndGet();
        session = s;
        joinedNow = false;
        String since = history ? lastPosition : null;
        AtomicBoolean ended = new AtomicBoolean();
        LhttpClient c = LhttpClient.connect(
                w.cluster.ws(i), new LhttpClient.Options().reconnect(false).batching(false));
        client = c;
        Runnable end = () -> {
            if (ended.compareAndSet(false, true)) {
                log.add(new OpLog.SessionEnded(log.now(), name, s));
                if (session == s) {
                    joinedNow = false;
                }
                retry();
            }
        };
        c.onMessage(m -> onMessage(c, s, m));
        c.onSubscribed(sub -> {
            if (session != s || !channel.equals(sub.channel())) {
                return;
            }
            log.add(new OpLog.Joined(
                    log.now(), name, s, channel, w.cluster.name(i), since, sub.recovered(), sub.position()));
            if (sub.position() != null) {
                lastPosition = sub.position();
            }
            joinedNow = true;
        });
        c.onError(e -> {
            String id = e.message() == null ? null : e.message().header("request-id");
            if ((name + "-sub-" + s).equals(id)) {
                c.close(); // refused (e.g. 503 while the stream is unavailable): try again elsewhere
                end.run();
            }
        });
        c.onClose(x -> end.run());
        w.timer.execute(() -> {
            try {
                if (!c.awaitOpen(Duration.ofSeconds(5))) {
                    c.close();
                    end.run();
                    return;
                }
            } catch (InterruptedException e) {
                return;
            }
            List<Header> headers = new ArrayList<>();
            headers.add(new Header("subscribe", channel));
            headers.add(since == null ? new Header("positions", "true") : new Header("since", since));
            headers.add(new Header("request-id", name + "-sub-" + s));
            try {
                c.send("subscribe", headers, "");
            } catch (RuntimeException closed) {
                end.run();
                return;
            }
            // No answer at all (a hung instance): give up on this session after a bound.
            w.timer.schedule(
                    () -> {
                        if (session == s && !joinedNow && !ended.get()) {
                            c.close();
                            end.run();
                        }
                    },
                    30,
                    TimeUnit.SECONDS);
        });
    }

    private void onMessage(LhttpClient c, int s, Message m) {
        if (!channel.equals(m.header("publish"))) {
            return;
        }
        String body = m.body();
        int colon = body.indexOf(':');
        String publisher = colon > 0 ? body.substring(0, colon) : body;
        int n;
        try {
            n = colon > 0 ? Integer.parseInt(body.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            n = -1;
        }
        String position = m.header("position");
        log.add(new OpLog.Delivered(log.now(), name, s, publisher, n, position, channel));
        received.computeIfAbsent(publisher, k -> ConcurrentHashMap.newKeySet()).add(n);
        lastN.merge(publisher, n, Math::max);
        lastFrom.put(publisher, log.now());
        if (position != null && session == s) {
            lastPosition = position;
        }
        if (cutNextReplay && !joinedNow && session == s) {
            cutNextReplay = false;
            cuts.incrementAndGet();
            w.timer.execute(c::close); // the connection cut in the middle of its replay
        }
    }

    private void retry() {
        if (!stopped && !w.timer.isShutdown()) {
            w.timer.schedule(this::connect, 200 + rnd.nextInt(300), TimeUnit.MILLISECONDS);
        }
    }

    /** Leaves the channel on purpose (for a while): the next session recovers with since. */
    void leave() {
        LhttpClient c = client;
        if (c != null) {
            c.close(); // onClose or the end runnable logs the session end and schedules the return
        }
    }

    /** Unsubscribes and waits until the server has handled it (a later request on the connection was answered). */
    void unsubscribe() throws InterruptedException {
        stopped = true;
        LhttpClient c = client;
        int s = session;
        if (c == null) {
            return;
        }
        try {
            c.unsubscribe(channel);
            c.request(
                            "subscribe",
                            List.of(new Header("subscribe", "h-fence-" + name), new Header("positions", "true")),
                            "",
                            Duration.ofSeconds(10))
                    .get(15, TimeUnit.SECONDS);
            log.add(new OpLog.Unsubscribed(log.now(), name, s));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
            System.out.println("FAULTS: " + name + " could not confirm its unsubscribe: " + e);
        }
    }

    void stop() {
        stopped = true;
        LhttpClient c = client;
        if (c != null) {
            c.close();
        }
    }
}
