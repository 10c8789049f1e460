package io.lhttp.config;

import org.eclipse.microprofile.config.Config;

/**
 * Reads one key with its default and checks its bounds, so that a bad value fails the deployment
 * with a message naming the key. For the feature packages that read their own keys (their
 * {@code …Config} beans); the keys themselves are listed once, in {@link LhttpConfig}.
 */
public final class ConfigValues {

    private ConfigValues() {}

    /** The trimmed string value of {@code key}, or {@code defaultValue}. */
    public static String string(Config config, String key, String defaultValue) {
        return config.getOptionalValue(key, String.class).map(String::trim).orElse(defaultValue);
    }

    /** An int of at least 1. */
    public static int positive(Config config, String key, int defaultValue) {
        return atLeast(config, key, defaultValue, 1);
    }

    /** An int of at least {@code min}. */
    public static int atLeast(Config config, String key, int defaultValue, int min) {
        int value = config.getOptionalValue(key, Integer.class).orElse(defaultValue);
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** A long of at least {@code min}. */
    public static long longAtLeast(Config config, String key, long defaultValue, long min) {
        long value = config.getOptionalValue(key, Long.class).orElse(defaultValue);
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
        }
        return value;
    }
}
