package io.lhttp.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.config.LhttpConfig.SlowConsumerPolicy;
import io.lhttp.connection.SendQueueTest.Mode;
import io.lhttp.connection.SendQueueTest.TestRemote;
import io.lhttp.protocol.Batch;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.websocket.SendResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Batch frames (PROTOCOL.md §7) from the send queue of a connection that negotiated them: what
 * piled up behind a send goes out packed, in order, within the bound; a lone frame goes at once
 * and unchanged.
 */
class SendQueuePackingTest {

    private final TestRemote remote = new TestRemote();
    private final List<String> closes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        remote.completer.shutdownNow();
    }

    private SendQueue packing(int capacity, int maxChars) {
        SendQueue q = new SendQueue(remote, null, 1, capacity, Long.MAX_VALUE, SlowConsumerPolicy.CLOSE, closes::add);
        q.packing(maxChars);
        return q;
    }

    /** Every message the remote sent, batch frames unpacked, in order. */
    private List<String> unpacked() throws ProtocolException {
        List<String> all = new ArrayList<>();
        for (Object sent : remote.sentList()) {
            String text = (String) sent;
            all.addAll(Batch.isBatch(text) ? Batch.split(text) : List.of(text));
        }
        return all;
    }

    private static String frame(int i) {
        return "LHTTP/1.0 chat\r\npublish:c\r\n\r\n" + i;
    }

    @Test
    void aLoneFrameGoesAtOnceAndUnchanged() {
        SendQueue q = packing(100, 65_536);
        String f = frame(1);
        assertTrue(q.offer(f));
        assertSame(f, remote.sentList().get(0), "not held back, not wrapped");
    }

    @Test
    void whatQueuedBehindASendGoesOutAsOneBatchFrame() throws ProtocolException {
        SendQueue q = packing(100, 65_536);
        remote.mode = f -> f.equals(frame(0)) ? Mode.HOLD : Mode.SYNC;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            assertTrue(q.offer(frame(i)));
            expected.add(frame(i));
        }
        String reply = Message.of("echo", "reply").frame();
        q.offer(reply);
        expected.add(reply);
        assertEquals(10, q.size());
        remote.release(new SendResult());
        List<Object> sent = remote.sentList();
        assertEquals(2, sent.size(), "the held frame, then one batch");
        assertEquals(frame(0), sent.get(0));
        String batch = (String) sent.get(1);
        assertTrue(Batch.isBatch(batch));
        assertEquals(expected.subList(1, expected.size()), Batch.split(batch));
        assertEquals(expected, unpacked());
        assertEquals(0, q.size());
        assertEquals(0, q.bytes());
    }

    @Test
    void batchesStayWithinTheBoundAndAFrameOverItGoesAlone() throws ProtocolException {
        int bound = 200;
        SendQueue q = packing(1000, bound);
        remote.mode = f -> f.equals("hold") ? Mode.HOLD : Mode.SYNC;
        q.offer("hold");
        List<String> expected = new ArrayList<>(List.of("hold"));
        String big = "LHTTP/1.0 big\r\n\r\n" + "x".repeat(500);
        for (int i = 0; i < 100; i++) {
            String f = i % 37 == 36 ? big : frame(i);
            q.offer(f);
            expected.add(f);
        }
        remote.release(new SendResult());
        assertEquals(expected, unpacked(), "all, in order, none split");
        int batches = 0;
        for (Object sent : remote.sentList()) {
            String text = (String) sent;
            if (Batch.isBatch(text)) {
                batches++;
                assertTrue(text.length() <= bound, "batch of " + text.length() + " chars over " + bound);
                assertTrue(Batch.split(text).size() >= 2, "a batch holds at least two messages");
            } else if (text.equals(big)) {
                continue;
            }
        }
        assertTrue(batches >= 100 * 31 / bound, "packed: " + batches + " batches");
        assertEquals(List.of(), closes);
    }

    @Test
    void whileCorkedFramesWaitAndGoOutPackedOnUncork() throws ProtocolException {
        SendQueue packed = packing(100, 65_536);
        TestRemote plainRemote = new TestRemote();
        SendQueue plain =
                new SendQueue(plainRemote, null, 1, 100, Long.MAX_VALUE, SlowConsumerPolicy.CLOSE, closes::add);
        List<String> expected = new ArrayList<>();
        SendQueue.cork();
        try {
            for (int i = 0; i < 10; i++) {
                packed.offer(frame(i));
                plain.offer(frame(i));
                expected.add(frame(i));
            }
            assertEquals(List.of(), remote.sentList(), "a packing queue waits for the uncork");
            assertEquals(10, plainRemote.sentList().size(), "a queue that does not pack never waits");
        } finally {
            SendQueue.uncork();
            plainRemote.completer.shutdownNow();
        }
        assertEquals(1, remote.sentList().size(), "one batch frame");
        assertEquals(expected, unpacked());
        packed.offer(frame(10));
        assertEquals(frame(10), remote.sentList().get(1), "uncorked: a lone frame goes at once");
    }

    @Test
    void zeroLeavesEveryFrameOnItsOwn() {
        SendQueue q = packing(100, 0);
        remote.mode = f -> f.equals(frame(0)) ? Mode.HOLD : Mode.SYNC;
        for (int i = 0; i < 5; i++) {
            q.offer(frame(i));
        }
        remote.release(new SendResult());
        assertEquals(List.of(frame(0), frame(1), frame(2), frame(3), frame(4)), remote.sentList());
    }

    @Test
    void manyProducersWithAsynchronousCompletionsKeepEachProducersOrder() throws Exception {
        int producers = 4;
        int each = 5_000;
        SendQueue q = packing(producers * each, 4_096);
        remote.mode = f -> Mode.ASYNC;
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            for (int p = 0; p < producers; p++) {
                int producer = p;
                pool.execute(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < each; i++) {
                        q.offer("LHTTP/1.0 m\r\n\r\n" + producer + ":" + i);
                    }
                });
            }
            start.countDown();
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!q.idle()) {
            assertTrue(System.nanoTime() < deadline, "the queue drains");
            Thread.onSpinWait();
        }
        List<String> all = unpacked();
        assertEquals(producers * each, all.size());
        int[] next = new int[producers];
        for (String m : all) {
            String[] pi = m.substring(m.indexOf("\r\n\r\n") + 4).split(":");
            int p = Integer.parseInt(pi[0]);
            assertEquals(next[p]++, Integer.parseInt(pi[1]), "producer " + p + " in order");
        }
        assertEquals(1, remote.maxOutstanding.get());
    }
}
