package io.lhttp.it.support;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.load.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A normal user during an attack: one connection subscribed to a channel and one publishing to
 * it, both reading all the time (so both answer the server's pings). {@link #roundTrip} publishes
 * and waits until the subscriber has the message: the proof that the server still serves.
 */
public final class NormalChat implements AutoCloseable {

    /** How long one round trip may take on a loaded 2-core machine before the server counts as not serving. */
    public static final Duration ROUND_TRIP = Duration.ofSeconds(20);

    private final String channel;
    private final RawWebSocket subscriber;
    private final RawWebSocket publisher;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private volatile int subscriberClose = -1;
    private volatile int publisherClose = -1;
    private int sent;

    public NormalChat(URI uri, String channel) throws IOException {
        this.channel = channel;
        subscriber = RawWebSocket.connect(uri, Duration.ofSeconds(30));
        String ready = frame("echo", "", "subscribed");
        subscriber.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
        subscriber.send(ready); // one connection's frames are handled in order: its echo proves the subscription
        subscriber.readTimeout(Duration.ofSeconds(30));
        String[] first = {null};
        subscriber.readFrame((b, o, l) -> first[0] = new String(b, o, l, StandardCharsets.UTF_8));
        assertEquals(ready, first[0], "subscribed");
        subscriber.readTimeout(Duration.ZERO);
        publisher = RawWebSocket.connect(uri, Duration.ofSeconds(30));
        reader(subscriber, "normal-subscriber", true);
        reader(publisher, "normal-publisher", false);
    }

    private void reader(RawWebSocket ws, String name, boolean keep) {
        Thread t = new Thread(() -> {
            try {
                ws.readAll(new RawWebSocket.Handler() {
                    @Override
                    public void onText(byte[] buffer, int offset, int length) {
                        if (keep) {
                            received.add(new String(buffer, offset, length, StandardCharsets.UTF_8));
                        }
                    }

                    @Override
                    public void onClose(int code, String reason) {
                        if (keep) {
                            subscriberClose = code;
                        } else {
                            publisherClose = code;
                        }
                    }
                });
            } catch (IOException closed) {
                // the test closes it, or the server dropped it: the close codes tell
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Publishes one message with this body and waits until the subscriber has it, byte for byte. */
    public void roundTrip(String body) throws IOException, InterruptedException {
        String msg = frame("chat", "publish:" + channel + "\r\n", (sent++) + " " + body);
        publisher.send(msg);
        long deadline = System.nanoTime() + ROUND_TRIP.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String got = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertTrue(got != null, "the normal subscriber got message " + (sent - 1) + " within " + ROUND_TRIP
                    + " (subscriber close " + subscriberClose + ", publisher close " + publisherClose + ")");
            if (got.equals(msg)) {
                return;
            }
            assertTrue(got.startsWith("LHTTP/1.0 chat\r\npublish:" + channel), "unexpected frame " + got);
        }
    }

    /** A short round trip. */
    public void roundTrip() throws IOException, InterruptedException {
        roundTrip("still here");
    }

    @Override
    public void close() {
        subscriber.close();
        publisher.close();
    }
}
