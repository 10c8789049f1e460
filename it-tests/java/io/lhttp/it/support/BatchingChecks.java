package io.lhttp.it.support;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.Batch;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Batch frames (PROTOCOL.md §7) as every container must serve them, over real sockets: the
 * subprotocol negotiated only when offered, batch frames to a client that asked and one message
 * per frame, byte for byte, to one that did not, inbound batches handled message by message, and
 * the Java SDK unpacking transparently. Called by ContainerContract (WildFly, TomEE) and
 * BatchingIT (the Payara Micro uberjar).
 */
public final class BatchingChecks {

    private static final String OFFER = "Sec-WebSocket-Protocol: " + Batch.SUBPROTOCOL + "\r\n";

    private BatchingChecks() {}

    /** A raw connection offering these subprotocols ({@code null}: no header at all). */
    public static RawWebSocket connect(URI ws, String offered) throws IOException {
        return RawWebSocket.connect(
                ws,
                null,
                SdkClient.TIMEOUT,
                RawWebSocket.LARGE_BUFFERS,
                0,
                offered == null ? "" : "Sec-WebSocket-Protocol: " + offered + "\r\n");
    }

    /** Only a client that offers lhttp-batch.1 gets it; no offer or an unknown one connects as before. */
    public static void theSubprotocolIsNegotiatedOnlyWhenOffered(URI ws) throws Exception {
        String[][] cases = {
            {null, ""},
            {"chat, superchat", ""},
            {Batch.SUBPROTOCOL, Batch.SUBPROTOCOL},
            {"chat, " + Batch.SUBPROTOCOL, Batch.SUBPROTOCOL}
        };
        for (String[] c : cases) {
            try (RawWebSocket raw = connect(ws, c[0])) {
                assertEquals(c[1], raw.subprotocol(), "offered " + c[0]);
                String echo = frame("echo", "", "offered " + c[0]);
                raw.send(echo);
                assertEquals(echo, raw.readText(SdkClient.TIMEOUT), "offered " + c[0]);
            }
        }
    }

    /**
     * A publisher's batch frames reach a plain subscriber as one message per frame, byte for byte,
     * and a batching subscriber that reads late as batch frames within the bound, all in order.
     * The batching subscriber's small receive buffer makes the server's sends wait, so messages
     * pile up in its queue and must go out packed ({@code mustPack}). Not on Payara: Tyrus reports
     * an asynchronous send done once its writer has taken the frame, whatever the client's window,
     * so whether frames pile up behind it is a matter of timing there (SendQueuePackingTest checks
     * the packing itself).
     */
    public static void batchesGoOnlyToClientsThatAskedAndKeepOrder(URI ws, String channel, boolean mustPack)
            throws Exception {
        int count = 300;
        String body = "x".repeat(1000) + " é€😀 \r\n12\nLHTTP/1.0 fake\r\n\r\n";
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(frame("chat", "publish:" + channel + "\r\n", i + body));
        }
        try (RawWebSocket plain = connect(ws, null);
                RawWebSocket batching = RawWebSocket.connect(ws, null, SdkClient.TIMEOUT, 4096, 4096, OFFER);
                RawWebSocket publisher = connect(ws, Batch.SUBPROTOCOL)) {
            assertEquals(Batch.SUBPROTOCOL, batching.subprotocol());
            for (RawWebSocket sub : new RawWebSocket[] {plain, batching}) {
                sub.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
                String marker = frame("echo", "", "subscribed");
                sub.send(marker);
                assertEquals(marker, sub.readText(SdkClient.TIMEOUT));
            }
            StringBuilder batch = new StringBuilder();
            int frames = 0;
            for (String m : sent) {
                if (batch.length() > 0 && batch.length() + Batch.recordLength(m) > 8192) {
                    publisher.send(batch.toString());
                    frames++;
                    batch.setLength(0);
                }
                Batch.append(batch, m);
            }
            publisher.send(batch.toString());
            frames++;
            assertTrue(frames < count / 4, "the publisher sent batch frames");

            for (int i = 0; i < count; i++) {
                assertEquals(sent.get(i), plain.readText(SdkClient.TIMEOUT), "plain subscriber, message " + i);
            }
            List<String> received = new ArrayList<>();
            int batchFrames = 0;
            while (received.size() < count) {
                String text = batching.readText(SdkClient.TIMEOUT);
                assertNotNull(text, "closed after " + received.size() + " messages");
                if (Batch.isBatch(text)) {
                    batchFrames++;
                    assertTrue(text.length() <= 65_536, "a batch within lhttp.batch-bytes: " + text.length());
                    List<String> messages = Batch.split(text);
                    assertTrue(messages.size() >= 2, "a batch holds several messages");
                    received.addAll(messages);
                } else {
                    received.add(text);
                }
            }
            assertEquals(sent, received, "every message, in order, none split");
            assertTrue(batchFrames > 0 || !mustPack, "messages that piled up went out packed");
            String marker = frame("echo", "", "nothing else");
            plain.send(marker);
            assertEquals(
                    marker,
                    plain.readText(SdkClient.TIMEOUT),
                    "the plain subscriber got exactly one frame per message");
        }
    }

    /**
     * Each message of an inbound batch is handled as if it came alone: a bad one gets its own
     * error with its request-id, the others their answers, in order; a malformed batch or one over
     * the frame limit gets one error and nothing of it is handled.
     */
    public static void inboundBatchesAreHandledMessageByMessage(URI ws) throws Exception {
        try (RawWebSocket raw = connect(ws, Batch.SUBPROTOCOL)) {
            String one = frame("echo", "request-id:a\r\n", "one");
            String bad = "LHTTP/1.0 chat\r\nrequest-id:b\r\nno colon\r\n\r\n";
            String two = frame("echo", "request-id:c\r\n", "two\r\n5\nLHTTP");
            StringBuilder batch = new StringBuilder();
            Batch.append(Batch.append(Batch.append(batch, one), bad), two);
            raw.send(batch.toString());
            List<String> answers = new ArrayList<>();
            while (answers.size() < 3) {
                String text = raw.readText(SdkClient.TIMEOUT);
                answers.addAll(Batch.isBatch(text) ? Batch.split(text) : List.of(text));
            }
            assertEquals(
                    List.of(
                            one,
                            frame("error", "code:400\r\nreason:header line without ':'\r\nrequest-id:b\r\n", ""),
                            two),
                    answers);

            raw.send("5\nLHTTP" + "x12\n" + one); // a well-formed record, then text that is no record
            assertEquals(
                    frame("error", "code:400\r\nreason:batch record at 7 does not start with <length>\\n\r\n", ""),
                    raw.readText(SdkClient.TIMEOUT));
            String marker = frame("echo", "", "nothing of the malformed batch was handled");
            raw.send(marker);
            assertEquals(marker, raw.readText(SdkClient.TIMEOUT));

            String half = frame("echo", "", "y".repeat(35_000)); // each within the 65536-byte limit, both together not
            raw.send(Batch.append(Batch.append(new StringBuilder(), half), half).toString());
            assertEquals(
                    frame("error", "code:413\r\nreason:batch frame larger than 65536 bytes\r\n", ""),
                    raw.readText(SdkClient.TIMEOUT));
            String after = frame("echo", "", "nothing of the batch over the frame limit was handled");
            raw.send(after);
            assertEquals(after, raw.readText(SdkClient.TIMEOUT));
        }
        try (RawWebSocket plain = connect(ws, null)) {
            plain.send("12\n" + frame("echo", "", "x"));
            String answer = plain.readText(SdkClient.TIMEOUT);
            assertTrue(
                    answer.startsWith("LHTTP/1.0 error\r\ncode:400\r\n"),
                    "not a batching connection: not LHTTP: " + answer);
        }
    }

    /** The Java SDK offers batching by default and its users see single messages, in order. */
    public static void theJavaClientUnpacksTransparently(URI ws, String channel) throws Exception {
        int count = 3000;
        try (SdkClient sub = SdkClient.connect(ws);
                SdkClient pub = SdkClient.connect(ws)) {
            assertTrue(sub.sdk().batching() && pub.sdk().batching(), "negotiated by default");
            sub.send(frame("chat", "subscribe:" + channel + "\r\n", ""));
            String marker = frame("echo", "", "subscribed");
            sub.send(marker);
            assertEquals(marker, sub.next());
            for (int i = 0; i < count; i++) {
                pub.send(frame("chat", "publish:" + channel + "\r\n", "m" + i));
            }
            for (int i = 0; i < count; i++) {
                String next = sub.next();
                assertFalse(Batch.isBatch(next), "the SDK hands over messages, not batches");
                assertEquals(frame("chat", "publish:" + channel + "\r\n", "m" + i), next);
            }
        }
    }
}
