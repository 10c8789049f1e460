package io.lhttp.it.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lhttp instance as a user runs it: {@code java -Dlhttp.nats.url=... -jar target/lhttp.jar
 * --port P} (Payara Micro running the WAR) as a child process on a free loopback port. Started
 * when the application itself answers, never on Payara's "ready" line (printed even when the
 * deployment failed). Stopped with SIGTERM so Payara removes its runtime directory.
 *
 * <p>Kept in this package rather than shared: the {@code sdk} branch brings a general
 * {@code UberJarServer}; this one can give way to it once both are merged.
 */
final class LhttpInstance implements AutoCloseable {

    /** ~15 s alone; minutes on a 2-core machine shared with other builds. {@code -Dlhttp.it.start-timeout-s=N}. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("lhttp.it.start-timeout-s", 600));
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Path log;
    private final Process process;

    private LhttpInstance(String name, List<String> jvmOptions) {
        this(name, NatsNode.freePort(), jvmOptions);
    }

    private LhttpInstance(String name, int port, List<String> jvmOptions) {
        this.name = name;
        this.port = port;
        Path basedir = Path.of(System.getProperty("project.basedir", "."));
        Path jar = Path.of(System.getProperty("lhttp.uberjar", basedir.resolve("target/lhttp.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run `mvn package` first");
        }
        this.log = basedir.resolve("target").resolve("lhttp-" + name + "-" + port + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        // C1 only: a much cheaper boot when the CPUs are contended; fast enough for these tests.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlhttp.instance-name=" + name);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port)));
        try {
            Files.createDirectories(log.getParent());
            Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardCharsets.UTF_8);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroy, "stop lhttp " + name));
    }

    /** Launches an instance; call {@link #awaitStarted()} before use (so that several boot in parallel). */
    static LhttpInstance launch(String name, String... jvmOptions) {
        return new LhttpInstance(name, List.of(jvmOptions));
    }

    /** Launches an instance on a given port: to start one again where its clients reconnect. */
    static LhttpInstance launchOnPort(String name, int port, String... jvmOptions) {
        return new LhttpInstance(name, port, List.of(jvmOptions));
    }

    int port() {
        return port;
    }

    /** Waits until {@code GET /} answers 200 from the application. */
    LhttpInstance awaitStarted() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + tail());
            }
            try {
                int status = get("/").statusCode();
                if (status == 200) {
                    return this;
                }
                last = "HTTP " + status;
            } catch (IOException e) {
                last = e.toString();
            }
            try {
                process.waitFor(250, TimeUnit.MILLISECONDS); // poll interval; notices a crash at once
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(name + " did not answer within " + START_TIMEOUT + " (" + last + ")" + tail());
    }

    String name() {
        return name;
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    HttpResponse<String> post(String path, String body) throws IOException {
        try {
            return HTTP.send(HttpRequest.newBuilder(http(path)).timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "text/plain; charset=UTF-8")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- " + log + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGSTOP / SIGCONT: the instance hangs with its sockets open (as a frozen or unreachable one) / resumes. */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + process.pid()).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGTERM and wait, so Payara cleans up after itself. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
