package io.lhttp.fuzz;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Runs a property over generated inputs: seeded, bounded, reproducible. Plain JUnit 5, no
 * property-testing library: each try draws its input from its own {@link SplittableRandom} split
 * off one master seed, so a failure names the seed and the try, and rerunning with that seed
 * replays the same inputs in the same order.
 *
 * <ul>
 * <li>{@code -Dlhttp.fuzz.seed=N}: the master seed (default: a new random one each run, printed
 *     with any failure).</li>
 * <li>{@code -Dlhttp.fuzz.tries=N}: tries of every property (default: each property's own
 *     bound, a few hundred to a few thousand, so {@code mvn verify} stays fast).</li>
 * </ul>
 *
 * <pre>{@code
 * mvn test -Dtest='CodecPropertiesTest,MultipartParserTest' -Dlhttp.fuzz.tries=100000
 * mvn test -Dtest=CodecPropertiesTest -Dlhttp.fuzz.seed=-4242424242   # replay a failure
 * }</pre>
 */
public final class Fuzz {

    /** System property: the master seed. */
    public static final String SEED = "lhttp.fuzz.seed";
    /** System property: tries per property, overriding each property's default. */
    public static final String TRIES = "lhttp.fuzz.tries";

    private Fuzz() {}

    /** A property of one generated value; throwing (an assertion or anything else) is a failure. */
    @FunctionalInterface
    public interface Property<T> {
        void check(T value) throws Exception;
    }

    /** The tries to run: {@code -Dlhttp.fuzz.tries} when given, else {@code defaultTries}. */
    public static int tries(int defaultTries) {
        String v = System.getProperty(TRIES);
        if (v == null || v.isBlank()) {
            return defaultTries;
        }
        int n = Integer.parseInt(v.trim());
        if (n < 1) {
            throw new IllegalArgumentException(TRIES + " must be at least 1: " + v);
        }
        return n;
    }

    /** The master seed: {@code -Dlhttp.fuzz.seed} when given, else a fresh random one. */
    public static long seed() {
        String v = System.getProperty(SEED);
        return v == null || v.isBlank() ? new SplittableRandom().nextLong() : Long.parseLong(v.trim());
    }

    /** How to replay a run with this seed, for failure messages. */
    public static String replay(long seed) {
        return "-D" + SEED + "=" + seed;
    }

    /**
     * Checks {@code property} on {@link #tries(int)} values from {@code generator}; the first
     * failure stops the run with the seed, the try and the input (through {@code show}).
     */
    public static <T> void forAll(
            int defaultTries,
            Function<SplittableRandom, T> generator,
            Function<? super T, String> show,
            Property<? super T> property) {
        long seed = seed();
        int tries = tries(defaultTries);
        SplittableRandom master = new SplittableRandom(seed);
        for (int i = 1; i <= tries; i++) {
            T value;
            try {
                value = generator.apply(master.split());
            } catch (RuntimeException e) {
                throw new AssertionError("the generator failed at try " + i + " (replay with " + replay(seed) + ")", e);
            }
            try {
                property.check(value);
            } catch (Throwable t) {
                throw new AssertionError(
                        "failed at try " + i + " of " + tries + " (replay with " + replay(seed) + "): " + t.getMessage()
                                + System.lineSeparator() + "  input: " + show.apply(value),
                        t);
            }
        }
    }
}
