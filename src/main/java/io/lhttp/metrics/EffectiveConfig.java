package io.lhttp.metrics;

import io.lhttp.config.LhttpConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.Config;

/**
 * The effective {@code lhttp.*} configuration for the status page: every key LhttpConfig
 * declares (a {@code public static final String} constant whose value starts with
 * {@code lhttp.}) with its configured value, else its {@code DEFAULT_} constant, plus any other
 * {@code lhttp.*} property set; secrets masked.
 */
final class EffectiveConfig {

    static final String MASK = "***";

    private EffectiveConfig() {}

    static Map<String, String> of(Config config, LhttpConfig lhttp) {
        Map<String, String> out = new TreeMap<>();
        for (Field f : LhttpConfig.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers())
                    || f.getType() != String.class
                    || f.getName().startsWith("DEFAULT_")) {
                continue;
            }
            try {
                String key = (String) f.get(null);
                if (key == null || !key.startsWith("lhttp.")) {
                    continue;
                }
                out.put(key, config.getOptionalValue(key, String.class).orElseGet(() -> defaultOf(f.getName())));
            } catch (IllegalAccessException e) {
                // public field: cannot happen
            }
        }
        for (String key : config.getPropertyNames()) {
            if (key.startsWith("lhttp.") && !out.containsKey(key)) {
                config.getOptionalValue(key, String.class).ifPresent(v -> out.put(key, v));
            }
        }
        // Defaults that live elsewhere than a DEFAULT_ constant of LhttpConfig.
        out.replace(
                LhttpConfig.MAX_FRAME_BYTES, "", Integer.toString(lhttp.limits().maxFrameBytes()));
        out.replace(LhttpConfig.MAX_HEADERS, "", Integer.toString(lhttp.limits().maxHeaders()));
        out.replace(
                LhttpConfig.MAX_PARTS,
                "",
                Integer.toString(lhttp.multipartParser().maxParts()));
        out.replace(LhttpConfig.ERRORS_REPLY, "", Boolean.toString(lhttp.errorsReply()));
        out.replace(LhttpConfig.INSTANCE_NAME, "", lhttp.instanceName());
        out.replace(
                LhttpConfig.UPSTREAM_TIMEOUT,
                "",
                Long.toString(lhttp.upstreamTimeout().toMillis()));
        out.replaceAll(
                (key, value) -> secret(key) && !value.isEmpty() ? MASK : io.lhttp.config.Secrets.maskUrls(value));
        return out;
    }

    /** Keys whose values are credentials: tokens, secrets, keys, passwords. */
    static boolean secret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        String last = k.substring(k.lastIndexOf('.') + 1);
        if (last.startsWith("allow-")
                || last.startsWith("enable")
                || last.startsWith("max-")
                || last.endsWith("-file")) {
            return false; // switches, sizes and file paths about tokens and keys, not tokens or keys
        }
        return last.contains("token")
                || last.contains("secret")
                || last.contains("password")
                || last.contains("key")
                || last.contains("credential")
                || k.contains(".key.")
                || k.contains(".secret.");
    }

    private static String defaultOf(String constant) {
        try {
            return String.valueOf(
                    LhttpConfig.class.getField("DEFAULT_" + constant).get(null));
        } catch (NoSuchFieldException | IllegalAccessException e) {
            try {
                return String.valueOf(LhttpConfig.class
                        .getField("DEFAULT_" + constant + "_MS")
                        .get(null));
            } catch (NoSuchFieldException | IllegalAccessException e2) {
                return "";
            }
        }
    }
}
