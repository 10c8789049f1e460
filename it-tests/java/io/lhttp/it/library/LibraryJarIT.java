package io.lhttp.it.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The library jar users depend on ({@code io.lhttp:lhttp:<version>:jar:classes}, built by the
 * package phase) holds the library and not the example processors, which only the server WAR
 * carries: otherwise {@code echo} and {@code upload} would answer in every user's app.
 */
class LibraryJarIT {

    private static final Path TARGET = Path.of(System.getProperty("lhttp.library", "target/lhttp-classes.jar"))
            .toAbsolutePath()
            .getParent();

    private static List<String> entries(String name) throws IOException {
        Path jar = TARGET.resolve(name);
        assertTrue(Files.isRegularFile(jar), jar + " was not built");
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(ZipEntry::getName).toList();
        }
    }

    @Test
    void libraryHasTheApiButNoExampleProcessors() throws IOException {
        List<String> names = entries("lhttp-classes.jar");
        assertEquals(
                List.of(),
                names.stream().filter(n -> n.startsWith("io/lhttp/examples/")).toList());
        for (String api : List.of(
                "io/lhttp/processor/Exchange.class",
                "io/lhttp/channel/Channels.class",
                "io/lhttp/connection/LhttpEndpoint.class",
                "io/lhttp/protocol/Message.class",
                "io/lhttp/publish/HttpPublish.class")) {
            assertTrue(names.contains(api), api + " missing from the library jar");
        }
    }

    @Test
    void sourcesAndJavadocAreAttachedWithoutExamples() throws IOException {
        List<String> sources = entries("lhttp-sources.jar");
        assertTrue(sources.contains("io/lhttp/channel/Channels.java"), "Channels.java missing from the sources jar");
        assertEquals(
                List.of(),
                sources.stream().filter(n -> n.startsWith("io/lhttp/examples/")).toList());
        List<String> javadoc = entries("lhttp-javadoc.jar");
        // The javadoc shows the public API only (docs/ARCHITECTURE.md): processor, protocol, the client.
        assertTrue(
                javadoc.contains("io/lhttp/processor/Publisher.html"), "Publisher.html missing from the javadoc jar");
        assertTrue(javadoc.contains("io/lhttp/processor/Exchange.html"), "Exchange.html missing from the javadoc jar");
        assertEquals(
                List.of(),
                javadoc.stream()
                        .filter(n -> n.startsWith("io/lhttp/channel/") || n.startsWith("io/lhttp/connection/"))
                        .toList(),
                "internal packages in the javadoc jar");
        assertEquals(
                List.of(),
                javadoc.stream().filter(n -> n.startsWith("io/lhttp/examples/")).toList());
    }

    @Test
    void serverWarStillCarriesTheExamples() throws IOException {
        List<String> names = entries("lhttp.war");
        assertTrue(
                names.contains("WEB-INF/classes/io/lhttp/examples/echo/EchoProcessor.class"),
                "the server WAR must keep echo (the ITs and the fuzzer use it)");
        assertTrue(
                names.stream().noneMatch(n -> n.startsWith("WEB-INF/lib/lhttp")), "the WAR must not nest the library");
    }
}
