package io.lhttp.load;

import io.lhttp.testkit.Payloads;
import io.lhttp.testkit.RawWebSocket;
import io.lhttp.testkit.Tally;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The attacks of docs/RELIABILITY.md, each run beside a {@link Canary}: a normal chat (one
 * subscriber, one publisher, 10 messages a second) that must keep working throughout. Prints
 * progress on stderr and one {@code RESULT {json}} line on stdout; exit status 0 when the canary
 * lost nothing and its connection stayed open.
 *
 * <pre>
 * mode=unfinished attackers=1000 frame=1038090 hold=60   frames announced, sent but for one byte, never finished
 * mode=stall      stalled=20 messages=400 size=65000      readers that stop reading, fed maximum-size frames
 * mode=slowpost   posts=300 interval=5 hold=60            POST /publish bodies trickled one byte per interval
 * mode=conns      connections=5000                        one address opens many connections
 * mode=idle       idle=100 live=10 hold=90                connections that never answer pings, and live ones
 * mode=cycles     cycles=100000 concurrency=8             connect, subscribe, disconnect; heap and leftovers after
 * mode=soak       minutes=10 rate=200 subs=20 churn=20    steady load, subscribers joining and leaving
 * mode=history    channels=200 messages=100 size=65000     one client fills history channels (server: -Dlhttp.history.channels=hist.*)
 * </pre>
 *
 * Common keys: {@code host}, {@code port}, {@code server-pid} (heap after a full GC, via jcmd),
 * {@code sources=16}: the attacking connections of {@code unfinished}, {@code stall} and
 * {@code conns} come from that many client addresses, 127.0.0.10 onwards, in turn (loopback
 * only; the canary stays on 127.0.0.1; default 0: the attackers share the canary's address).
 * Throughout, a new connection is opened (and served an echo) every second: the slowest and the
 * number over 1 s are reported, during the attack and once after it; with {@code server-pid}, the
 * server's threads and whether it is still alive too.
 */
public final class Attack {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final Map<String, String> args;
    private final String host;
    private final int port;
    private final Map<String, Object> result = new LinkedHashMap<>();

    Attack(Map<String, String> args) {
        this.args = args;
        this.host = args.getOrDefault("host", "127.0.0.1");
        this.port = Integer.parseInt(args.getOrDefault("port", "8080"));
    }

    public static void main(String[] argv) throws Exception {
        Attack attack = new Attack(LoadTool.arguments("Attack", argv));
        boolean healthy = attack.run();
        System.out.println("RESULT " + LoadTool.json(attack.result));
        System.exit(healthy ? 0 : 1);
    }

    boolean run() throws Exception {
        String mode = args.getOrDefault("mode", "unfinished");
        result.put("mode", mode);
        result.put("sources", getInt("sources", 0));
        heap("heap_before_kb");
        threads("threads_before");
        Prober prober = new Prober();
        Thread probing = daemon("prober", prober::run);
        try (Canary canary = new Canary(
                uri(), "canary" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36))) {
            switch (mode) {
                case "unfinished" -> unfinished();
                case "stall" -> stall();
                case "slowpost" -> slowPost();
                case "conns" -> connections();
                case "idle" -> idle();
                case "cycles" -> cycles();
                case "soak" -> soak();
                case "history" -> history();
                default ->
                    throw new IllegalArgumentException(
                            "mode must be unfinished, stall, slowpost, conns, idle, cycles, soak or history");
            }
            canary.report(result);
        } finally {
            prober.stop = true;
            probing.interrupt();
        }
        result.put("probes", prober.count);
        result.put("probe_max_ms", prober.maxMs);
        result.put("probes_over_1s", prober.over1s);
        result.put("probe_after_ms", probe());
        threads("threads_after");
        heap("heap_after_kb");
        int settle = getInt("settle", 30);
        if (settle > 0 && args.containsKey("server-pid")) {
            Thread.sleep(settle * 1000L); // what the container releases late (its own timers) is released by now
            heap("heap_settled_kb");
            threads("threads_settled");
        }
        if (args.containsKey("server-pid")) {
            result.put(
                    "server_alive",
                    java.nio.file.Files.isDirectory(java.nio.file.Path.of("/proc", args.get("server-pid"))));
        }
        leftovers();
        return (long) result.get("canary_lost") == 0 && (boolean) result.get("canary_open");
    }

    /** The client address of attacking connection {@code i}: one of {@code sources} loopback addresses, or any (null) when 1. */
    private java.net.InetAddress source(int i) throws IOException {
        int sources = getInt("sources", 0);
        return sources <= 0 ? null : java.net.InetAddress.getByName("127.0.0." + (10 + i % sources));
    }

    private int getInt(String key, int fallback) {
        return Integer.parseInt(args.getOrDefault(key, Integer.toString(fallback)));
    }

    private URI uri() {
        return URI.create("ws://" + host + ":" + port + "/");
    }

    private static void progress(String format, Object... values) {
        System.err.printf(java.util.Locale.ROOT, format + "%n", values);
    }

    // ---------------------------------------------------------------- attacks

    /** Many connections each send all but the last byte of a large frame, then hold. */
    private void unfinished() throws Exception {
        int attackers = getInt("attackers", 1000);
        int frame = getInt("frame", 1_038_090); // 0.99 MiB
        int hold = getInt("hold", 60);
        Closes closes = new Closes();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger cutShort = new AtomicInteger();
        List<RawWebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int i = 0; i < attackers; i++) {
            int n = i;
            pool.execute(() -> {
                RawWebSocket ws;
                try {
                    ws = RawWebSocket.connect(uri(), source(n), Duration.ofSeconds(30), 8192);
                } catch (IOException e) {
                    refused.incrementAndGet();
                    return;
                }
                sockets.add(ws);
                ws.answerPings(false); // a pong now would land inside the unfinished frame
                closes.watch(ws, start);
                try {
                    ws.sendUnfinished(frame, frame - 1);
                } catch (IOException e) {
                    cutShort.incrementAndGet(); // the server stopped taking it before the frame's end
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(30, TimeUnit.MINUTES);
        progress(
                "unfinished: %d attackers sent their frames (%d refused, %d cut short); holding %d s",
                attackers - refused.get(), refused.get(), cutShort.get(), hold);
        Thread.sleep(hold * 1000L); // the attack is to hold: nothing to wait for
        result.put("attackers", attackers);
        result.put("refused_at_connect", refused.get());
        result.put("cut_short", cutShort.get());
        closes.report(result);
        sockets.forEach(RawWebSocket::close);
    }

    /** Readers that subscribe and stop reading, fed frames of the largest accepted size; one normal reader on the same channel. */
    private void stall() throws Exception {
        int stalled = getInt("stalled", 20);
        int messages = getInt("messages", 400);
        int size = getInt("size", 65_000);
        String channel = "stall" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        Closes closes = new Closes();
        long start = System.nanoTime();
        List<RawWebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < stalled; i++) {
            RawWebSocket ws = RawWebSocket.connect(uri(), source(i), Duration.ofSeconds(10), 1024, 4096);
            sockets.add(ws);
            subscribeConfirmed(ws, channel, "stalled" + i);
            // From here on it never reads: its close is seen only at the end.
        }
        RawWebSocket normal = RawWebSocket.connect(uri(), Duration.ofSeconds(10));
        sockets.add(normal);
        subscribeConfirmed(normal, channel, "normal");
        AtomicLong received = new AtomicLong();
        byte[] body = new byte[size - Payloads.envelope(channel, "").length()];
        java.util.Arrays.fill(body, (byte) 'x');
        String frame = Payloads.envelope(channel, new String(body, StandardCharsets.US_ASCII));
        Thread reader = daemon(
                "normal-reader",
                () -> normal.readAll((b, o, l) -> {
                    if (l == frame.length()) {
                        received.incrementAndGet();
                    }
                }));
        RawWebSocket publisher = RawWebSocket.connect(uri(), Duration.ofSeconds(10));
        sockets.add(publisher);
        daemon("publisher-replies", () -> publisher.readAll((b, o, l) -> {}));
        for (int s = 0; s < messages; s++) {
            // Paced by the normal reader (at most 8 frames ahead): it is a reader that keeps up, the stalled ones are
            // not.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (s - received.get() > 8 && System.nanoTime() < deadline && normal.closeCode() < 0) {
                Thread.sleep(1);
            }
            publisher.send(frame);
        }
        long waitEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < messages && System.nanoTime() < waitEnd && normal.closeCode() < 0) {
            Thread.sleep(10);
        }
        result.put("stalled", stalled);
        result.put("messages", messages);
        result.put("size", size);
        result.put("normal_received", received.get());
        result.put("normal_open", normal.closeCode() < 0);
        heap("heap_during_kb");
        for (int i = 0; i < stalled; i++) {
            closes.watch(sockets.get(i), start); // read what is left now, to see whether the server closed it
        }
        closes.await(stalled, Duration.ofSeconds(90));
        closes.report(result);
        sockets.forEach(RawWebSocket::close);
        reader.interrupt();
    }

    /**
     * One client publishes maximum-size messages to many history channels (issue 18, attack 5):
     * without a byte bound, 200 channels x 100 x 65 KB is 1.3 GB kept. Each channel is confirmed by
     * an echo on the same connection before the next, so the server has handled every publish.
     */
    private void history() throws Exception {
        int channels = getInt("channels", 200);
        int messages = getInt("messages", 100);
        int size = getInt("size", 65_000);
        String prefix = "hist." + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + ".";
        byte[] body = new byte[size - Payloads.envelope(prefix + "c0000", "").length()];
        java.util.Arrays.fill(body, (byte) 'h');
        String text = new String(body, StandardCharsets.US_ASCII);
        long published = 0;
        long start = System.nanoTime();
        try (RawWebSocket ws = RawWebSocket.connect(uri(), Duration.ofSeconds(30))) {
            ws.readTimeout(Duration.ofSeconds(60));
            for (int c = 0; c < channels; c++) {
                String channel = prefix + String.format("c%04d", c);
                for (int i = 0; i < messages; i++) {
                    ws.send(Payloads.envelope(channel, text));
                    published++;
                }
                ws.send("LHTTP/1.0 echo\r\n\r\nsync");
                String[] got = {null};
                while (got[0] == null || !got[0].endsWith("sync")) {
                    if (!ws.readFrame((b, o, l) -> got[0] = new String(b, o, l, StandardCharsets.UTF_8))) {
                        throw new IOException("closed while publishing (code " + ws.closeCode() + ")");
                    }
                }
            }
        }
        result.put("channels", channels);
        result.put("messages_per_channel", messages);
        result.put("size", size);
        result.put("published", published);
        result.put("published_mb", published * size / 1_000_000);
        result.put("seconds", Math.round((System.nanoTime() - start) / 1e9));
        heap("heap_with_history_kb");
    }

    /** POST /publish bodies that trickle in, one byte per interval; a new WebSocket is opened and used each second meanwhile. */
    private void slowPost() throws Exception {
        int posts = getInt("posts", 300);
        int interval = getInt("interval", 5);
        int hold = getInt("hold", 60);
        int length = getInt("length", 65_000);
        Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
        List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < posts; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(host, port), 5000);
                s.getOutputStream()
                        .write(("POST /publish HTTP/1.1\r\nHost: " + host + ":" + port
                                        + "\r\nContent-Type: text/plain\r\nContent-Length: " + length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
                daemon(
                        "post-" + i,
                        () -> outcomes.computeIfAbsent(statusLine(s.getInputStream()), k -> new LongAdder())
                                .increment());
            } catch (IOException e) {
                outcomes.computeIfAbsent("refused at connect", k -> new LongAdder())
                        .increment();
                s.close();
            }
        }
        progress("slowpost: %d bodies started", sockets.size());
        List<Long> probes = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(hold);
        long nextByte = System.nanoTime();
        while (System.nanoTime() < end) {
            if (System.nanoTime() >= nextByte) {
                synchronized (sockets) {
                    for (Socket s : sockets) {
                        try {
                            s.getOutputStream().write('x');
                        } catch (IOException e) {
                            // the server gave up on this body: its answer (if any) is counted by its reader
                        }
                    }
                }
                nextByte += TimeUnit.SECONDS.toNanos(interval);
            }
            probes.add(probe());
            Thread.sleep(1000); // one probe a second
        }
        Collections.sort(probes);
        result.put("posts", posts);
        result.put("probe_count", probes.size());
        result.put("probe_p50_ms", probes.isEmpty() ? -1 : probes.get(probes.size() / 2));
        result.put("probe_max_ms", probes.isEmpty() ? -1 : probes.get(probes.size() - 1));
        Map<String, Long> byOutcome = new TreeMap<>();
        outcomes.forEach((k, v) -> byOutcome.put(k, v.sum()));
        result.put("post_outcomes", byOutcome.toString().replace('"', '\''));
        sockets.forEach(s -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        });
    }

    /** Milliseconds for a new connection to open, subscribe and see its own echo; -1 if it failed. */
    private long probe() {
        long start = System.nanoTime();
        try (RawWebSocket ws = RawWebSocket.connect(uri(), Duration.ofSeconds(60))) {
            subscribeConfirmed(
                    ws, "probe" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36), "probe");
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } catch (IOException e) {
            return -1;
        }
    }

    private static String statusLine(InputStream in) {
        StringBuilder sb = new StringBuilder();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\r' && c != '\n') {
                sb.append((char) c);
            }
        } catch (IOException e) {
            return "reset";
        }
        return sb.length() == 0 ? "closed without an answer" : sb.toString();
    }

    /** One address opens many connections: how many are accepted, how many refused and how. */
    private void connections() throws Exception {
        int count = getInt("connections", 5000);
        Closes kept = new Closes(); // the accepted ones read, so they answer pings and stay
        long start = System.nanoTime();
        List<RawWebSocket> open = new ArrayList<>();
        Map<String, Integer> refused = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            try {
                RawWebSocket ws = RawWebSocket.connect(uri(), source(i), Duration.ofSeconds(10), 1024);
                try {
                    subscribeConfirmed(ws, "c" + i, "conn");
                    open.add(ws);
                    kept.watch(ws, start);
                } catch (IOException e) {
                    refused.merge("closed " + ws.closeCode(), 1, Integer::sum);
                    ws.close();
                }
            } catch (IOException e) {
                refused.merge(e.getMessage(), 1, Integer::sum);
            }
        }
        result.put("attempted", count);
        result.put("accepted", open.size());
        result.put("refused", refused.toString());
        result.put(
                "accepted_still_open",
                open.stream().filter(ws -> ws.closeCode() < 0).count());
        open.forEach(RawWebSocket::close);
    }

    /** Connections that never read (so never answer a ping), beside live ones that do. */
    private void idle() throws Exception {
        int idle = getInt("idle", 100);
        int live = getInt("live", 10);
        int hold = getInt("hold", 90);
        long start = System.nanoTime();
        List<RawWebSocket> dead = new ArrayList<>();
        for (int i = 0; i < idle; i++) {
            RawWebSocket ws = RawWebSocket.connect(uri(), null, Duration.ofSeconds(10), 1024);
            subscribeConfirmed(ws, "idle" + i, "idle"); // then silent, and unread
            ws.answerPings(false); // when its backlog is read at the end: a dead client answers nothing
            dead.add(ws);
        }
        Closes liveCloses = new Closes();
        List<RawWebSocket> alive = new ArrayList<>();
        for (int i = 0; i < live; i++) {
            RawWebSocket ws = RawWebSocket.connect(uri(), Duration.ofSeconds(10));
            subscribeConfirmed(ws, "live" + i, "live");
            alive.add(ws);
            liveCloses.watch(ws, start); // reading: answers the server's pings
        }
        Thread.sleep(hold * 1000L); // the attack is to stay silent
        Closes deadCloses = new Closes();
        dead.forEach(ws -> deadCloses.watch(ws, start));
        Thread.sleep(2000); // for the readers to reach what the server sent
        Map<String, Object> d = new LinkedHashMap<>();
        deadCloses.report(d);
        result.put("idle", idle);
        result.put("idle_closed", d.get("closed_by_server"));
        result.put("idle_close_codes", d.get("close_codes"));
        result.put("live", live);
        result.put(
                "live_still_open",
                alive.stream().filter(ws -> ws.closeCode() < 0).count());
        dead.forEach(RawWebSocket::close);
        alive.forEach(RawWebSocket::close);
    }

    /** Connect, subscribe to an own and a shared channel, disconnect; many times over. */
    private void cycles() throws Exception {
        int cycles = getInt("cycles", 100_000);
        int concurrency = getInt("concurrency", 8);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        for (int t = 0; t < concurrency; t++) {
            pool.execute(() -> {
                int i;
                while ((i = next.getAndIncrement()) < cycles) {
                    try (RawWebSocket ws = RawWebSocket.connect(uri(), null, Duration.ofSeconds(30), 1024)) {
                        subscribeConfirmed(ws, "cycle" + i + " cycles", "cycle" + i);
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    }
                    if (i % 10_000 == 0) {
                        progress("cycles: %d", i);
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(6, TimeUnit.HOURS);
        double seconds = (System.nanoTime() - start) / 1e9;
        result.put("cycles", cycles);
        result.put("failed", failed.get());
        result.put("cycles_per_s", Math.round(cycles / seconds));
        Thread.sleep(5000); // let the server see the last closes before the heap is read
    }

    /**
     * Steady publishing to one channel; permanent subscribers must receive every message once,
     * intact, in order; churners join and leave meanwhile and must receive nothing corrupt,
     * duplicated or out of order. The server's heap after a full GC is sampled each minute.
     */
    private void soak() throws Exception {
        int minutes = getInt("minutes", 10);
        int rate = getInt("rate", 200);
        int subs = getInt("subs", 20);
        int churn = getInt("churn", 20);
        String channel = "soak" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        int total = minutes * 60 * rate;
        Payloads payloads = new Payloads(false, 1, total, 100, s -> channel);
        List<RawWebSocket> sockets = new ArrayList<>();
        List<Tally> permanent = new ArrayList<>();
        for (int i = 0; i < subs; i++) {
            RawWebSocket ws = RawWebSocket.connect(uri(), Duration.ofSeconds(10));
            sockets.add(ws);
            subscribeConfirmed(ws, channel, "soak-sub");
            Tally tally = new Tally(payloads, null, null);
            permanent.add(tally);
            daemon("soak-sub-" + i, () -> ws.readAll(tally));
        }
        LongAdder churnBad = new LongAdder();
        LongAdder churnJoins = new LongAdder();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> churners = new ArrayList<>();
        for (int i = 0; i < churn; i++) {
            churners.add(daemon("churn-" + i, () -> {
                while (running.get()) {
                    Tally tally = new Tally(payloads, null, null);
                    try (RawWebSocket ws = RawWebSocket.connect(uri(), Duration.ofSeconds(10))) {
                        subscribeConfirmed(ws, channel, "churn");
                        churnJoins.increment();
                        long leave = System.nanoTime()
                                + TimeUnit.MILLISECONDS.toNanos(
                                        1000 + ThreadLocalRandom.current().nextInt(4000));
                        ws.readTimeout(Duration.ofMillis(200));
                        while (System.nanoTime() < leave) {
                            try {
                                if (!ws.readFrame(tally)) {
                                    break;
                                }
                            } catch (java.net.SocketTimeoutException quiet) {
                                // nothing published in 200 ms: keep listening until it is time to leave
                            }
                        }
                    } catch (IOException e) {
                        churnBad.increment();
                    }
                    churnBad.add(tally.corrupt() + tally.duplicated() + tally.outOfOrder());
                }
            }));
        }
        RawWebSocket publisher = RawWebSocket.connect(uri(), Duration.ofSeconds(10));
        sockets.add(publisher);
        daemon("soak-publisher-replies", () -> publisher.readAll((b, o, l) -> {}));
        List<Long> heap = new ArrayList<>();
        long start = System.nanoTime();
        long nextSample = start + TimeUnit.MINUTES.toNanos(1);
        for (int s = 0; s < total; s++) {
            long due = start + (long) (s * 1e9 / rate);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            }
            publisher.send(payloads.frame(0, s));
            if (System.nanoTime() >= nextSample) {
                heap.add(heapAfterGc());
                progress(
                        "soak: %d/%d published, heap after GC %s KB, %d churn joins",
                        s, total, heap.get(heap.size() - 1), churnJoins.sum());
                nextSample += TimeUnit.MINUTES.toNanos(1);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (permanent.stream().anyMatch(t -> t.received() < total) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        running.set(false);
        for (Thread t : churners) {
            t.join(10_000);
        }
        heap.add(heapAfterGc());
        result.put("minutes", minutes);
        result.put("published", total);
        result.put("subs", subs);
        result.put("lost", permanent.stream().mapToLong(Tally::lost).sum());
        result.put("corrupt", permanent.stream().mapToLong(Tally::corrupt).sum());
        result.put("duplicated", permanent.stream().mapToLong(Tally::duplicated).sum());
        result.put(
                "out_of_order", permanent.stream().mapToLong(Tally::outOfOrder).sum());
        result.put("churn_joins", churnJoins.sum());
        result.put("churn_faults", churnBad.sum());
        result.put("heap_after_gc_kb_each_minute", heap.toString().replace(" ", ""));
        sockets.forEach(RawWebSocket::close);
    }

    // ---------------------------------------------------------------- helpers

    /** A new connection each second, beside the attack: does it open and get served within 1 s? */
    private final class Prober {
        volatile boolean stop;
        volatile long count;
        volatile long maxMs;
        volatile long over1s;

        void run() {
            while (!stop) {
                long ms = probe();
                if (stop) {
                    return;
                }
                count++;
                if (ms < 0 || ms > 1000) {
                    over1s++;
                }
                maxMs = Math.max(maxMs, ms < 0 ? Long.MAX_VALUE : ms);
                try {
                    Thread.sleep(Math.max(0, 1000 - ms));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** The server's thread count ({@code /proc/<pid>/task}), when {@code server-pid} is given. */
    private void threads(String key) {
        String pid = args.get("server-pid");
        if (pid == null) {
            return;
        }
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc", pid, "task"))) {
            result.put(key, tasks.count());
        } catch (IOException e) {
            result.put(key, -1);
        }
    }

    /** Subscribes and publishes to an own channel in one frame: the echo proves the subscription is in place. */
    private static void subscribeConfirmed(RawWebSocket ws, String channels, String own) throws IOException {
        String mine = own + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        ws.send("LHTTP/1.0 sub\r\nsubscribe:" + channels + " " + mine + "\r\npublish:" + mine + "\r\n\r\nhi");
        ws.readTimeout(Duration.ofSeconds(30));
        if (!ws.readFrame((b, o, l) -> {})) {
            throw new IOException("closed while subscribing (code " + ws.closeCode() + ")");
        }
        ws.readTimeout(Duration.ZERO);
    }

    private static Thread daemon(String name, IoRunnable body) {
        Thread t = new Thread(
                () -> {
                    try {
                        body.run();
                    } catch (IOException e) {
                        // the socket ended: whoever cares reads its close code
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @FunctionalInterface
    private interface IoRunnable {
        void run() throws IOException;
    }

    /** Records how and when the server closed each watched connection. */
    private static final class Closes {
        private final Map<Integer, Integer> codes = new ConcurrentHashMap<>();
        private final List<Long> afterMs = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger watched = new AtomicInteger();

        /** Waits until {@code count} watched connections have ended, or the timeout. */
        void await(int count, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (afterMs.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        }

        /** Reads (and discards) everything the connection receives, from now on. */
        void watch(RawWebSocket ws, long start) {
            watched.incrementAndGet();
            daemon("watch", () -> {
                try {
                    ws.readAll((b, o, l) -> {});
                } finally {
                    if (ws.closeCode() > 0) {
                        codes.merge(ws.closeCode(), 1, Integer::sum);
                        afterMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                    }
                }
            });
        }

        void report(Map<String, Object> result) {
            result.put(
                    "closed_by_server",
                    codes.values().stream().mapToInt(Integer::intValue).sum());
            result.put("close_codes", new TreeMap<>(codes).toString());
            List<Long> sorted;
            synchronized (afterMs) {
                sorted = new ArrayList<>(afterMs);
            }
            Collections.sort(sorted);
            if (!sorted.isEmpty()) {
                result.put("closed_after_ms_median", sorted.get(sorted.size() / 2));
                result.put("closed_after_ms_max", sorted.get(sorted.size() - 1));
            }
            result.put("still_open", watched.get() - (int) result.get("closed_by_server"));
        }
    }

    /** Server heap in use after a full GC (KB), through jcmd; -1 without {@code server-pid}. */
    private long heapAfterGc() {
        String pid = args.get("server-pid");
        if (pid == null) {
            return -1;
        }
        try {
            jcmd(pid, "GC.run");
            Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private void heap(String key) {
        if (args.containsKey("server-pid")) {
            result.put(key, heapAfterGc());
        }
    }

    /** Instances of the server's connection class still on the heap after the attack (0 = nothing leaked). */
    private void leftovers() {
        String pid = args.get("server-pid");
        if (pid == null) {
            return;
        }
        try {
            for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[3].equals("io.lhttp.connection.Connection")) {
                    result.put("connection_objects_left", Long.parseLong(f[1]));
                    return;
                }
            }
            result.put("connection_objects_left", 0);
        } catch (IOException e) {
            result.put("connection_objects_left", -1);
        }
    }

    private static String jcmd(String pid, String command) throws IOException {
        Process p = new ProcessBuilder("jcmd", pid, command)
                .redirectErrorStream(true)
                .start();
        try (InputStream in = p.getInputStream()) {
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(60, TimeUnit.SECONDS);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /**
     * A normal chat beside the attack: one subscriber, one publisher on a channel of its own, ten
     * messages a second, each carrying its send time. Lost = sent but not received by the end.
     */
    static final class Canary implements AutoCloseable {
        private final RawWebSocket subscriber;
        private final RawWebSocket publisher;
        private final Thread sender;
        private final AtomicLong sent = new AtomicLong();
        private final AtomicLong received = new AtomicLong();
        private final AtomicLong maxLatencyNs = new AtomicLong();
        private final CountDownLatch stop = new CountDownLatch(1);
        private volatile boolean publisherFailed;

        Canary(URI uri, String channel) throws IOException {
            subscriber = RawWebSocket.connect(uri, Duration.ofSeconds(30));
            subscribeConfirmed(subscriber, channel, "canary");
            publisher = RawWebSocket.connect(uri, Duration.ofSeconds(30));
            daemon(
                    "canary-subscriber",
                    () -> subscriber.readAll((b, o, l) -> {
                        String text = new String(b, o, l, StandardCharsets.UTF_8);
                        int at = text.lastIndexOf("\r\n\r\n");
                        if (at >= 0 && text.startsWith("LHTTP/1.0 canary")) {
                            long sentAt = Long.parseLong(text.substring(at + 4));
                            received.incrementAndGet();
                            maxLatencyNs.accumulateAndGet(System.nanoTime() - sentAt, Math::max);
                        }
                    }));
            daemon("canary-publisher-replies", () -> publisher.readAll((b, o, l) -> {}));
            sender = daemon("canary-publisher", () -> {
                try {
                    while (!stop.await(100, TimeUnit.MILLISECONDS)) {
                        publisher.send("LHTTP/1.0 canary\r\npublish:" + channel + "\r\n\r\n" + System.nanoTime());
                        sent.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    publisherFailed = true;
                    throw e;
                }
            });
        }

        void report(Map<String, Object> result) throws InterruptedException {
            stop.countDown();
            sender.join(5000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.get() < sent.get() && System.nanoTime() < deadline && subscriber.closeCode() < 0) {
                Thread.sleep(20);
            }
            result.put("canary_sent", sent.get());
            result.put("canary_lost", sent.get() - received.get());
            result.put("canary_max_latency_ms", TimeUnit.NANOSECONDS.toMillis(maxLatencyNs.get()));
            result.put("canary_open", subscriber.closeCode() < 0 && publisher.closeCode() < 0 && !publisherFailed);
        }

        @Override
        public void close() {
            stop.countDown();
            subscriber.close();
            publisher.close();
        }
    }
}
