package io.lhttp.it.admission;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.UberJarServer;
import io.lhttp.it.support.UpgradeVariants;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What one client must not be able to do to the packaged server (issue 14): take every
 * connection slot, starve the HTTP workers with slow {@code POST /publish} bodies, flood the log,
 * or reach a port other than HTTP; and what a shutdown owes the clients (queued frames, then
 * 1001). Clients come from distinct loopback addresses (127.0.0.0/8 is all local on Linux), so
 * that per-address limits can be reached by one "client" while a normal chat, from its own
 * address, must keep working throughout.
 *
 * <p>Raw sockets, not the SDK: each client binds its own loopback source address and some send handshake headers of a proxy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionIT {

    private static final Logger LOG = Logger.getLogger(AdmissionIT.class.getName());

    private static final int PER_ADDRESS = 4;
    private static final int PUBLISH_MAX = 8;
    private static final int PUBLISH_PER_ADDRESS = 2;
    private static final int READ_TIMEOUT_MS = 3000;
    private static final String PROXY = "127.0.0.5";
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    private static UberJarServer server;
    private static Chat chat;

    @BeforeAll
    static void start() throws IOException {
        server = UberJarServer.start(
                "-Dlhttp.max-connections-per-address=" + PER_ADDRESS,
                "-Dlhttp.trusted-proxies=" + PROXY,
                "-Dlhttp.publish.max-concurrent=" + PUBLISH_MAX,
                "-Dlhttp.publish.max-concurrent-per-address=" + PUBLISH_PER_ADDRESS,
                "-Dlhttp.publish.read-timeout-ms=" + READ_TIMEOUT_MS);
        chat = new Chat();
    }

    @AfterAll
    static void stop() {
        if (chat != null) {
            chat.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void onlyTheHttpPortListens() throws Exception {
        Set<Integer> ports = ListeningSockets.ports(server.pid());
        assertEquals(Set.of(server.port()), ports, "TCP ports the server process listens on");
        chat.works("ports");
    }

    @Test
    @Order(2)
    void oneAddressOverItsConnectionLimitIsRefusedWith1013() throws Exception {
        List<RawWebSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ADDRESS; i++) {
                held.add(accepted("127.0.0.3", ""));
            }
            RawWebSocket over = open("127.0.0.3", "");
            held.add(over);
            assertRefused(over);
            LOG.info("Upgrade variants Payara upgrades (each refused over the limit): "
                    + UpgradeVariants.assertEachRefusedOverTheLimit(
                            server.wsUri(), InetAddress.getByName("127.0.0.3"), IO_TIMEOUT));
            chat.works("over the limit");
            held.add(accepted("127.0.0.4", "")); // another address is unaffected
            held.get(0).close(); // one leaves: the address may connect again
            held.add(acceptedWithin("127.0.0.3", "", Duration.ofSeconds(20)));
            chat.works("after the limit");
        } finally {
            held.forEach(RawWebSocket::close);
        }
    }

    @Test
    @Order(3)
    void forwardedForCountsOnlyBehindATrustedProxy() throws Exception {
        List<RawWebSocket> held = new ArrayList<>();
        try {
            // Behind the trusted proxy, each forwarded client has its own allowance.
            for (int i = 0; i < PER_ADDRESS; i++) {
                held.add(accepted(PROXY, "X-Forwarded-For: 198.51.100.1\r\n"));
            }
            RawWebSocket over = open(PROXY, "X-Forwarded-For: 6.6.6.6, 198.51.100.1\r\n");
            held.add(over);
            assertRefused(over);
            held.add(accepted(PROXY, "X-Forwarded-For: 198.51.100.2\r\n"));
            // From an untrusted peer the header is ignored: all count as that peer.
            for (int i = 0; i < PER_ADDRESS; i++) {
                held.add(accepted("127.0.0.6", "X-Forwarded-For: 198.51.100." + (10 + i) + "\r\n"));
            }
            RawWebSocket untrusted = open("127.0.0.6", "X-Forwarded-For: 198.51.100.99\r\n");
            held.add(untrusted);
            assertRefused(untrusted);
            chat.works("forwarded");
        } finally {
            held.forEach(RawWebSocket::close);
        }
    }

    @Test
    @Order(4)
    void slowPublishBodiesFromOneAddressTakeOnlyItsShareAndLogOneLineEach() throws Exception {
        long logStart = logLines();
        List<SlowBody> bodies = new ArrayList<>();
        try (Trickler trickler = new Trickler(Duration.ofMillis(500))) {
            for (int i = 0; i < PUBLISH_PER_ADDRESS + 2; i++) {
                SlowBody b = new SlowBody("127.0.0.7");
                bodies.add(b);
                trickler.add(b);
            }
            // Meanwhile another client publishes over HTTP normally (from 127.0.0.1).
            String msg = frame("chat", "publish:normal\r\n", "over http during slow bodies");
            HttpResponse<String> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                                    .timeout(IO_TIMEOUT)
                                    .POST(HttpRequest.BodyPublishers.ofString(msg))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertEquals(202, r.statusCode(), r.body());
            assertEquals(msg, chat.next());
            Map<String, Integer> statuses = statuses(bodies);
            assertEquals(
                    Map.of("503", 2, "408", PUBLISH_PER_ADDRESS),
                    statuses,
                    "beyond " + PUBLISH_PER_ADDRESS + " from one address: 503 at once; the others 408 at the deadline");
        }
        // Bodies the client abandons halfway: one short line each, no stack trace.
        List<SlowBody> aborted = new ArrayList<>();
        for (int i = 0; i < PUBLISH_PER_ADDRESS; i++) {
            aborted.add(new SlowBody("127.0.0.9"));
        }
        // One more from that address refused at once proves the others are being read now. The
        // server takes concurrent requests in no fixed order, so a probe that comes before them is
        // served instead: it carries a whole body, and the next probe tries again.
        boolean beingRead = probeUntilRefused("127.0.0.9").equals("503");
        aborted.forEach(SlowBody::abort);
        if (beingRead) {
            // Only then is it certain that the server had started on the bodies it now sees end; a
            // request the container had not dispatched yet ends without reaching our code at all.
            awaitLog("aborted by the client", Duration.ofSeconds(30));
        }
        List<String> added = logSince(logStart);
        assertEquals(
                List.of(),
                added.stream().filter(l -> l.trim().startsWith("at ")).toList(),
                "no stack trace");
        int bodiesEnded = PUBLISH_PER_ADDRESS * 2;
        // Only the bodies' own lines: the earlier tests' closing connections may still be logging meanwhile.
        List<String> aboutBodies =
                added.stream().filter(l -> l.contains("POST /publish")).toList();
        assertTrue(
                aboutBodies.size() <= bodiesEnded,
                "one log line per ended body, got " + aboutBodies.size() + ":\n" + String.join("\n", added));
        chat.works("after slow bodies");
    }

    @Test
    @Order(5)
    void manySlowPublishBodiesDoNotStarveWebSocketHandshakes() throws Exception {
        long logStart = logLines();
        int count = 300;
        List<SlowBody> bodies = new ArrayList<>();
        try (Trickler trickler = new Trickler(Duration.ofSeconds(1))) {
            for (int i = 0; i < count; i++) {
                SlowBody b = new SlowBody("127.0.1." + (1 + i % 30)); // 30 clients, 10 bodies each
                bodies.add(b);
                trickler.add(b);
            }
            chat.works("during the flood");
            Instant t0 = Instant.now();
            try (RawWebSocket fresh = open("127.0.0.8", "")) {
                assertEquals(frame("echo", "", "fresh"), echo(fresh, "fresh").text());
            }
            Duration took = Duration.between(t0, Instant.now());
            LOG.info(() -> "handshake + echo during " + count + " slow bodies: " + took.toMillis() + " ms");
            // Before the limit, no handshake completed while the bodies trickled (all 200 workers held).
            assertTrue(
                    took.compareTo(Duration.ofMillis(READ_TIMEOUT_MS).plusSeconds(15)) < 0,
                    "handshake + echo took " + took);
            Map<String, Integer> statuses = statuses(bodies);
            assertEquals(
                    count,
                    statuses.getOrDefault("503", 0) + statuses.getOrDefault("408", 0),
                    "every body answered 503 (refused unread) or 408 (deadline): " + statuses);
            chat.works("after the flood");
        } finally {
            bodies.forEach(SlowBody::abort);
        }
        List<String> added = logSince(logStart);
        assertEquals(
                List.of(),
                added.stream().filter(l -> l.trim().startsWith("at ")).toList(),
                "no stack trace");
        assertTrue(added.size() < count, "log lines for " + count + " slow bodies: " + added.size());
    }

    /** Last: stops the server. */
    @Test
    @Order(6)
    void onSigtermQueuedFramesAreDeliveredThenEveryConnectionClosesWith1001() throws Exception {
        int n = 200;
        String pad = "p".repeat(2000);
        // A subscriber that reads nothing until the server is told to stop: its frames wait on the server.
        RawWebSocket sub =
                RawWebSocket.connect(server.wsUri(), InetAddress.getByName("127.0.0.10"), IO_TIMEOUT, 8192, 4096);
        sub.readTimeout(IO_TIMEOUT);
        sub.send(frame("chat", "subscribe:drain\r\n", ""));
        assertEquals(frame("echo", "", "subscribed"), echo(sub, "subscribed").text());
        try (RawWebSocket pub = open("127.0.0.11", "")) {
            for (int i = 0; i < n; i++) {
                pub.write(frame("chat", "publish:drain\r\n", i + " " + pad).getBytes(StandardCharsets.UTF_8));
            }
            pub.flush();
            // One connection's frames are handled in order: this echo means every publish was fanned out.
            assertEquals(frame("echo", "", "published"), echo(pub, "published").text());
        }
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(server::stop); // SIGTERM, wait for exit
        for (int i = 0; i < n; i++) {
            Reply r = read(sub);
            assertNotNull(r.text(), "frame " + i + " of " + n + " before the close, got close " + r.code());
            assertEquals(frame("chat", "publish:drain\r\n", i + " " + pad), r.text());
        }
        Reply close = read(sub);
        assertEquals(1001, close.code(), "then closed with 1001 (going away): " + close);
        assertEquals(1001, chat.closeCode(), "the chat's subscriber too");
        stopped.get(UberJarServer.STOP_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        assertFalse(server.isRunning());
        sub.close();
    }

    // --- helpers ---

    /** A normal chat on channel "normal", from its own address: one subscriber, one publisher. */
    private static final class Chat {
        private final RawWebSocket subscriber;
        private final RawWebSocket publisher;

        Chat() throws IOException {
            subscriber = open("127.0.0.2", "");
            subscriber.send(frame("chat", "subscribe:normal\r\n", ""));
            assertEquals(frame("echo", "", "ready"), echo(subscriber, "ready").text());
            publisher = open("127.0.0.2", "");
        }

        /** A message published now reaches the subscriber (next in line). */
        void works(String tag) throws IOException {
            String msg = frame("chat", "publish:normal\r\n", tag);
            publisher.send(msg);
            assertEquals(msg, next(), "the normal chat works: " + tag);
        }

        String next() throws IOException {
            return read(subscriber).text();
        }

        int closeCode() throws IOException {
            Reply r = read(subscriber);
            return r.code();
        }

        void close() {
            subscriber.close();
            publisher.close();
        }
    }

    /** One frame read: a text, or the close code and reason (code 1006 if the socket just ended). */
    private record Reply(String text, int code, String reason) {}

    private static Reply read(RawWebSocket ws) throws IOException {
        Reply[] r = {null};
        boolean open = ws.readFrame(new RawWebSocket.Handler() {
            @Override
            public void onText(byte[] buffer, int offset, int length) {
                r[0] = new Reply(new String(buffer, offset, length, StandardCharsets.UTF_8), -1, null);
            }

            @Override
            public void onClose(int code, String reason) {
                r[0] = new Reply(null, code, reason);
            }
        });
        return open || r[0] != null ? r[0] : new Reply(null, 1006, "ended");
    }

    private static Reply echo(RawWebSocket ws, String tag) throws IOException {
        try {
            ws.send(frame("echo", "", tag));
        } catch (IOException closedMeanwhile) {
            // a refused connection may be closed before this goes out: its close frame is still there to read
        }
        return read(ws);
    }

    private static RawWebSocket open(String local, String headers) throws IOException {
        RawWebSocket ws =
                RawWebSocket.connect(server.wsUri(), InetAddress.getByName(local), IO_TIMEOUT, 8192, 0, headers);
        ws.readTimeout(IO_TIMEOUT);
        return ws;
    }

    private static RawWebSocket accepted(String local, String headers) throws IOException {
        RawWebSocket ws = open(local, headers);
        Reply r = echo(ws, "in");
        if (!frame("echo", "", "in").equals(r.text())) {
            ws.close();
            throw new AssertionError("connection from " + local + " " + headers.trim() + " refused: " + r);
        }
        return ws;
    }

    /** Retries until a deadline: connections closed a moment ago may still be counted. */
    private static RawWebSocket acceptedWithin(String local, String headers, Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            RawWebSocket ws = open(local, headers);
            Reply r = echo(ws, "again");
            if (frame("echo", "", "again").equals(r.text())) {
                return ws;
            }
            ws.close();
            assertTrue(Instant.now().isBefore(deadline), "accepted again within " + within + ": " + r);
            Thread.sleep(100);
        }
    }

    private static void assertRefused(RawWebSocket ws) throws IOException {
        Reply r = echo(ws, "over");
        assertEquals(1013, r.code(), "refused with 1013 (try again later): " + r);
        assertTrue(r.reason().contains("your address"), r.reason());
    }

    /**
     * Whole {@code POST /publish} requests from {@code local} until one is refused (its status,
     * "503"), or the last status after 100 tries.
     */
    private static String probeUntilRefused(String local) throws Exception {
        byte[] body = "LHTTP/1.0 probe\r\npublish:probe\r\n\r\nx".getBytes(StandardCharsets.US_ASCII);
        String status = "none";
        for (int attempt = 0; attempt < 100 && !status.equals("503"); attempt++) {
            try (Socket socket = new Socket()) {
                socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
                socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) IO_TIMEOUT.toMillis());
                socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(
                        ("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                                        + "Content-Length: " + body.length + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                String line = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                status = line.length() >= 12 ? line.substring(9, 12) : "none: " + line;
            }
            if (!status.equals("503")) {
                Thread.sleep(50); // the slow bodies' requests are still on their way in; try again
            }
        }
        return status;
    }

    /** A {@code POST /publish} whose 65,000-byte body arrives a byte at a time, if at all. */
    private static final class SlowBody {
        private final Socket socket = new Socket();
        private final OutputStream out;

        SlowBody(String local) throws IOException {
            socket.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) IO_TIMEOUT.toMillis());
            socket.setSoTimeout((int) IO_TIMEOUT.toMillis());
            out = socket.getOutputStream();
            out.write(("POST /publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                            + "Content-Length: 65000\r\n\r\nLHTTP/1.0 chat\r\npublish:normal\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void trickle() {
            try {
                out.write('x');
                out.flush();
            } catch (IOException answeredAndClosed) {
                // the server has answered and closed: nothing more to send
            }
        }

        /** The status code of the answer, e.g. "503". */
        String status() throws IOException {
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
            String[] parts = line.toString().split(" ");
            return parts.length > 1 ? parts[1] : "none: " + line;
        }

        /** Ends the connection at once (RST), as a client that gives up. */
        void abort() {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** Sends one byte to each body every interval, on its own thread, until closed. */
    private static final class Trickler implements AutoCloseable {
        private final List<SlowBody> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;

        Trickler(Duration interval) {
            thread = new Thread(
                    () -> {
                        while (running) {
                            bodies.forEach(SlowBody::trickle);
                            try {
                                Thread.sleep(interval.toMillis()); // the attack's pace, not a wait for a condition
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "trickler");
            thread.setDaemon(true);
            thread.start();
        }

        void add(SlowBody b) {
            bodies.add(b);
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private static Map<String, Integer> statuses(List<SlowBody> bodies) throws IOException {
        Map<String, Integer> counts = new HashMap<>();
        for (SlowBody b : bodies) {
            String status;
            try {
                status = b.status();
            } catch (SocketTimeoutException e) {
                status = "no answer within " + IO_TIMEOUT;
            }
            counts.merge(status, 1, Integer::sum);
        }
        return counts;
    }

    private static long logLines() throws IOException {
        try (var lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    private static List<String> logSince(long line) throws IOException {
        try (var lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
            return lines.skip(line).toList();
        }
    }

    private static void awaitLog(String text, Duration within) throws Exception {
        Instant deadline = Instant.now().plus(within);
        while (true) {
            try (var lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
                if (lines.anyMatch(l -> l.contains(text))) {
                    return;
                }
            }
            assertTrue(Instant.now().isBefore(deadline), "'" + text + "' logged within " + within);
            Thread.sleep(100);
        }
    }
}
