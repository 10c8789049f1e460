package io.lhttp.it.support;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A normal user during an attack: one connection subscribed to a channel and one publishing to
 * it, both on the Java client SDK, which reads all the time (so both answer the server's pings).
 * {@link #roundTrip} publishes and waits until the subscriber has the message: the proof that the
 * server still serves.
 */
public final class NormalChat implements AutoCloseable {

    /** How long one round trip may take on a loaded 2-core machine before the server counts as not serving. */
    public static final Duration ROUND_TRIP = Duration.ofSeconds(20);

    private final String channel;
    private final LhttpClient subscriber;
    private final LhttpClient publisher;
    private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    private volatile int subscriberClose = -1;
    private volatile int publisherClose = -1;
    private int sent;

    public NormalChat(URI uri, String channel) throws IOException, InterruptedException {
        this.channel = channel;
        subscriber = open(uri);
        subscriber.onMessage(m -> received.add(m.frame()));
        subscriber.onError(e -> received.add(
                e.message() == null ? "unparseable: " + e.reason() : e.message().frame()));
        subscriber.onClose(c -> subscriberClose = c.code());
        String ready = frame("echo", "", "subscribed");
        subscriber.subscribe(channel, "chat", List.of(), "");
        subscriber.send(
                "echo",
                List.of(),
                "subscribed"); // one connection's frames are handled in order: its echo proves the subscription
        try {
            assertEquals(ready, received.poll(30, TimeUnit.SECONDS), "subscribed");
            publisher = open(uri);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            subscriber.close();
            throw e;
        }
        publisher.onClose(c -> publisherClose = c.code());
    }

    private static LhttpClient open(URI uri) throws IOException, InterruptedException {
        LhttpClient c = LhttpClient.connect(
                uri, new LhttpClient.Options().reconnect(false).connectTimeout(Duration.ofSeconds(30)));
        if (!c.awaitOpen(Duration.ofSeconds(30))) {
            c.close();
            throw new IOException("normal chat could not connect to " + uri);
        }
        return c;
    }

    /** Publishes one message with this body and waits until the subscriber has it, byte for byte. */
    public void roundTrip(String body) throws IOException, InterruptedException {
        String msg = frame("chat", "publish:" + channel + "\r\n", (sent++) + " " + body);
        publisher.publish(channel, "chat", (sent - 1) + " " + body);
        long deadline = System.nanoTime() + ROUND_TRIP.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String got = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            assertTrue(
                    got != null,
                    "the normal subscriber got message " + (sent - 1) + " within " + ROUND_TRIP + " (subscriber close "
                            + subscriberClose + ", publisher close " + publisherClose + ")");
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
