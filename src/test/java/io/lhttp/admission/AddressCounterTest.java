package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AddressCounterTest {

    @Test
    void limitsEachAddressApartAndForgetsEmptyOnes() {
        AddressCounter c = new AddressCounter();
        assertTrue(c.tryAcquire("a", 2));
        assertTrue(c.tryAcquire("a", 2));
        assertFalse(c.tryAcquire("a", 2));
        assertTrue(c.tryAcquire("b", 2));
        assertEquals(2, c.held("a"));
        c.release("a");
        assertTrue(c.tryAcquire("a", 2));
        c.release("a");
        c.release("a");
        c.release("a"); // one too many: stays at zero
        c.release("b");
        assertEquals(0, c.held("a"));
        assertEquals(0, c.addresses(), "no entry left for addresses holding nothing");
    }

    @Test
    void concurrentAcquiresNeverExceedTheLimit() throws Exception {
        AddressCounter c = new AddressCounter();
        int limit = 50;
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try {
                    start.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 100; i++) {
                    if (c.tryAcquire("x", limit)) {
                        granted.incrementAndGet();
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : threads) {
            th.join(10_000);
        }
        assertEquals(limit, granted.get());
        assertEquals(limit, c.held("x"));
    }
}
