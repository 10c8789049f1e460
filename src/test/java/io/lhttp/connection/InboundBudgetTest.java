package io.lhttp.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.memory.MemoryBudget;
import org.junit.jupiter.api.Test;

/** Issue 18: unfinished frames count in the memory budget; a connection within its fair share is not refused. */
class InboundBudgetTest {

    @Test
    void withinItsShareAPartIsTakenEvenNearTheMark() {
        MemoryBudget memory = new MemoryBudget(1000, 0);
        MemoryBudget.Account a = memory.account(MemoryBudget.Use.SEND_QUEUES);
        MemoryBudget.Account b = memory.account(MemoryBudget.Use.SEND_QUEUES); // two connections: share 500
        a.addAndGet(900); // another connection's queue filled the budget to its new-work mark
        InboundBudget inbound = new InboundBudget(1 << 20, memory);
        assertTrue(inbound.reserve(100, 0), "100 of a 500 share: taken");
        assertEquals(1000, memory.used());
        assertFalse(inbound.reserve(500, 100), "beyond its share and over the mark: refused");
        assertEquals(100, inbound.used(), "nothing taken by the refused part");
        inbound.release(100);
        assertEquals(900, memory.used());
        b.close();
    }
}
