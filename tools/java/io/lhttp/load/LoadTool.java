package io.lhttp.load;

import io.lhttp.client.LhttpClient;
import io.lhttp.testkit.Payloads;
import io.lhttp.testkit.RawWebSocket;
import io.lhttp.testkit.Tally;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * End-to-end load generator for lhttp (and, in raw mode, nginx + nchan). See docs/BENCHMARKS.md.
 *
 * <pre>
 * mode=fanout       S subscribers on one channel, N messages of B bytes from one WebSocket
 *                   publisher (back to back) or C HTTP publishers (keep-alive, one POST at a time)
 * mode=latency      S subscribers, one WebSocket publisher at R messages/s; p50/p90/p99/max
 * mode=connections  C connections, each subscribed to its own channel; open rate, server RSS,
 *                   then one message to each, checked
 * mode=memory       C idle subscribed connections; the server's live heap (jcmd GC.run, then
 *                   GC.heap_info) before, with all open, and after closing: KB per connection
 * target=lhttp      ws://host:port/ + subscribe frames, POST /publish
 * client=raw        (fanout, latency) subscribers on RawWebSocket, bytes checked without a copy
 * client=sdk        subscribers on the Java client SDK (LhttpClient): what a Java application
 *                   receives, frame parsing and listener included (docs/BENCHMARKS.md: why raw is
 *                   the default)
 * target=raw        ws://host:port/sub/CH, ws://host:port/pub/CH, POST /pub/CH (nchan): bare bodies
 * batching=on       (target=lhttp) every connection offers lhttp-batch.1 (PROTOCOL.md §7): raw
 *                   subscribers unpack batch frames, the SDK's do so itself, and the fan-out's
 *                   WebSocket publisher packs its back-to-back frames into batch frames of at most
 *                   batch-chars (default 8192, the SDKs' bound). Default off: one message per frame.
 * repeat=N         (fanout, latency) the whole run N times in this JVM, each on a new channel
 *                   with new connections; the result is the last run's, clean only if every run
 *                   was. Why: the tool's own reading and checking runs interpreted at first; a
 *                   10,000-message run is over before the JIT has compiled it (docs/BENCHMARKS.md,
 *                   "The headline"). Default 1.
 * </pre>
 *
 * <p>Raw sockets ({@link RawWebSocket}), not the Java client SDK: the SDK's per-message parsing
 * cost about 40 % of the delivered rate when measured (client=sdk, docs/BENCHMARKS.md).
 *
 * <p>Prints progress on stderr and exactly one result line on stdout: {@code RESULT {json}}.
 * Exit status 0 when the run was complete and clean, 1 otherwise, 2 on bad arguments.
 */
public final class LoadTool {

    private final Map<String, String> args;
    private final String mode;
    private final boolean raw;
    private final String host;
    private final int port;
    private final Duration idle;
    private final Map<String, Object> result = new LinkedHashMap<>();

    LoadTool(Map<String, String> args) {
        this.args = args;
        this.mode = get("mode", "fanout");
        this.raw = switch (get("target", "lhttp")) {
            case "lhttp" -> false;
            case "raw" -> true;
            default -> throw new IllegalArgumentException("target must be lhttp or raw");
        };
        this.host = get("host", "127.0.0.1");
        this.port = Integer.parseInt(get("port", "8080"));
        this.idle = Duration.ofSeconds(Long.parseLong(get("timeout", "10")));
        result.put("mode", mode);
        result.put("target", raw ? "raw" : "lhttp");
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = arguments("LoadTool", argv);
        int repeat = Integer.parseInt(args.getOrDefault("repeat", "1"));
        LoadTool tool = new LoadTool(args);
        boolean clean = tool.run();
        for (int i = 1; i < repeat; i++) {
            tool = new LoadTool(args);
            clean &= tool.run();
        }
        if (repeat > 1) {
            tool.result.put("repeat", repeat);
        }
        System.out.println("RESULT " + tool.json());
        System.exit(clean ? 0 : 1);
    }

    /** {@code key=value} (or {@code --key=value}) arguments; exits with 2 on a bad one. */
    static Map<String, String> arguments(String tool, String[] argv) {
        Map<String, String> args = new LinkedHashMap<>();
        for (String a : argv) {
            int eq = a.indexOf('=');
            if (eq < 1) {
                System.err.println("usage: " + tool + " key=value ... (see docs/); bad argument: " + a);
                System.exit(2);
            }
            args.put(a.replaceFirst("^--", "").substring(0, eq - (a.startsWith("--") ? 2 : 0)), a.substring(eq + 1));
        }
        return args;
    }

    boolean run() throws Exception {
        return switch (mode) {
            case "fanout" -> fanout(false);
            case "latency" -> fanout(true);
            case "connections" -> connections();
            case "memory" -> memory();
            default -> throw new IllegalArgumentException("mode must be fanout, latency, connections or memory");
        };
    }

    private String get(String key, String fallback) {
        return args.getOrDefault(key, fallback);
    }

    private int getInt(String key, int fallback) {
        return Integer.parseInt(get(key, Integer.toString(fallback)));
    }

    // ---------------------------------------------------------------- fan-out and latency

    private boolean fanout(boolean latency) throws Exception {
        int subs = getInt("subs", latency ? 1 : 100);
        int messages = getInt("messages", latency ? 10_000 : 10_000);
        int size = getInt("size", 100);
        String publisher = latency ? "ws" : get("publisher", "ws");
        int concurrency = publisher.equals("http") ? getInt("concurrency", 4) : 1;
        int rate = getInt("rate", 1000);
        int stalledCount = getInt("stalled", 0);
        String channel = get(
                "channel", "bench" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36));
        result.put("publisher", publisher);
        result.put("subs", subs);
        result.put("messages", messages);
        result.put("size", size);
        if (publisher.equals("http")) {
            result.put("concurrency", concurrency);
        }
        if (latency) {
            result.put("rate", rate);
        }
        int perPublisher = messages / concurrency;
        Payloads payloads = new Payloads(raw, concurrency, perPublisher, size, s -> channel);
        AtomicLongArray sentAt = latency ? new AtomicLongArray(perPublisher) : null;
        LongAdder progress = new LongAdder();

        String client = get("client", "raw");
        if (!client.equals("raw") && !client.equals("sdk")) {
            throw new IllegalArgumentException("client must be raw or sdk");
        }
        boolean sdk = client.equals("sdk");
        if (sdk && raw) {
            throw new IllegalArgumentException("client=sdk speaks LHTTP: target=lhttp only");
        }
        result.put("client", sdk ? "sdk" : "raw");
        boolean batching = get("batching", "off").equals("on");
        if (batching && raw) {
            throw new IllegalArgumentException("batching=on is LHTTP's: target=lhttp only");
        }
        result.put("batching", batching ? "on" : "off");
        String offer = batching ? BatchFrames.OFFER : "";
        List<RawWebSocket> sockets = new ArrayList<>();
        List<LhttpClient> sdkClients = new ArrayList<>();
        List<Tally> tallies = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        RawWebSocket wsPublisher = null;
        LongAdder publisherReplies = new LongAdder();
        Closes closes = new Closes();
        try {
            for (int i = 0; sdk && i < subs; i++) {
                Tally tally = new Tally(payloads, progress, sentAt);
                tallies.add(tally);
                sdkClients.add(sdkSubscriber(channel, tally, closes, batching));
            }
            for (int i = 0; !sdk && i < subs; i++) {
                RawWebSocket ws = RawWebSocket.connect(
                        subscriberUri(channel), null, Duration.ofSeconds(10), RawWebSocket.LARGE_BUFFERS, 0, offer);
                sockets.add(ws);
                if (!raw) {
                    ws.send("LHTTP/1.0 sub\r\nsubscribe:" + channel + "\r\n\r\n");
                }
                Tally tally = new Tally(payloads, progress, sentAt);
                tallies.add(tally);
                readers.add(reader("subscriber-" + i, ws, batching ? BatchFrames.unpacking(tally) : tally, closes));
            }
            // Subscribers that stop reading: they subscribe, then never read, so their TCP buffers fill.
            for (int i = 0; i < stalledCount; i++) {
                RawWebSocket ws =
                        RawWebSocket.connect(subscriberUri(channel), null, Duration.ofSeconds(10), 1024, 4096);
                sockets.add(ws);
                if (!raw) {
                    String own = channel + "-stalled" + i;
                    ws.send("LHTTP/1.0 sub\r\nsubscribe:" + channel + " " + own + "\r\npublish:" + own + "\r\n\r\n");
                    ws.readTimeout(Duration.ofSeconds(30));
                    ws.readFrame((b, o, l) -> {}); // its own echo: subscribed; from now on it never reads
                }
            }
            if (stalledCount > 0) {
                result.put("stalled", stalledCount);
            }
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            if (publisher.equals("ws")) {
                wsPublisher = RawWebSocket.connect(
                        publisherUri(channel), null, Duration.ofSeconds(10), RawWebSocket.LARGE_BUFFERS, 0, offer);
                RawWebSocket p = wsPublisher;
                RawWebSocket.Handler replies = (b, o, l) -> publisherReplies.increment();
                reader("publisher-replies", p, batching ? BatchFrames.unpacking(replies) : replies, null);
            }
            awaitReady(payloads, tallies, wsPublisher, http, channel);

            long cpuBefore = serverCpuTicks();
            long start = System.nanoTime();
            long published;
            BatchFrames.Packer packer =
                    batching && !latency ? new BatchFrames.Packer(getInt("batch-chars", 8192)) : null;
            if (packer != null) {
                result.put("batch_chars", getInt("batch-chars", 8192));
            }
            if (publisher.equals("ws")) {
                for (int s = 0; s < perPublisher; s++) {
                    if (latency) {
                        long due = start + (long) (s * 1e9 / rate);
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(Math.min(wait, 20_000));
                        }
                        sentAt.set(s, System.nanoTime());
                        wsPublisher.send(payloads.frame(0, s));
                    } else if (packer != null) {
                        byte[] frame = payloads.frame(0, s);
                        if (!packer.fits(frame)) {
                            wsPublisher.write(packer.take());
                        }
                        packer.add(frame);
                    } else {
                        wsPublisher.write(payloads.frame(0, s));
                    }
                }
                if (packer != null && !packer.isEmpty()) {
                    wsPublisher.write(packer.take());
                }
                wsPublisher.flush();
                published = System.nanoTime();
            } else {
                published = httpPublish(http, payloads, channel, concurrency);
            }
            long expected = payloads.total() * subs;
            boolean complete = awaitDeliveries(progress, expected, start);
            long last = tallies.stream().mapToLong(Tally::lastReceipt).max().orElse(start);
            long delivered = tallies.stream().mapToLong(Tally::received).sum();
            double seconds = Math.max(1, last - start) / 1e9;
            result.put("expected", expected);
            result.put("delivered", delivered);
            result.put("seconds", round(seconds));
            result.put("delivered_per_s", Math.round(delivered / seconds));
            result.put("published_per_s", Math.round(payloads.total() / (Math.max(1, published - start) / 1e9)));
            tallyResult(tallies, complete);
            closesResult(closes);
            result.put("publisher_replies", publisherReplies.sum());
            serverCpu(cpuBefore, delivered);
            if (latency) {
                long[] all = tallies.stream()
                        .map(Tally::latencies)
                        .flatMapToLong(Arrays::stream)
                        .sorted()
                        .toArray();
                result.put("p50_us", micros(percentile(all, 50)));
                result.put("p90_us", micros(percentile(all, 90)));
                result.put("p99_us", micros(percentile(all, 99)));
                result.put("max_us", micros(all.length == 0 ? 0 : all[all.length - 1]));
            }
            return (boolean) result.get("complete") && clean();
        } finally {
            if (wsPublisher != null) {
                wsPublisher.close();
            }
            sockets.forEach(RawWebSocket::close);
            sdkClients.forEach(LhttpClient::close);
        }
    }

    /**
     * A subscriber on the SDK, as a Java application would write one: each message's frame goes
     * to the tally as UTF-8 bytes (the copy back to bytes is the adapter's, a small part of the cost).
     */
    private LhttpClient sdkSubscriber(String channel, Tally tally, Closes closes, boolean batching)
            throws InterruptedException {
        LhttpClient c = LhttpClient.connect(
                subscriberUri(channel),
                new LhttpClient.Options().reconnect(false).batching(batching));
        c.onMessage(m -> {
            byte[] frame = m.frame().getBytes(StandardCharsets.UTF_8);
            tally.onText(frame, 0, frame.length);
        });
        c.onClose(close -> closes.record(close.code()));
        if (!c.awaitOpen(idle)) {
            c.close();
            throw new IllegalStateException("SDK subscriber could not connect to " + subscriberUri(channel));
        }
        c.subscribe(channel, "sub", List.of(), "");
        return c;
    }

    /** Publishes markers until every subscriber has seen one: then every subscription is in place. */
    private void awaitReady(Payloads payloads, List<Tally> tallies, RawWebSocket ws, HttpClient http, String channel)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!tallies.stream().allMatch(Tally::ready)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("subscribers not ready after 30 s: "
                        + tallies.stream().filter(t -> !t.ready()).count() + " never saw the marker");
            }
            if (ws != null) {
                ws.send(payloads.marker());
            } else {
                post(http, channel, payloads.marker());
            }
            Thread.sleep(50); // a pause between probes, not a wait for a result: the loop checks readiness
        }
    }

    private long httpPublish(HttpClient http, Payloads payloads, String channel, int concurrency) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong failures = new AtomicLong();
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < concurrency; p++) {
                int publisher = p;
                done.add(pool.submit(() -> {
                    for (int s = 0; s < payloads.perPublisher(); s++) {
                        int status = post(http, channel, payloads.frame(publisher, s));
                        if (status / 100 != 2) {
                            failures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            result.put("post_failures", failures.get());
            return System.nanoTime();
        } finally {
            pool.shutdownNow();
        }
    }

    private int post(HttpClient http, String channel, byte[] body) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + host + ":" + port + (raw ? "/pub/" + channel : "/publish"));
        HttpRequest request = HttpRequest.newBuilder(uri)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Waits until everything arrived, or nothing arrived for the idle timeout; prints progress. */
    private boolean awaitDeliveries(LongAdder progress, long expected, long start) throws InterruptedException {
        long lastCount = -1;
        long lastChange = System.nanoTime();
        long nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (true) {
            long now = System.nanoTime();
            long count = progress.sum();
            if (count >= expected) {
                return true;
            }
            if (count != lastCount) {
                lastCount = count;
                lastChange = now;
            } else if (now - lastChange > idle.toNanos()) {
                return false;
            }
            if (now >= nextReport) {
                System.err.printf(
                        Locale.ROOT,
                        "progress: %d/%d delivered (%.0f%%), %.1f s%n",
                        count,
                        expected,
                        100.0 * count / expected,
                        (now - start) / 1e9);
                nextReport += TimeUnit.SECONDS.toNanos(1);
            }
            Thread.sleep(5); // polling interval of the reporter; deliveries do not wait on it
        }
    }

    private void tallyResult(List<Tally> tallies, boolean complete) {
        result.put("lost", tallies.stream().mapToLong(Tally::lost).sum());
        result.put("corrupt", tallies.stream().mapToLong(Tally::corrupt).sum());
        result.put("duplicated", tallies.stream().mapToLong(Tally::duplicated).sum());
        result.put("out_of_order", tallies.stream().mapToLong(Tally::outOfOrder).sum());
        result.put("complete", complete && (long) result.get("lost") == 0);
    }

    /** Healthy (reading) subscribers the server closed during the run, and with which codes. */
    private void closesResult(Closes closes) {
        result.put("subs_closed", (long) closes.count());
        result.put("close_codes", closes.summary());
    }

    private boolean clean() {
        return (long) result.get("corrupt") == 0
                && (long) result.get("duplicated") == 0
                && (long) result.get("out_of_order") == 0
                && (long) result.getOrDefault("subs_closed", 0L) == 0;
    }

    /** Reads until the connection ends; an end before the run is over is recorded in {@code closes} (if given). */
    private static Thread reader(String name, RawWebSocket ws, RawWebSocket.Handler handler, Closes closes) {
        Thread t = new Thread(
                () -> {
                    int code;
                    try {
                        ws.readAll(handler);
                        code = ws.closeCode();
                    } catch (IOException e) {
                        code = ws.closeCode() >= 0 ? ws.closeCode() : Closes.RESET;
                    }
                    if (closes != null) {
                        closes.record(code); // at the end of the run too, but the result has been taken by then
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private URI subscriberUri(String channel) {
        return URI.create("ws://" + host + ":" + port + (raw ? "/sub/" + channel : "/"));
    }

    private URI publisherUri(String channel) {
        return URI.create("ws://" + host + ":" + port + (raw ? "/pub/" + channel : "/"));
    }

    // ---------------------------------------------------------------- connections

    private boolean connections() throws Exception {
        int count = getInt("connections", 10_000);
        int parallel = getInt("open-concurrency", 16);
        int concurrency = getInt("concurrency", 4);
        List<InetAddress> sources = new ArrayList<>();
        for (String a : get("source-addresses", "").split(",")) {
            if (!a.isBlank()) {
                sources.add(InetAddress.getByName(a.trim()));
            }
        }
        String prefix = "c" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + "-";
        Payloads payloads = new Payloads(raw, 1, count, getInt("size", 100), s -> prefix + s);
        result.put("connections", count);
        long rssBefore = serverRss();
        RawWebSocket[] sockets = new RawWebSocket[count];
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            long start = System.nanoTime();
            AtomicLong failed = new AtomicLong();
            LongAdder opened = new LongAdder();
            List<Future<?>> opens = new ArrayList<>(count);
            int maxFailures = getInt("max-open-failures", 100);
            for (int i = 0; i < count; i++) {
                int n = i;
                InetAddress source = sources.isEmpty() ? null : sources.get(i % sources.size());
                opens.add(pool.submit(() -> {
                    if (failed.get() >= maxFailures) {
                        failed.incrementAndGet(); // the server is gone or refusing: do not wait 30 s per connection
                        return null;
                    }
                    try {
                        sockets[n] = open(prefix + n, source);
                        opened.increment();
                    } catch (IOException e) {
                        if (failed.incrementAndGet() == 1) {
                            System.err.println("open failed: " + e);
                        }
                    }
                    return null;
                }));
            }
            long nextReport = start;
            for (Future<?> f : opens) {
                while (true) {
                    try {
                        f.get(100, TimeUnit.MILLISECONDS);
                        break;
                    } catch (java.util.concurrent.TimeoutException notYet) {
                        if (System.nanoTime() - nextReport > TimeUnit.SECONDS.toNanos(1)) {
                            nextReport = System.nanoTime();
                            System.err.printf(
                                    Locale.ROOT,
                                    "progress: %d/%d connections open, %.1f s%n",
                                    opened.sum(),
                                    count,
                                    (nextReport - start) / 1e9);
                        }
                    }
                }
            }
            double openSeconds = (System.nanoTime() - start) / 1e9;
            result.put("open_failures", failed.get());
            result.put("open_per_s", Math.round((count - failed.get()) / openSeconds));
            long rssOpen = serverRss();

            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ExecutorService publishers = Executors.newFixedThreadPool(concurrency);
            AtomicLong postFailures = new AtomicLong();
            List<Future<?>> posts = new ArrayList<>();
            for (int p = 0; p < concurrency; p++) {
                int first = p;
                posts.add(publishers.submit(() -> {
                    for (int i = first; i < count; i += concurrency) {
                        if (post(http, prefix + i, payloads.frame(0, i)) / 100 != 2) {
                            postFailures.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : posts) {
                f.get();
            }
            publishers.shutdown();
            result.put("post_failures", postFailures.get());

            LongAdder ok = new LongAdder();
            LongAdder corrupt = new LongAdder();
            Closes closes = new Closes();
            LongAdder duplicated = new LongAdder();
            List<Future<?>> checks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int n = i;
                checks.add(pool.submit(() -> {
                    RawWebSocket ws = sockets[n];
                    if (ws == null) {
                        return null;
                    }
                    long[] id = {-2};
                    try {
                        ws.readTimeout(idle);
                        if (!ws.readFrame((b, o, l) -> id[0] = payloads.identify(b, o, l))) {
                            closes.record(ws.closeCode()); // closed by the server while idle: lost, and shown
                            return null;
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        return null; // timed out: lost
                    } catch (IOException e) {
                        closes.record(Closes.RESET);
                        return null;
                    }
                    if (id[0] == n) {
                        ok.increment();
                    } else if (id[0] != -2) {
                        corrupt.increment();
                    }
                    return null;
                }));
            }
            for (Future<?> f : checks) {
                f.get();
            }
            for (RawWebSocket ws : sockets) {
                if (ws != null && ws.hasUnreadInput()) {
                    duplicated.increment(); // each connection's channel got exactly one message
                }
            }
            result.put("delivered", ok.sum());
            result.put("lost", count - ok.sum() - corrupt.sum());
            result.put("corrupt", corrupt.sum());
            result.put("duplicated", duplicated.sum());
            result.put("out_of_order", 0L);
            result.put("complete", ok.sum() == count);
            closesResult(closes);

            for (RawWebSocket ws : sockets) {
                if (ws != null) {
                    ws.close();
                }
            }
            result.put("rss_before_mb", rssBefore / 1024);
            result.put("rss_open_mb", rssOpen / 1024);
            result.put("rss_growth_mb", (rssOpen - rssBefore) / 1024);
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(getInt("settle", 10));
            long rssAfter = serverRss();
            while (System.nanoTime() < settle) {
                Thread.sleep(1000); // sampling interval: the server frees memory on its own schedule
                rssAfter = Math.min(rssAfter, serverRss());
            }
            result.put("rss_closed_mb", rssAfter / 1024);
            return (boolean) result.get("complete") && clean();
        } finally {
            pool.shutdownNow();
            for (RawWebSocket ws : sockets) {
                if (ws != null) {
                    ws.close();
                }
            }
        }
    }

    // ---------------------------------------------------------------- memory

    /**
     * Live heap per idle subscribed connection: full GC and heap reading in the server (one JVM,
     * {@code server-pid}) before opening, with every connection open and subscribed, and after
     * closing them all. The server frees a closed connection on its own threads, at its own pace
     * (a loaded server takes seconds for a thousand closes), so the reading after closing is
     * repeated every 2 s (one full GC each) for {@code settle} seconds and the lowest counts.
     */
    private boolean memory() throws Exception {
        int count = getInt("connections", 10_000);
        int parallel = getInt("open-concurrency", 16);
        String pid = get("server-pid", "").trim();
        if (pid.isEmpty() || pid.contains(",")) {
            throw new IllegalArgumentException("mode=memory needs server-pid=<the one server JVM>");
        }
        String jcmd = get("jcmd", "jcmd");
        String prefix = "m" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36) + "-";
        result.put("connections", count);
        // A first open/subscribe/close cycle, not measured: it leaves behind what a server creates once
        // (classes, JIT code, pools, caches), which would otherwise count as per-connection heap
        int warmup = getInt("warmup-connections", Math.min(count, 1000));
        for (int i = 0; i < warmup; i++) {
            open(prefix + "w" + i, null).close();
        }
        long before = HeapReading.liveHeapKb(jcmd, pid);
        RawWebSocket[] sockets = new RawWebSocket[count];
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        Closes closes = new Closes();
        try {
            AtomicLong failed = new AtomicLong();
            List<Future<?>> opens = new ArrayList<>(count);
            int maxFailures = getInt("max-open-failures", 100);
            for (int i = 0; i < count; i++) {
                int n = i;
                opens.add(pool.submit(() -> {
                    if (failed.get() >= maxFailures) {
                        failed.incrementAndGet(); // the server is gone or refusing: do not wait 30 s per connection
                        return null;
                    }
                    try {
                        sockets[n] = open(prefix + n, null);
                    } catch (IOException e) {
                        if (failed.incrementAndGet() == 1) {
                            System.err.println("open failed: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : opens) {
                f.get();
            }
            long open = count - failed.get();
            result.put("open_failures", failed.get());
            long withOpen = HeapReading.liveHeapKb(jcmd, pid);
            for (RawWebSocket ws : sockets) { // still there? a connection the server dropped would flatter the figure
                if (ws != null && ws.closeCode() >= 0) {
                    closes.record(ws.closeCode());
                }
            }
            for (RawWebSocket ws : sockets) {
                if (ws != null) {
                    ws.close();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(getInt("settle", 10));
            long after = HeapReading.liveHeapKb(jcmd, pid);
            while (System.nanoTime() < deadline) {
                Thread.sleep(2000); // the server releases closed sessions on its own threads, at its own pace
                after = Math.min(after, HeapReading.liveHeapKb(jcmd, pid));
            }
            result.put("heap_before_kb", before);
            result.put("heap_open_kb", withOpen);
            result.put("heap_closed_kb", after);
            result.put("kb_per_connection", open == 0 ? 0 : round((double) (withOpen - before) / open));
            result.put("kb_left_per_connection", open == 0 ? 0 : round((double) (after - before) / open));
            closesResult(closes);
            result.put("complete", failed.get() == 0);
            return failed.get() == 0 && closes.count() == 0;
        } finally {
            pool.shutdownNow();
            for (RawWebSocket ws : sockets) {
                if (ws != null) {
                    ws.close();
                }
            }
        }
    }

    /** Opens one subscriber of its own channel; for lhttp, returns once its subscription echoed back. */
    private RawWebSocket open(String channel, InetAddress source) throws IOException {
        RawWebSocket ws = RawWebSocket.connect(subscriberUri(channel), source, Duration.ofSeconds(30), 1024);
        if (!raw) {
            // subscribe runs before publish within one message (PROTOCOL.md §2): the echo proves the subscription
            ws.send("LHTTP/1.0 sub\r\nsubscribe:" + channel + "\r\npublish:" + channel + "\r\n\r\n" + Payloads.MARKER);
            ws.readTimeout(Duration.ofSeconds(30));
            if (!ws.readFrame((b, o, l) -> {})) {
                ws.close();
                throw new IOException("closed while subscribing");
            }
        }
        return ws;
    }

    /**
     * Server CPU time (user + system, all threads) per delivered message: on a shared, noisy
     * machine wall-clock rates swing with the neighbours' load, CPU spent per message much less.
     */
    private void serverCpu(long ticksBefore, long delivered) throws IOException {
        if (ticksBefore < 0) {
            return;
        }
        double seconds = (serverCpuTicks() - ticksBefore) / 100.0; // USER_HZ is 100 on Linux
        result.put("server_cpu_s", round(seconds));
        result.put("server_cpu_us_per_delivery", delivered == 0 ? 0 : round(seconds * 1e6 / delivered));
    }

    /** utime + stime in clock ticks of the processes named by {@code server-pid}; -1 when not given. */
    private long serverCpuTicks() throws IOException {
        long ticks = -1;
        for (String pid : get("server-pid", "").split(",")) {
            if (pid.isBlank()) {
                continue;
            }
            String stat = Files.readString(Path.of("/proc", pid.trim(), "stat"), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks = Math.max(ticks, 0) + Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14, 15 of proc(5)
        }
        return ticks;
    }

    /** Sum of VmRSS (KiB) of the processes named by {@code server-pid=PID[,PID...]}; 0 when not given. */
    private long serverRss() throws IOException {
        long kib = 0;
        for (String pid : get("server-pid", "").split(",")) {
            if (pid.isBlank()) {
                continue;
            }
            for (String line : Files.readAllLines(Path.of("/proc", pid.trim(), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        }
        return kib;
    }

    // ---------------------------------------------------------------- output

    static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double micros(long nanos) {
        return round(nanos / 1000.0);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    String json() {
        return json(result);
    }

    /** One line of JSON: strings quoted, everything else as {@code String.valueOf}. */
    static String json(Map<String, ?> result) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, ?> e : result.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(e.getKey()).append("\":");
            Object v = e.getValue();
            sb.append(v instanceof String ? "\"" + v + "\"" : String.valueOf(v));
        }
        return sb.append('}').toString();
    }

    Map<String, Object> result() {
        return result;
    }
}
