package io.lhttp.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LoadToolTest {

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = new long[100];
        for (int i = 0; i < 100; i++) {
            sorted[i] = i + 1;
        }
        assertEquals(50, LoadTool.percentile(sorted, 50));
        assertEquals(99, LoadTool.percentile(sorted, 99));
        assertEquals(100, LoadTool.percentile(sorted, 100));
        assertEquals(7, LoadTool.percentile(new long[] {7}, 99));
        assertEquals(0, LoadTool.percentile(new long[0], 50));
    }
}
