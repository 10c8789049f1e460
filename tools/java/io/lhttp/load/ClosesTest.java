package io.lhttp.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Healthy subscribers the server closed must show in the result line, by code. */
class ClosesTest {

    @Test
    void noneIsEmpty() {
        Closes c = new Closes();
        assertEquals(0, c.count());
        assertEquals("", c.summary());
    }

    @Test
    void countsByCodeInAscendingOrderWithResetsNamed() {
        Closes c = new Closes();
        for (int i = 0; i < 21; i++) {
            c.record(1008);
        }
        c.record(1006);
        c.record(Closes.RESET);
        c.record(1006);
        assertEquals(24, c.count());
        assertEquals("resetx1 1006x2 1008x21", c.summary());
    }
}
