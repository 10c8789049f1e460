package io.lhttp.admission;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A logger for warnings an attacker can cause at will (refused connections, aborted bodies):
 * at most {@link #DEFAULT_PER_INTERVAL} lines per {@link #DEFAULT_INTERVAL_MS} ms; the rest are
 * counted, and the count is logged with the next line that gets through. One line each, never a
 * stack trace: under a flood the log stays readable and the disk stays free.
 */
public final class RateLimitedLog {

    /** Lines let through per interval. */
    public static final int DEFAULT_PER_INTERVAL = 5;
    /** The interval, in milliseconds. */
    public static final long DEFAULT_INTERVAL_MS = 10_000;

    private final Logger logger;
    private final int perInterval;
    private final long intervalNanos;
    private long windowStart; // guarded by this
    private int inWindow; // guarded by this
    private long suppressed; // guarded by this

    public RateLimitedLog(Logger logger) {
        this(logger, DEFAULT_PER_INTERVAL, DEFAULT_INTERVAL_MS);
    }

    public RateLimitedLog(Logger logger, int perInterval, long intervalMs) {
        this.logger = logger;
        this.perInterval = perInterval;
        this.intervalNanos = intervalMs * 1_000_000;
        this.windowStart = System.nanoTime() - intervalNanos;
    }

    /** Logs a {@link java.text.MessageFormat} pattern at WARNING, unless over the rate. */
    public void warning(String pattern, Object... params) {
        if (!logger.isLoggable(Level.WARNING)) {
            return;
        }
        long dropped;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= intervalNanos) {
                windowStart = now;
                inWindow = 0;
            }
            if (inWindow >= perInterval) {
                suppressed++;
                return;
            }
            inWindow++;
            dropped = suppressed;
            suppressed = 0;
        }
        LogRecord r = new LogRecord(
                Level.WARNING, dropped == 0 ? pattern : pattern + " (" + dropped + " similar lines suppressed)");
        r.setParameters(params);
        r.setLoggerName(logger.getName());
        logger.log(r);
    }

    /** Lines counted but not written since the last one written. */
    public synchronized long suppressed() {
        return suppressed;
    }
}
