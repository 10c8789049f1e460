package io.lhttp.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The load and attack tools ({@code tools/java}, package {@code io.lhttp.load}) are benchmarks, not
 * test support: no integration test and no unit test outside them uses them, and the shared test
 * support ({@code io.lhttp.testkit}) does not depend on them.
 */
class ToolsApartTest {

    private static final Path BASE = Path.of(System.getProperty("project.basedir", "."));

    private static List<String> usersOfTheTools(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("ToolsApartTest.java"))
                    .filter(f -> {
                        try {
                            return Files.readString(f, StandardCharsets.UTF_8).contains("io.lhttp.load");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(f -> BASE.relativize(f).toString())
                    .sorted()
                    .toList();
        }
    }

    @Test
    void theToolsAreWhereTheBenchScriptsRunThem() {
        assertTrue(Files.isRegularFile(BASE.resolve("tools/java/io/lhttp/load/LoadTool.java")));
        assertTrue(Files.isRegularFile(BASE.resolve("tools/java/io/lhttp/load/Attack.java")));
    }

    @Test
    void noTestOutsideTheToolsUsesThem() throws IOException {
        assertEquals(List.of(), usersOfTheTools(BASE.resolve("it-tests/java")));
        assertEquals(List.of(), usersOfTheTools(BASE.resolve("src/test/java")));
    }
}
