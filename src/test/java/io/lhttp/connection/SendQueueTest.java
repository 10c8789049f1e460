package io.lhttp.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.config.LhttpConfig.SlowConsumerPolicy;
import io.lhttp.protocol.Message;
import jakarta.websocket.RemoteEndpoint;
import jakarta.websocket.SendHandler;
import jakarta.websocket.SendResult;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The per-connection send queue against a hand-written async remote that completes sends the
 * ways a container does: on the calling thread, later on another thread, with a failure, by
 * throwing, or when the test says so.
 */
class SendQueueTest {

    enum Mode {
        SYNC,
        ASYNC,
        HOLD,
        FAIL_SYNC,
        FAIL_ASYNC,
        THROW
    }

    /** A RemoteEndpoint.Async whose completions the test controls; checks that sends never overlap. */
    static final class TestRemote implements RemoteEndpoint.Async {
        volatile Function<Object, Mode> mode = f -> Mode.SYNC;
        final ConcurrentLinkedQueue<Object> sent = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<String> kinds = new ConcurrentLinkedQueue<>();
        final AtomicInteger outstanding = new AtomicInteger();
        final AtomicInteger maxOutstanding = new AtomicInteger();
        final LinkedBlockingQueue<SendHandler> held = new LinkedBlockingQueue<>();
        final ExecutorService completer = Executors.newSingleThreadExecutor();
        volatile CountDownLatch completions = new CountDownLatch(0);

        private void send(Object frame, SendHandler handler) {
            int now = outstanding.incrementAndGet();
            maxOutstanding.accumulateAndGet(now, Math::max);
            Mode m = mode.apply(frame);
            if (m == Mode.THROW) {
                outstanding.decrementAndGet();
                throw new IllegalStateException("the session is closing");
            }
            sent.add(frame);
            switch (m) {
                case SYNC -> complete(handler, new SendResult());
                case ASYNC -> completer.execute(() -> complete(handler, new SendResult()));
                case HOLD -> held.add(handler);
                case FAIL_SYNC -> complete(handler, new SendResult(new IOException("broken pipe")));
                case FAIL_ASYNC -> completer.execute(() -> complete(handler, new SendResult(new IOException("reset"))));
                default -> throw new AssertionError(m);
            }
        }

        private void complete(SendHandler handler, SendResult result) {
            outstanding.decrementAndGet();
            handler.onResult(result);
            completions.countDown();
        }

        /** Completes the oldest held send on the calling thread. */
        void release(SendResult result) {
            SendHandler h = held.poll();
            assertTrue(h != null, "a send is held");
            complete(h, result);
        }

        List<Object> sentList() {
            return new ArrayList<>(sent);
        }

        @Override
        public void sendText(String text, SendHandler handler) {
            kinds.add("text");
            batchEvents.add("send " + text);
            send(text, handler);
        }

        @Override
        public void sendObject(Object data, SendHandler handler) {
            kinds.add("object");
            send(data, handler);
        }

        @Override
        public long getSendTimeout() {
            return 0;
        }

        @Override
        public void setSendTimeout(long timeoutmillis) {}

        @Override
        public Future<Void> sendText(String text) {
            throw new UnsupportedOperationException("the queue must use the SendHandler variant");
        }

        @Override
        public Future<Void> sendBinary(ByteBuffer data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void sendBinary(ByteBuffer data, SendHandler handler) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Future<Void> sendObject(Object data) {
            throw new UnsupportedOperationException("the queue must use the SendHandler variant");
        }

        /** Undertow's batching as the test sees it: allowed or not, and the order of sends, switches and flushes. */
        volatile boolean batching;

        final ConcurrentLinkedQueue<String> batchEvents = new ConcurrentLinkedQueue<>();

        @Override
        public void setBatchingAllowed(boolean allowed) {
            batching = allowed;
            batchEvents.add(allowed ? "on" : "off");
        }

        @Override
        public boolean getBatchingAllowed() {
            return batching;
        }

        @Override
        public void flushBatch() {
            batchEvents.add("flush");
        }

        @Override
        public void sendPing(ByteBuffer applicationData) {}

        @Override
        public void sendPong(ByteBuffer applicationData) {}
    }

    private final TestRemote remote = new TestRemote();
    private final List<String> closes = new CopyOnWriteArrayList<>();

    private SendQueue queue(int capacity, SlowConsumerPolicy policy) {
        return new SendQueue(remote, null, 1, capacity, Long.MAX_VALUE, policy, closes::add); // every send acknowledged
    }

    private final java.util.concurrent.atomic.AtomicBoolean overlapped =
            new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean streamThrows;

    /** A queue whose unacknowledged path records into the same list as the remote, and notes any write made while an acknowledged send is outstanding. */
    private SendQueue batched(int capacity, SlowConsumerPolicy policy, int batch) {
        return new SendQueue(
                remote,
                frame -> {
                    if (streamThrows) {
                        throw new IOException("broken pipe");
                    }
                    if (remote.outstanding.get() != 0) {
                        overlapped.set(true);
                    }
                    remote.kinds.add("stream");
                    remote.sent.add(frame);
                },
                batch,
                capacity,
                Long.MAX_VALUE,
                policy,
                closes::add);
    }

    @AfterEach
    void stop() {
        remote.completer.shutdownNow();
    }

    /**
     * Issue 18: the queues count in the server's memory budget; when it is over its limit the queue
     * above its fair share (limit / queues) is cut, the one within it is served.
     */
    @Test
    void overTheMemoryBudgetOnlyAQueueAboveItsFairShareIsCut() {
        io.lhttp.memory.MemoryBudget budget = new io.lhttp.memory.MemoryBudget(1000, 0);
        TestRemote otherRemote = new TestRemote();
        List<String> otherCloses = new CopyOnWriteArrayList<>();
        SendQueue big = new SendQueue(remote, null, 1, 1000, Long.MAX_VALUE, SlowConsumerPolicy.DROP, closes::add);
        big.countIn(budget);
        SendQueue small =
                new SendQueue(otherRemote, null, 1, 1000, Long.MAX_VALUE, SlowConsumerPolicy.DROP, otherCloses::add);
        small.countIn(budget);
        try {
            remote.mode = f -> Mode.HOLD;
            otherRemote.mode = f -> Mode.HOLD;
            assertTrue(big.offer("first")); // out at once, held by the stalled client
            assertTrue(big.offer("b".repeat(600)));
            assertTrue(small.offer("first"));
            assertTrue(small.offer("s".repeat(300)));
            assertTrue(
                    small.offer("t".repeat(190)),
                    "1100 of 1000, but this queue holds 495 (5 sent, unacknowledged): within its share");
            assertEquals(1100, budget.used(), "queued and sent-but-unacknowledged bytes both count");
            assertFalse(big.offer("z"), "606 > 500: the largest is cut");
            remote.release(new SendResult());
            assertEquals(1, closes.size(), closes.toString());
            assertTrue(closes.get(0).contains("memory budget"), closes.get(0));
            assertEquals(495, budget.used(), "the cut queue's bytes are given back, the acknowledged frame's too");
            assertTrue(small.offer("u"), "the budget is within its limit again");
            assertEquals(List.of(), otherCloses);
            big.released();
            small.released();
            assertEquals(0, budget.used(), "released queues give everything back");
        } finally {
            otherRemote.completer.shutdownNow();
        }
    }

    /**
     * Issue 18, attack 3: a frame handed to the container counts {@link SendQueue#CONTAINER_COPIES}
     * times its length until acknowledged (each session's copy is encoded and kept there), and frames
     * of {@link SendQueue#UNCONFIRMED_CHARS} or more never go unacknowledged: one such frame in flight
     * per session, whatever the batch and the byte bound.
     */
    @Test
    void largeFramesGoOneAtATimeAndCountWhatTheContainerKeepsOfThem() {
        io.lhttp.memory.MemoryBudget budget = new io.lhttp.memory.MemoryBudget(Long.MAX_VALUE / 4);
        SendQueue q = new SendQueue(
                remote,
                frame -> {
                    remote.kinds.add("stream");
                    remote.sent.add(frame);
                },
                32,
                1000,
                1 << 20,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        q.countIn(budget, SendQueue.CONTAINER_COPIES);
        remote.mode = f -> Mode.HOLD;
        String big = "b".repeat((int) SendQueue.UNCONFIRMED_CHARS);
        for (int i = 0; i < 4; i++) {
            assertTrue(q.offer(big));
        }
        assertEquals(List.of("text"), new ArrayList<>(remote.kinds), "one large frame in flight, acknowledged");
        assertEquals(3, q.size());
        long length = big.length();
        assertEquals(
                3 * length + SendQueue.CONTAINER_COPIES * length,
                budget.used(),
                "queued frames count once, the one handed on " + SendQueue.CONTAINER_COPIES + " times");
        remote.release(new SendResult());
        assertEquals(List.of("text", "text"), new ArrayList<>(remote.kinds), "the next only once acknowledged");
        assertEquals(2 * length + SendQueue.CONTAINER_COPIES * length, budget.used());
        q.released();
        assertEquals(0, budget.used(), "all given back");
    }

    @Test
    void smallFramesStillGoUnacknowledgedUpToTheInFlightBound() {
        SendQueue q = new SendQueue(
                remote,
                frame -> {
                    remote.kinds.add("stream");
                    remote.sent.add(frame);
                },
                32,
                1000,
                1 << 20,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        remote.mode = f -> Mode.HOLD;
        String frame = "s".repeat((int) SendQueue.UNCONFIRMED_CHARS / 4 - 1);
        for (int i = 0; i < 6; i++) {
            assertTrue(q.offer(frame));
        }
        assertEquals(
                List.of("stream", "stream", "stream", "stream", "text"),
                new ArrayList<>(remote.kinds),
                "four fill the unacknowledged bound, the fifth is the acknowledged send");
        assertEquals(1, q.size());
    }

    @Test
    void framesGoAsTextAsTheyAre() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        String a = "LHTTP/1.0 x\r\n\r\n";
        String b = Message.of("echo", "hi").frame();
        assertTrue(q.offer(a));
        assertTrue(q.offer(b));
        List<Object> sent = remote.sentList();
        assertSame(a, sent.get(0), "an encoded frame is sent as is");
        assertSame(b, sent.get(1));
        assertEquals(List.of("text", "text"), new ArrayList<>(remote.kinds), "never through a container encoder");
        assertEquals(0, q.size());
    }

    @Test
    void synchronousCompletionsKeepOrder() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        for (int i = 0; i < 1000; i++) {
            assertTrue(q.offer("f" + i));
        }
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            expected.add("f" + i);
        }
        assertEquals(expected, remote.sentList());
        assertEquals(1, remote.maxOutstanding.get());
        assertEquals(List.of(), closes);
    }

    @Test
    void hundredThousandQueuedFramesCompletedSynchronouslyDoNotOverflowTheStack() {
        int n = 100_000;
        SendQueue q = queue(n, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("first") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("first"));
        for (int i = 0; i < n; i++) {
            assertTrue(q.offer(Integer.toString(i)));
        }
        assertEquals(n, q.size(), "all queued behind the held send");
        assertEquals(1, remote.sent.size(), "only one send outstanding");

        remote.release(new SendResult()); // every following send completes inside its own call

        assertEquals(0, q.size());
        List<Object> sent = remote.sentList();
        assertEquals(n + 1, sent.size());
        for (int i = 0; i < n; i++) {
            assertEquals(Integer.toString(i), sent.get(i + 1));
        }
        assertEquals(1, remote.maxOutstanding.get());
        assertEquals(List.of(), closes);
    }

    @Test
    void asynchronousCompletionsFromManyProducersKeepEachProducersOrderWithOneSendAtATime() throws Exception {
        int producers = 4;
        int each = 5000;
        remote.completions = new CountDownLatch(producers * each);
        remote.mode = f -> Mode.ASYNC;
        SendQueue q = queue(producers * each, SlowConsumerPolicy.CLOSE);
        runProducers(q, producers, each);
        assertTrue(remote.completions.await(30, TimeUnit.SECONDS), "all sends completed");
        assertDeliveredInProducerOrder(producers, each);
        assertEquals(0, q.size());
    }

    @Test
    void mixedSynchronousAndAsynchronousCompletions() throws Exception {
        int producers = 4;
        int each = 5000;
        remote.completions = new CountDownLatch(producers * each);
        remote.mode = f -> (f.hashCode() & 1) == 0 ? Mode.SYNC : Mode.ASYNC;
        SendQueue q = queue(producers * each, SlowConsumerPolicy.CLOSE);
        runProducers(q, producers, each);
        assertTrue(remote.completions.await(30, TimeUnit.SECONDS), "all sends completed");
        assertDeliveredInProducerOrder(producers, each);
        assertEquals(0, q.size());
    }

    private void runProducers(SendQueue q, int producers, int each) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(producers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < each; i++) {
                        assertTrue(q.offer(id + ":" + i));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertDeliveredInProducerOrder(int producers, int each) {
        int[] next = new int[producers];
        List<Object> sent = remote.sentList();
        assertEquals(producers * each, sent.size(), "nothing lost, nothing doubled");
        for (Object o : sent) {
            String[] parts = ((String) o).split(":");
            int p = Integer.parseInt(parts[0]);
            assertEquals(next[p], Integer.parseInt(parts[1]), "producer " + p + " out of order");
            next[p]++;
        }
        assertEquals(1, remote.maxOutstanding.get(), "never two sends at once");
        assertEquals(List.of(), closes);
    }

    @Test
    void dropPolicyDropsTheOldestAndCountsThem() {
        SendQueue q = queue(3, SlowConsumerPolicy.DROP);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0")); // in flight
        assertTrue(q.offer("f1"));
        assertTrue(q.offer("f2"));
        assertTrue(q.offer("f3"));
        assertEquals(3, q.size());
        assertEquals(0, q.dropped(), "exactly at capacity nothing is dropped");
        assertTrue(q.offer("f4"));
        assertEquals(1, q.dropped());
        assertEquals(3, q.size());
        assertTrue(q.offer("f5"));
        assertEquals(2, q.dropped());

        remote.release(new SendResult());
        assertEquals(List.of("f0", "f3", "f4", "f5"), remote.sentList());
        assertEquals(0, q.size());
        assertEquals(2, q.dropped());
        assertEquals(List.of(), closes, "the drop policy never closes");
        assertTrue(q.offer("f6"));
        assertEquals("f6", remote.sentList().get(4));
    }

    /** A queue bounded at 1,000 frames but only 100 bytes (chars). */
    private SendQueue byteBounded(SlowConsumerPolicy policy) {
        return new SendQueue(remote, null, 1, 1000, 100, policy, closes::add);
    }

    /** 100 bytes, burst up to 400 while a send was acknowledged in the last {@code stallMillis}. */
    private SendQueue burstTolerant(long stallMillis) {
        return new SendQueue(remote, null, 1, 1000, 100, 400, stallMillis, SlowConsumerPolicy.CLOSE, closes::add);
    }

    @Test
    void aBurstTheClientKeepsReadingMayPassTheByteBoundUpToTheBurstBound() {
        SendQueue q = burstTolerant(60_000);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0"));
        remote.mode = f -> Mode.HOLD;
        remote.release(new SendResult()); // acknowledged just now: the client reads
        for (int i = 0; i < 5; i++) { // the first goes out (held, not counted); 400 bytes queue behind it
            assertTrue(q.offer("x".repeat(100)), "within the burst bound while the client reads: " + i);
        }
        assertEquals(400, q.bytes());
        assertEquals(List.of(), closes);
        assertFalse(q.offer("y"), "past the burst bound even a reading client is cut");
        remote.release(new SendResult());
        assertEquals(1, closes.size());
    }

    @Test
    void overTheByteBoundAClientWithoutARecentAcknowledgementIsCut() throws Exception {
        SendQueue q = burstTolerant(1);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0")); // never acknowledged: the client stopped reading
        Thread.sleep(5); // longer than the 1 ms stall time; not a wait for a result
        assertTrue(q.offer("a".repeat(100)));
        assertFalse(q.offer("b"), "over the byte bound with no acknowledgement lately: the slow-consumer policy");
        remote.release(new SendResult());
        assertEquals(1, closes.size());
    }

    @Test
    void closePolicyClosesWhenTheQueuedBytesPassTheBoundLongBeforeTheFrameBound() {
        SendQueue q = byteBounded(SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0")); // in flight: not counted
        assertTrue(q.offer("a".repeat(60)));
        assertTrue(q.offer("b".repeat(40)));
        assertEquals(100, q.bytes(), "exactly at the byte bound the connection stays");
        assertEquals(List.of(), closes);
        assertFalse(q.offer("c"), "one byte more is over the bound");
        assertEquals(0, q.bytes(), "what was queued is forgotten");
        remote.release(new SendResult());
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).contains("send queue full"), closes.get(0));
        assertEquals(List.of("f0"), remote.sentList());
    }

    @Test
    void dropPolicyDropsTheOldestUntilTheBytesFitAgain() {
        SendQueue q = byteBounded(SlowConsumerPolicy.DROP);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0"));
        String a = "a".repeat(40);
        String b = "b".repeat(40);
        String c = "c".repeat(50);
        assertTrue(q.offer(a));
        assertTrue(q.offer(b));
        assertTrue(q.offer(c)); // 130 > 100: a goes (90 left)
        assertEquals(1, q.dropped());
        assertEquals(90, q.bytes());
        assertEquals(2, q.size());
        remote.release(new SendResult());
        assertEquals(List.of("f0", b, c), remote.sentList());
        assertEquals(0, q.bytes());
        assertEquals(List.of(), closes, "the drop policy never closes");
    }

    @Test
    void aFrameLargerThanTheByteBoundStillGoesOutWhenNothingElseIsQueued() {
        SendQueue q = byteBounded(SlowConsumerPolicy.CLOSE);
        remote.mode = f -> Mode.HOLD;
        String big = "x".repeat(500);
        assertTrue(q.offer(big), "sent at once: nothing queued");
        assertTrue(q.offer("f1".repeat(10)));
        assertEquals(List.of(), closes);
        remote.release(new SendResult());
        assertEquals(List.of(big, "f1".repeat(10)), remote.sentList());
        assertTrue(q.offer(big), "alone in the queue again");
        assertEquals(List.of(), closes);
    }

    @Test
    void unacknowledgedStreamWritesStopAtTheByteBound() {
        // Batch of 32, but 100 bytes: after 40 + 40 unacknowledged, the third frame of 40 would pass
        // the bound and goes out acknowledged instead; nothing more until it is acknowledged.
        SendQueue q = new SendQueue(
                remote,
                frame -> {
                    remote.kinds.add("stream");
                    remote.sent.add(frame);
                },
                32,
                1000,
                100,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        remote.mode = f -> Mode.HOLD;
        for (int i = 0; i < 5; i++) {
            assertTrue(q.offer(String.valueOf(i).repeat(40)));
        }
        assertEquals(List.of("stream", "stream", "text"), new ArrayList<>(remote.kinds));
        assertEquals(2, q.size());
        remote.release(new SendResult());
        assertEquals(List.of("stream", "stream", "text", "stream", "stream"), new ArrayList<>(remote.kinds));
    }

    @Test
    void aBatchingWriterIsFlushedAfterEachAcknowledgedSendAndWhenTheQueueRunsEmpty() {
        // Undertow's batching: nothing is written (and no acknowledgement comes) until a flush.
        List<String> events = new CopyOnWriteArrayList<>();
        SendQueue q = new SendQueue(
                remote,
                new SendQueue.StreamWriter() {
                    @Override
                    public void sendWhole(String frame) {
                        events.add("send " + frame);
                    }

                    @Override
                    public void flush() {
                        events.add("flush");
                    }
                },
                3,
                1000,
                Long.MAX_VALUE,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        remote.mode = f -> Mode.HOLD;
        assertTrue(q.offer("a")); // unacknowledged; the queue is then empty: flushed
        assertEquals(List.of("send a", "flush"), events);
        assertTrue(q.offer("b"));
        assertTrue(q.offer("c")); // the third of the batch: acknowledged, flushed so that it is written
        assertEquals(List.of("send a", "flush", "send b", "flush", "flush"), events);
        assertEquals(List.of("c"), remote.sentList());
        assertTrue(q.offer("d")); // waits behind the outstanding acknowledged send
        assertEquals(5, events.size());
        remote.release(new SendResult());
        assertEquals(List.of("send a", "flush", "send b", "flush", "flush", "send d", "flush"), events);
        assertEquals(List.of(), closes);
    }

    @Test
    void theBatchingWriterBatchesOnlyWhileTheQueueSends() {
        // Undertow holds every frame of a batching connection, its own pongs and close replies
        // too, until a flush: batching must be off whenever the queue is idle, and be switched
        // off before the flush so that a control frame queued meanwhile is written by it or at once.
        SendQueue q = new SendQueue(
                remote,
                SendQueue.StreamWriter.batching(remote, e -> closes.add(e.toString())),
                3,
                1000,
                Long.MAX_VALUE,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        assertTrue(q.offer("a"));
        assertEquals(List.of("on", "send a", "off", "flush"), new ArrayList<>(remote.batchEvents));
        assertFalse(remote.batching, "idle: not batching");
        remote.batchEvents.clear();
        remote.mode = f -> f.equals("c") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("b"));
        assertEquals(List.of("on", "send b", "off", "flush"), new ArrayList<>(remote.batchEvents));
        remote.batchEvents.clear();
        // A backlog: two unacknowledged frames in one batch, then the acknowledged third is flushed.
        assertTrue(q.offer("c")); // held: acknowledged only on release
        assertTrue(q.offer("d"));
        assertTrue(q.offer("e"));
        assertTrue(q.offer("f"));
        assertEquals(
                List.of("send c", "flush"),
                new ArrayList<>(remote.batchEvents),
                "a lone acknowledged send needs no batching");
        remote.batchEvents.clear();
        remote.release(new SendResult());
        assertEquals(List.of("on", "send d", "send e", "send f", "off", "flush"), new ArrayList<>(remote.batchEvents));
        assertFalse(remote.batching, "drained: not batching");
        assertEquals(List.of(), closes);
    }

    @Test
    void aFailedFlushClosesTheConnection() {
        SendQueue q = new SendQueue(
                remote,
                new SendQueue.StreamWriter() {
                    @Override
                    public void sendWhole(String frame) {}

                    @Override
                    public void flush() throws IOException {
                        throw new IOException("broken pipe");
                    }
                },
                3,
                1000,
                Long.MAX_VALUE,
                SlowConsumerPolicy.CLOSE,
                closes::add);
        assertTrue(q.offer("a"));
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).contains("broken pipe"), closes.get(0));
        assertFalse(q.offer("b"));
    }

    @Test
    void closePolicyClosesAtCapacityPlusOne() {
        SendQueue q = queue(3, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        assertTrue(q.offer("f0"));
        assertTrue(q.offer("f1"));
        assertTrue(q.offer("f2"));
        assertTrue(q.offer("f3"));
        assertEquals(List.of(), closes, "exactly at capacity the connection stays");
        assertFalse(q.offer("f4"));
        assertEquals(0, q.size(), "what was queued is forgotten");
        assertEquals(0, q.dropped());
        assertFalse(q.offer("f5"));
        // The close waits for the in-flight send: closing the session under it loses the close
        // frame on Payara (the client saw 1006, not 1008; SlowConsumerIT).
        assertEquals(List.of(), closes, "not closed while f0 is in flight");

        remote.release(new SendResult()); // the in-flight send completes
        assertEquals(1, closes.size(), "closed once the in-flight send ended");
        assertTrue(closes.get(0).contains("send queue full"), closes.get(0));
        assertEquals(List.of("f0"), remote.sentList(), "nothing more is sent after the close");
        assertFalse(q.offer("f6"));
        assertEquals(1, closes.size(), "closed once");
    }

    @Test
    void closePolicyClosesAtOnceWhenNothingIsInFlight() {
        SendQueue q = queue(2, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> Mode.HOLD;
        assertTrue(q.offer("f0")); // in flight
        assertTrue(q.offer("f1"));
        assertTrue(q.offer("f2"));
        assertFalse(q.offer("f3")); // over capacity: close pending behind f0
        assertEquals(List.of(), closes);
        remote.release(new SendResult(new IOException("send timed out"))); // f0 fails instead
        assertEquals(1, closes.size(), "closed once, by whichever reason came first");
        assertTrue(closes.get(0).contains("send queue full"), closes.get(0));
        assertEquals(List.of("f0"), remote.sentList());
    }

    @Test
    void failedSynchronousSendClosesAndStopsSending() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : f.equals("f1") ? Mode.FAIL_SYNC : Mode.SYNC;
        q.offer("f0");
        q.offer("f1");
        q.offer("f2");
        remote.release(new SendResult());
        assertEquals(List.of("f0", "f1"), remote.sentList());
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).startsWith("send failed"), closes.get(0));
        assertFalse(q.offer("f3"));
        assertEquals(0, q.size());
    }

    @Test
    void failedAsynchronousSendClosesAndStopsSending() throws Exception {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        remote.completions = new CountDownLatch(1);
        remote.mode = f -> f.equals("f0") ? Mode.FAIL_ASYNC : Mode.HOLD;
        q.offer("f0");
        assertTrue(remote.completions.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("f0"), remote.sentList());
        assertEquals(1, closes.size());
        assertFalse(q.offer("f1"));
        assertEquals(List.of("f0"), remote.sentList());
    }

    @Test
    void heldFailureReportedLaterClosesTooAndDropsTheRest() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        q.offer("f0");
        q.offer("f1");
        q.offer("f2");
        remote.release(new SendResult(new IOException("timeout")));
        assertEquals(List.of("f0"), remote.sentList());
        assertEquals(1, closes.size());
        assertEquals(0, q.size());
    }

    @Test
    void sendThatThrowsClosesWithoutThrowingAtTheProducer() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> Mode.THROW;
        assertTrue(q.offer("f0")); // queued; the failure is the connection's, not the producer's
        assertEquals(1, closes.size());
        assertFalse(q.offer("f1"));
        assertEquals(0, remote.outstanding.get());
    }

    @Test
    void discardForgetsTheQueueAndRefusesMore() {
        SendQueue q = queue(10, SlowConsumerPolicy.CLOSE);
        remote.mode = f -> f.equals("f0") ? Mode.HOLD : Mode.SYNC;
        q.offer("f0");
        q.offer("f1");
        q.discard();
        assertEquals(0, q.size());
        assertFalse(q.offer("f2"));
        remote.release(new SendResult());
        assertEquals(List.of("f0"), remote.sentList());
        assertEquals(List.of(), closes, "discarding is not a close request");
    }

    @Test
    void batchOfFourSendsThreeFramesUnacknowledgedThenOneAcknowledged() {
        SendQueue q = batched(100, SlowConsumerPolicy.CLOSE, 4);
        for (int i = 0; i < 8; i++) {
            assertTrue(q.offer("f" + i));
        }
        assertEquals(List.of("f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"), remote.sentList());
        assertEquals(
                List.of("stream", "stream", "stream", "text", "stream", "stream", "stream", "text"),
                new ArrayList<>(remote.kinds));
        assertFalse(overlapped.get());
        assertEquals(0, q.size());
    }

    @Test
    void batchOfOneAcknowledgesEverySend() {
        SendQueue q = batched(100, SlowConsumerPolicy.CLOSE, 1);
        for (int i = 0; i < 5; i++) {
            assertTrue(q.offer("f" + i));
        }
        assertEquals(List.of("text", "text", "text", "text", "text"), new ArrayList<>(remote.kinds));
    }

    @Test
    void nothingMoreGoesOutWhileTheAcknowledgedSendIsOutstandingAndTheQueueFillsBehindIt() {
        SendQueue q = batched(3, SlowConsumerPolicy.CLOSE, 2);
        remote.mode = f -> Mode.HOLD;
        assertTrue(q.offer("f0")); // unacknowledged
        assertTrue(q.offer("f1")); // acknowledged, held: the client is not reading
        assertTrue(q.offer("f2"));
        assertTrue(q.offer("f3"));
        assertTrue(q.offer("f4"));
        assertEquals(List.of("f0", "f1"), remote.sentList(), "at most a batch in the container's hands");
        assertEquals(3, q.size());
        assertFalse(q.offer("f5"), "capacity + 1 closes");
        assertEquals(List.of(), closes, "not while f1 is in flight");
        remote.release(new SendResult());
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).contains("send queue full"), closes.get(0));
        assertEquals(List.of("f0", "f1"), remote.sentList());
        assertFalse(overlapped.get());
    }

    @Test
    void aFailedUnacknowledgedWriteClosesAndStopsSending() {
        SendQueue q = batched(100, SlowConsumerPolicy.CLOSE, 8);
        assertTrue(q.offer("f0"));
        streamThrows = true;
        assertTrue(q.offer("f1"), "queued; the failure is the connection's");
        assertEquals(1, closes.size());
        assertTrue(closes.get(0).startsWith("send failed"), closes.get(0));
        assertFalse(q.offer("f2"));
        assertEquals(List.of("f0"), remote.sentList());
    }

    @Test
    void batchedSendsFromManyProducersWithAsynchronousAcknowledgementsKeepOrderAndNeverOverlap() throws Exception {
        int producers = 4;
        int each = 5000;
        remote.mode = f -> Mode.ASYNC;
        SendQueue q = batched(producers * each, SlowConsumerPolicy.CLOSE, 16);
        runProducers(q, producers, each);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((q.size() > 0 || remote.outstanding.get() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertDeliveredInProducerOrder(producers, each);
        assertFalse(overlapped.get(), "no unacknowledged write while an acknowledged one was outstanding");
        long acknowledged = remote.kinds.stream().filter("text"::equals).count();
        assertTrue(
                acknowledged >= producers * each / 16 && acknowledged < producers * each / 2,
                acknowledged + " acknowledged sends for " + producers * each + " frames");
    }

    @Test
    void aBatchBelowOneIsRefused() {
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> new SendQueue(remote, f -> {}, 0, 10, Long.MAX_VALUE, SlowConsumerPolicy.CLOSE, closes::add));
    }
}
