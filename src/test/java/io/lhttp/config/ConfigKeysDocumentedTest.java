package io.lhttp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every configuration key is documented: each {@code public static final String} of
 * {@link LhttpConfig} whose value is an {@code lhttp.…} key (the {@code DEFAULT_…} values aside)
 * has a line in {@code server-config/lhttp.properties} and a row in the configuration table of
 * {@code docs/CONFIGURATION.md} ({@code | `lhttp.key` | default | meaning |}).
 */
class ConfigKeysDocumentedTest {

    private static final Path BASE = Path.of(System.getProperty("project.basedir", "."));

    static Set<String> keys() throws IllegalAccessException {
        Set<String> keys = new TreeSet<>();
        for (Field f : LhttpConfig.class.getFields()) {
            int m = f.getModifiers();
            if (f.getType() == String.class
                    && Modifier.isStatic(m)
                    && Modifier.isFinal(m)
                    && !f.getName().startsWith("DEFAULT_")) {
                String value = (String) f.get(null);
                if (value.startsWith("lhttp.") && value.length() > "lhttp.".length()) {
                    keys.add(value);
                }
            }
        }
        return keys;
    }

    @Test
    void theKeysAreFound() throws Exception {
        Set<String> keys = keys();
        assertTrue(
                keys.contains(LhttpConfig.MAX_FRAME_BYTES) && keys.contains(LhttpConfig.SDK_CORS_ORIGINS),
                keys::toString);
        assertTrue(keys.size() >= 30, keys::toString);
    }

    @Test
    void everyKeyHasALineInLhttpProperties() throws Exception {
        Properties properties = new Properties();
        try (var in = Files.newBufferedReader(BASE.resolve("server-config/lhttp.properties"), StandardCharsets.UTF_8)) {
            properties.load(in);
        }
        List<String> missing =
                keys().stream().filter(k -> !properties.containsKey(k)).toList();
        assertEquals(List.of(), missing, "keys of LhttpConfig missing from server-config/lhttp.properties");
    }

    @Test
    void everyKeyHasARowInTheConfigurationTable() throws Exception {
        Set<String> rows = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(lhttp\\.[^`]+)` \\|")
                .matcher(Files.readString(BASE.resolve("docs/CONFIGURATION.md"), StandardCharsets.UTF_8));
        while (row.find()) {
            rows.add(row.group(1));
        }
        List<String> missing = keys().stream().filter(k -> !rows.contains(k)).toList();
        assertEquals(
                List.of(),
                missing,
                "keys of LhttpConfig missing from the configuration table in docs/CONFIGURATION.md");
    }
}
