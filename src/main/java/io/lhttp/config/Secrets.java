package io.lhttp.config;

import java.util.regex.Pattern;

/**
 * Masks the credentials URLs carry before a URL (or a text naming one: a log line, an exception
 * message, an error reason) leaves the process: the user info of {@code scheme://user:pass@host}
 * and {@code nats://token@host}, and query parameters whose name says they hold a secret
 * ({@code ?password=}, {@code ?token=}, {@code ?api_key=}, {@code ?sig=}). Plain Java, thread-safe.
 */
public final class Secrets {

    /** What a masked credential is replaced with. */
    public static final String MASK = "***";

    private static final Pattern USER_INFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.\\-]*://)([^/?#\\s,\"'<>]+)@");
    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "(?i)([?&;][a-z0-9_.\\-]*(?:pass|pwd|token|secret|key|auth|sig|credential)[a-z0-9_.\\-]*=)[^&#\\s,\"'<>]*");

    private Secrets() {}

    /** {@code text} with every URL's user info and secret-named query values replaced by {@link #MASK}. */
    public static String maskUrls(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = text.indexOf('@') < 0 ? text : USER_INFO.matcher(text).replaceAll("$1" + MASK + "@");
        return masked.indexOf('=') < 0
                ? masked
                : SECRET_PARAMETER.matcher(masked).replaceAll("$1" + MASK);
    }
}
