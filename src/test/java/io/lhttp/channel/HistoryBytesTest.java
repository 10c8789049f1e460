package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.memory.MemoryBudget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 18: history bounded in bytes, per channel and in total, oldest first, and honest about what fell out. */
class HistoryBytesTest {

    private static final int COST = 100 + HistoryRing.ENTRY_OVERHEAD;

    private static String frame(int i) {
        String head = "m" + i + ":";
        return head + "x".repeat(100 - head.length());
    }

    @Test
    void aChannelKeepsAtMostItsBytesDroppingTheOldestFirst() {
        HistoryRing ring = new HistoryRing("e", 1000, 0, 3L * COST, new HistoryRing.Pool(Long.MAX_VALUE, null));
        for (int i = 1; i <= 5; i++) {
            ring.append(frame(i), 0);
        }
        assertEquals(3, ring.kept());
        assertEquals(3L * COST, ring.bytes());
        HistoryRing.Replay all = ring.since(new Position("e", 0), 0);
        assertEquals(
                List.of(frame(3), frame(4), frame(5)),
                all.entries().stream().map(HistoryRing.Entry::frame).toList());
        assertFalse(all.complete(), "messages 1 and 2 fell out: recovered:false");
        assertTrue(ring.since(new Position("e", 2), 0).complete(), "from 2 on everything is still kept");
    }

    @Test
    void allChannelsTogetherKeepAtMostTheTotalAndCountInTheMemoryBudget() {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        History h = new History("room*", 1000, 0, 100, 10L * COST, 4L * COST, budget);
        HistoryRing a = h.ring("room-a");
        HistoryRing b = h.ring("room-b");
        for (int i = 1; i <= 3; i++) {
            a.append(frame(i), 0);
        }
        assertEquals(3L * COST, budget.used(MemoryBudget.Use.HISTORY));
        b.append(frame(10), 0);
        b.append(frame(11), 0); // the total is full: room-b drops its own oldest
        assertEquals(4L * COST, h.bytes());
        assertEquals(3, a.kept(), "another channel's history is not taken");
        assertEquals(1, b.kept());
        assertFalse(b.since(new Position(b.epoch(), 0), 0).complete());
        assertEquals(4L * COST, budget.used());
    }

    @Test
    void aMessageThatCannotBeKeptEmptiesTheRingSoNoReplayAcrossItClaimsCompleteness() {
        History h = new History("room*", 1000, 0, 100, 10L * COST, 2L * COST, null);
        HistoryRing a = h.ring("room-a");
        HistoryRing b = h.ring("room-b");
        a.append(frame(1), 0);
        a.append(frame(2), 0);
        b.append(frame(3), 0);
        b.append("y".repeat(1000), 0); // larger than the whole total: not kept
        assertEquals(0, b.kept());
        assertFalse(
                b.since(new Position(b.epoch(), 1), 0).complete(), "message 2 of room-b is not kept: recovered:false");
        assertTrue(b.since(new Position(b.epoch(), 2), 0).complete(), "a subscriber that saw it misses nothing");
        Position p = b.append(frame(4), 0);
        assertEquals(3, p.offset());
        assertEquals(2, a.kept());
    }

    @Test
    void aForgottenChannelGivesItsBytesBack() {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        History h = new History("room*", 1000, 0, 1, 10L * COST, 10L * COST, budget);
        h.ring("room-a").append(frame(1), 0);
        assertEquals(COST, h.bytes());
        h.ring("room-b"); // max-channels 1: room-a is forgotten
        assertEquals(0, h.bytes());
        assertEquals(0, budget.used());
    }

    @Test
    void expiredMessagesGiveTheirBytesBack() {
        HistoryRing.Pool pool = new HistoryRing.Pool(1 << 20, null);
        HistoryRing ring = new HistoryRing("e", 10, 1000, 1 << 20, pool);
        ring.append(frame(1), 0);
        ring.append(frame(2), 2000);
        assertEquals(COST, pool.used());
    }
}
