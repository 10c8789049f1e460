package io.lhttp.it.support;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, instead of sleeping and hoping. */
public final class Await {

    private static final long POLL_MS = 20;

    private Await() {}

    /**
     * Returns once {@code condition} holds; throws {@link AssertionError} naming {@code what} when it
     * does not within {@code deadline}. An exception from the condition ends the wait at once.
     */
    public static void until(Duration deadline, BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + deadline + ": " + what);
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS); // poll interval, bounded by the deadline
        }
    }

    /**
     * As {@link #until}, but a {@link RuntimeException} from the condition counts as "not yet" (e.g.
     * a monitoring endpoint that does not answer yet).
     */
    public static void untilAnswered(Duration deadline, BooleanSupplier condition, String what)
            throws InterruptedException {
        until(
                deadline,
                () -> {
                    try {
                        return condition.getAsBoolean();
                    } catch (RuntimeException notYet) {
                        return false;
                    }
                },
                what);
    }
}
