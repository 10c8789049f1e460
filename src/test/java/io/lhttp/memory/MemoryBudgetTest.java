package io.lhttp.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.memory.MemoryBudget.Use;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {

    @Test
    void theDefaultIsThirtyPercentOfTheHeapAndAConfiguredValueWins() {
        assertEquals(300L << 20, MemoryBudget.limitFor(0, 1000L << 20));
        assertEquals(1234, MemoryBudget.limitFor(1234, 1000L << 20));
        assertEquals(
                Runtime.getRuntime().maxMemory() / 100 * 30,
                MemoryBudget.ofHeap().limit());
        assertThrows(IllegalArgumentException.class, () -> new MemoryBudget(0));
    }

    @Test
    void newWorkIsRefusedAtNinetyPercentAndNothingIsTakenThen() {
        MemoryBudget b = new MemoryBudget(1000);
        assertTrue(b.tryTake(Use.INBOUND, 899));
        assertTrue(b.acceptsNewWork());
        assertTrue(b.tryTake(Use.HISTORY, 1));
        assertFalse(b.tryTake(Use.INBOUND, 1), "900 of 1000 is the new-work mark");
        assertFalse(b.acceptsNewWork());
        assertEquals(900, b.used());
        assertEquals(899, b.used(Use.INBOUND));
        assertEquals(1, b.used(Use.HISTORY));
        b.give(Use.INBOUND, 899);
        assertTrue(b.acceptsNewWork());
        assertEquals(1, b.used());
    }

    @Test
    void acceptedWorkIsAlwaysCountedAndSaysWhenTheBudgetIsOver() {
        MemoryBudget b = new MemoryBudget(1000);
        assertFalse(b.take(Use.SEND_QUEUES, 1000));
        assertFalse(b.over());
        assertTrue(b.take(Use.SEND_QUEUES, 1), "one byte over");
        assertTrue(b.over());
        assertEquals(1001, b.used());
    }

    @Test
    void onlyAHolderAboveItsFairShareIsCutWhenTheBudgetIsOver() {
        MemoryBudget b = new MemoryBudget(1000, 0);
        MemoryBudget.Account big = b.account(Use.SEND_QUEUES);
        MemoryBudget.Account small = b.account(Use.SEND_QUEUES);
        assertEquals(500, b.fairShare());
        big.addAndGet(900);
        small.addAndGet(100);
        assertFalse(big.overShare(), "within the budget nobody is cut");
        small.addAndGet(50);
        assertTrue(b.over());
        assertTrue(big.overShare(), "900 > 500: the largest is cut");
        assertFalse(small.overShare(), "150 <= 500: within its share, kept");
        big.close();
        assertEquals(150, b.used());
        assertEquals(1000, b.fairShare(), "the closed holder left the count");
        big.close();
        assertEquals(150, b.used(), "closing twice gives back nothing twice");
    }

    @Test
    void bytesHandedOnCountTheCopiesTheReceiverKeepsUntilConfirmed() {
        MemoryBudget b = new MemoryBudget(1000, 0);
        MemoryBudget.Account a = b.account(Use.SEND_QUEUES);
        a.addAndGet(100);
        a.handedOn(100, 3);
        assertEquals(0, a.get());
        assertEquals(300, a.inFlight());
        assertEquals(300, b.used(), "the copies count in the budget too");
        a.confirmed();
        assertEquals(0, b.used());
    }

    @Test
    void anAccountIsTheBudgetsShareEvenWhenResetRacesAFree() {
        MemoryBudget b = new MemoryBudget(1 << 20);
        MemoryBudget.Account a = b.account(Use.SEND_QUEUES);
        a.addAndGet(100);
        a.set(0); // the queue discarded everything
        a.addAndGet(-40); // a send that was already under way frees its frame afterwards
        assertEquals(-40, a.get());
        assertEquals(-40, b.used());
        a.close(); // the connection is gone: the account settles
        assertEquals(0, b.used());
        assertEquals(0, b.used(Use.SEND_QUEUES));
    }

    /** Many threads taking and giving: nothing is lost, and the limit is never passed by new work. */
    @Test
    void concurrentTakesNeverPassTheNewWorkMark() throws Exception {
        MemoryBudget b = new MemoryBudget(100_000);
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> all = new ArrayList<>();
        long[] maxSeen = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100_000; i++) {
                    if (b.tryTake(Use.INBOUND, 1000)) {
                        maxSeen[id] = Math.max(maxSeen[id], b.used());
                        b.give(Use.INBOUND, 1000);
                    }
                }
            });
            all.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : all) {
            th.join(TimeUnit.SECONDS.toMillis(60));
        }
        assertEquals(0, b.used());
        for (long m : maxSeen) {
            assertTrue(m <= 90_000, "never above the new-work mark: " + m);
        }
    }

    /** A holder whose client keeps confirming is not cut, however much it holds: a fan-out's shared frame is counted per queue. */
    @Test
    void aHolderThatHadSomethingConfirmedLatelyIsNotCut() {
        MemoryBudget b = new MemoryBudget(1000, 60_000_000_000L);
        MemoryBudget.Account reading = b.account(Use.SEND_QUEUES);
        reading.addAndGet(1500);
        reading.handedOn(500);
        assertEquals(1500, b.used(), "handed on, not yet confirmed: still counted");
        assertTrue(b.over());
        assertFalse(reading.overShare(), "confirmed within the last minute (at creation)");
        reading.confirmed();
        assertEquals(1000, b.used());
        assertEquals(0, reading.inFlight());
    }
}
