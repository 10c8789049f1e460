package io.lhttp.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Frames put together from parts: the hard cap per frame, the total budget, and what is given back. */
class FrameAssemblerTest {

    private final InboundBudget budget = new InboundBudget(1000);

    @Test
    void aWholeFramePassesThroughWithoutCopyOrBudget() throws Exception {
        FrameAssembler f = new FrameAssembler(100, budget);
        String whole = "LHTTP/1.0 chat\r\n\r\nhi";
        assertSame(whole, f.text(whole, true));
        ByteBuffer bin = ByteBuffer.wrap(whole.getBytes(StandardCharsets.UTF_8));
        assertSame(bin, f.binary(bin, true));
        assertEquals(0, budget.used());
        assertEquals(0, f.startedNanos());
    }

    @Test
    void partsAreJoinedAndTheirBytesGivenBack() throws Exception {
        FrameAssembler f = new FrameAssembler(100, budget);
        assertNull(f.text("LHTTP/1.0 ", false));
        assertTrue(f.startedNanos() != 0, "a frame is in progress");
        assertNull(f.text("chat\r\n\r\n", false));
        assertEquals(18, budget.used());
        assertEquals("LHTTP/1.0 chat\r\n\r\nhé", f.text("hé", true));
        assertEquals(0, budget.used());
        assertEquals(0, f.startedNanos());
    }

    @Test
    void binaryPartsAreCopiedBecauseTheContainerReusesItsBuffer() throws Exception {
        FrameAssembler f = new FrameAssembler(100, budget);
        ByteBuffer reused = ByteBuffer.allocate(4);
        reused.put("abcd".getBytes(StandardCharsets.US_ASCII)).flip();
        assertNull(f.binary(reused, false));
        reused.clear();
        reused.put("efgh".getBytes(StandardCharsets.US_ASCII)).flip();
        ByteBuffer whole = f.binary(reused, true);
        assertEquals("abcdefgh", StandardCharsets.US_ASCII.decode(whole).toString());
        assertEquals(0, budget.used());
    }

    @Test
    void theHardCapCountsUtf8BytesAndActsOnThePartThatPassesIt() throws Exception {
        FrameAssembler f = new FrameAssembler(10, budget);
        assertNull(f.text("ééé", false)); // 6 bytes
        assertNull(f.text("éé", false)); // 10 bytes: exactly at the cap
        FrameAssembler.Refused r = assertThrows(FrameAssembler.Refused.class, () -> f.text("x", false));
        assertEquals(FrameAssembler.Refusal.TOO_BIG, r.refusal());
        assertEquals(0, budget.used(), "what it held is given back at once");
        assertEquals(0, f.startedNanos());
        // A whole frame over the cap in one call is refused too; at the cap it passes.
        assertEquals(
                FrameAssembler.Refusal.TOO_BIG,
                assertThrows(FrameAssembler.Refused.class, () -> f.text("ééééé!", true))
                        .refusal());
        assertEquals("ééééé", f.text("ééééé", true));
        assertEquals(
                FrameAssembler.Refusal.TOO_BIG,
                assertThrows(FrameAssembler.Refused.class, () -> f.binary(ByteBuffer.allocate(11), true))
                        .refusal());
    }

    @Test
    void theTotalBudgetRefusesTheConnectionThatWouldPassIt() throws Exception {
        InboundBudget small = new InboundBudget(25);
        FrameAssembler a = new FrameAssembler(100, small);
        FrameAssembler b = new FrameAssembler(100, small);
        assertNull(a.text("x".repeat(20), false));
        FrameAssembler.Refused r = assertThrows(FrameAssembler.Refused.class, () -> b.text("y".repeat(10), false));
        assertEquals(FrameAssembler.Refusal.OVER_BUDGET, r.refusal());
        assertEquals(20, small.used(), "the refused part took nothing");
        assertNull(b.text("y".repeat(5), false), "what still fits is kept");
        assertEquals(25, small.used());
        a.release(); // a's connection closed
        assertEquals(5, small.used());
        assertNull(b.text("y".repeat(20), false));
        assertEquals(25, small.used());
    }

    @Test
    void aClosedConnectionKeepsNothingMore() throws Exception {
        FrameAssembler f = new FrameAssembler(100, budget);
        assertNull(f.text("abc", false));
        f.release();
        assertEquals(0, budget.used());
        assertThrows(FrameAssembler.Refused.class, () -> f.text("def", false));
        assertEquals(0, budget.used(), "nothing reserved after the close");
    }

    @Test
    void manyConnectionsAtOnceNeverPassTheBudgetAndGiveEverythingBack() throws Exception {
        InboundBudget shared = new InboundBudget(10_000);
        int connections = 8;
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> refused = new ArrayList<>();
        long[] peak = {0};
        try {
            for (int c = 0; c < connections; c++) {
                refused.add(pool.submit(() -> {
                    FrameAssembler f = new FrameAssembler(5_000, shared);
                    int n = 0;
                    start.await();
                    for (int frame = 0; frame < 500; frame++) {
                        try {
                            for (int part = 0; part < 9; part++) {
                                f.text("p".repeat(100), false);
                                synchronized (peak) {
                                    peak[0] = Math.max(peak[0], shared.used());
                                }
                            }
                            f.text("end", true);
                        } catch (FrameAssembler.Refused r) {
                            n++;
                        }
                    }
                    f.release();
                    return n;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> r : refused) {
                total += r.get(30, TimeUnit.SECONDS);
            }
            assertTrue(peak[0] <= 10_000, "peak " + peak[0]);
            assertEquals(0, shared.used(), "everything given back; refused " + total);
        } finally {
            pool.shutdownNow();
        }
    }
}
