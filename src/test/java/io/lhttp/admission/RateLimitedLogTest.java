package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {

    @Test
    void aFloodGivesAFewLinesThenACount() {
        Logger logger = Logger.getLogger("lhttp.test.ratelimited." + System.nanoTime());
        logger.setUseParentHandlers(false);
        List<LogRecord> records = new ArrayList<>();
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        // An interval no test run outlasts: only the first 3 of the flood are written.
        RateLimitedLog log = new RateLimitedLog(logger, 3, 3_600_000);
        for (int i = 0; i < 1000; i++) {
            log.warning("body aborted: {0}", i);
        }
        assertEquals(3, records.size());
        assertEquals(997, log.suppressed());
        assertEquals(List.of(0), List.of(records.get(0).getParameters()));
        assertTrue(records.stream().allMatch(r -> r.getThrown() == null), "never a stack trace");
        // A zero-length interval lets every line through and reports what was held back.
        RateLimitedLog open = new RateLimitedLog(logger, 1, 0);
        open.warning("x {0}", 1);
        assertEquals(4, records.size());
        assertEquals("x {0}", records.get(3).getMessage());
    }
}
