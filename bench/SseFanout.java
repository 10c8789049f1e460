import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * SSE fan-out: S EventSource subscribers (raw sockets) of one channel, one publisher posting N
 * messages over HTTP one after another; deliveries/s = S*N / (time from the first post to the
 * last delivery). Same client for lhttp ({@code GET /events}, {@code POST /publish}) and nginx +
 * nchan ({@code nchan_subscriber eventsource}, {@code POST /pub/<ch>}).
 *
 * <p>java bench/SseFanout.java <lhttp|nchan> <port> [subscribers=100] [messages=2000]
 *
 * <p>Not recorded in docs/BENCHMARKS.md yet: against nchan some EventSource subscribers ended at once
 * (to be found), and the sequential HTTP publisher, not the fan-out, bounded the rate.
 */
public class SseFanout {
    public static void main(String[] args) throws Exception {
        String kind = args[0];
        int port = Integer.parseInt(args[1]);
        int subscribers = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int messages = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        String channel = "fan" + System.nanoTime();
        String sub = kind.equals("nchan") ? "/ev/" + channel : "/events?channel=" + channel;
        CountDownLatch ready = new CountDownLatch(subscribers);
        CountDownLatch done = new CountDownLatch(subscribers);
        AtomicLong lastDelivery = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            Socket s = new Socket();
            s.connect(new InetSocketAddress("127.0.0.1", port));
            sockets.add(s);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + sub + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread t = new Thread(() -> read(s, messages, ready, done, lastDelivery));
            t.setDaemon(true);
            t.start();
        }
        if (!ready.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("subscribers not ready");
        Thread.sleep(500); // the server has registered every subscription (nchan answers headers first)
        HttpClient http = HttpClient.newHttpClient();
        URI pub = URI.create("http://127.0.0.1:" + port + (kind.equals("nchan") ? "/pub/" + channel : "/publish"));
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            String body = kind.equals("nchan")
                    ? "msg-" + i
                    : "LHTTP/1.0 chat\r\npublish:" + channel + "\r\n\r\nmsg-" + i;
            HttpResponse<Void> r = http.send(
                    HttpRequest.newBuilder(pub).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() >= 300) throw new IllegalStateException("publish " + i + ": " + r.statusCode());
        }
        long posted = System.nanoTime();
        if (!done.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("not all delivered: " + done.getCount() + " subscribers short");
        double seconds = (lastDelivery.get() - start) / 1e9;
        System.out.printf(
                "RESULT sse-fanout %s subscribers=%d messages=%d deliveries=%d seconds=%.3f deliveries/s=%.0f publish/s=%.0f%n",
                kind, subscribers, messages, (long) subscribers * messages, seconds,
                subscribers * (double) messages / seconds, messages / ((posted - start) / 1e9));
        for (Socket s : sockets) s.close();
    }

    /** Counts "msg-" in the stream; ready after the response head, done after {@code messages}. */
    static void read(Socket s, int messages, CountDownLatch ready, CountDownLatch done, AtomicLong last) {
        byte[] marker = "msg-".getBytes(StandardCharsets.US_ASCII);
        try (InputStream in = s.getInputStream()) {
            byte[] buf = new byte[65536];
            int seen = 0, matched = 0;
            boolean head = false;
            int crlf = 0;
            while (seen < messages) {
                int n = in.read(buf);
                if (n < 0) throw new IllegalStateException("stream ended after " + seen);
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (!head) {
                        crlf = (b == '\r' || b == '\n') ? crlf + 1 : 0;
                        if (crlf == 4) { head = true; ready.countDown(); }
                        continue;
                    }
                    matched = b == marker[matched] ? matched + 1 : (b == marker[0] ? 1 : 0);
                    if (matched == marker.length) { seen++; matched = 0; }
                }
            }
            last.accumulateAndGet(System.nanoTime(), Math::max);
            done.countDown();
        } catch (Exception e) {
            System.err.println("subscriber: " + e);
        }
    }
}
