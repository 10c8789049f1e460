package io.lhttp.it.support;

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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The packaged server ({@code target/lhttp.jar}, Payara Micro with the WAR) as a child process on a
 * free loopback port: what a user gets with {@code java -jar lhttp.jar --port N}.
 *
 * <pre>{@code
 * try (UberJarServer server = UberJarServer.builder().jvmOption("-Dlhttp.errors.reply=false").start()) {
 *     connect(server.wsUri());
 * }
 * }</pre>
 *
 * The server counts as started when the application answers {@code GET /} with 200, not when Payara
 * logs "ready": Payara prints that even when the deployment failed. Output goes to a log file under
 * {@code target/} whose tail is put in the exception when the start fails.
 */
public final class UberJarServer implements AutoCloseable {

    /**
     * Cold start is ~10 s on an idle machine, but 160 s was seen on a 2-core one running other
     * Payara instances; a crash is noticed at once anyway, so only a hang waits this long.
     */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(300);
    /** SIGTERM lets Payara remove its ~110 MB runtime directory under /tmp; a kill leaves it behind. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Path jar;
    private final int port;
    private final List<String> jvmOptions;
    private final List<String> arguments;
    private final Duration startTimeout;
    private final Path log;
    private final String readyPath;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private Thread shutdownHook;

    private UberJarServer(Builder b) {
        this.jar = Objects.requireNonNullElseGet(b.jar, UberJarServer::defaultJar);
        this.port = b.port > 0 ? b.port : freePort();
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.arguments = List.copyOf(b.arguments);
        this.startTimeout = b.startTimeout;
        this.log = Objects.requireNonNullElseGet(b.log, () -> targetDir().resolve("uberjar-server-" + port + ".log"));
        this.readyPath = b.readyPath;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts the packaged server with these JVM options (e.g. {@code -Dlhttp.max-frame-bytes=40960}). */
    public static UberJarServer start(String... jvmOptions) {
        Builder b = builder();
        for (String option : jvmOptions) b.jvmOption(option);
        return b.start();
    }

    public int port() {
        return port;
    }

    /** {@code http://127.0.0.1:port/} */
    public URI httpUri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    /** {@code ws://127.0.0.1:port/}: the LHTTP endpoint. */
    public URI wsUri() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    public Path logFile() {
        return log;
    }

    /** The server's process id (for /proc, signals); -1 when not running. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the process (SIGTERM) and starts a new one on the same port, with the same options. */
    public UberJarServer restart() {
        stop();
        return launch();
    }

    /** SIGTERM, then wait; a forced kill only if it hangs. Idempotent. */
    public void stop() {
        Process p = process;
        if (p == null) return;
        process = null;
        removeShutdownHook();
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    private UberJarServer launch() {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run `mvn package` (or `mvn verify`) first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // As README's first command: out of memory, the server exits rather than hangs half-dead (issue 14).
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toString());
        command.add("--port");
        command.add(Integer.toString(port));
        command.addAll(arguments);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Files.writeString(log, "$ " + String.join(" ", command) + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        // A test JVM that dies without close() must not leave a server holding the port.
        Process started = process;
        shutdownHook = new Thread(started::destroy, "stop " + jar.getFileName() + ":" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitReady(started);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        return this;
    }

    private void awaitReady(Process started) {
        Instant deadline = Instant.now().plus(startTimeout);
        URI probe = httpUri().resolve(readyPath);
        HttpRequest request = HttpRequest.newBuilder(probe).timeout(Duration.ofSeconds(5)).GET().build();
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!started.isAlive()) {
                throw new IllegalStateException("server exited with " + started.exitValue() + " before " + probe
                        + " answered" + logTail());
            }
            try {
                HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) return;
                last = "HTTP " + response.statusCode();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + probe, e);
            }
            // Waiting on the process doubles as the poll interval and notices a crash at once.
            try {
                started.onExit().get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException expected) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + probe, e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(probe + " did not answer 200 within " + startTimeout + " (last: " + last + ")"
                + logTail());
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return System.lineSeparator() + "--- last lines of " + log + " ---" + System.lineSeparator()
                    + String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | RuntimeException e) {
            return " (log " + log + " unreadable: " + e + ")";
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook == null) return;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is stopping the server
        }
        shutdownHook = null;
    }

    private static Path defaultJar() {
        String property = System.getProperty("lhttp.uberjar");
        return property != null ? Path.of(property) : targetDir().resolve("lhttp.jar");
    }

    private static Path targetDir() {
        return Path.of(System.getProperty("project.basedir", ".")).resolve("target");
    }

    /** A port free on loopback now, below the ephemeral range (see {@link Ports}). */
    public static int freePort() {
        return Ports.free();
    }

    public static final class Builder {
        private Path jar;
        private int port;
        private final List<String> jvmOptions = new ArrayList<>();
        private final List<String> arguments = new ArrayList<>();
        private Duration startTimeout = DEFAULT_START_TIMEOUT;
        private Path log;
        private String readyPath = "/";

        private Builder() {
        }

        /** Default: system property {@code lhttp.uberjar} (set by failsafe), else {@code target/lhttp.jar}. */
        public Builder jar(Path jar) {
            this.jar = jar;
            return this;
        }

        /** Default: a free loopback port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Passed before {@code -jar}, e.g. {@code -Dlhttp.nats.url=nats://127.0.0.1:4222} or {@code -Xmx512m}. */
        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        /** Passed to Payara Micro after {@code --port N}, e.g. {@code --systemProperties file}. */
        public Builder argument(String argument) {
            arguments.add(argument);
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Default: {@code target/uberjar-server-<port>.log}; appended to across restarts. */
        public Builder logFile(Path log) {
            this.log = log;
            return this;
        }

        /** The path that must answer 200 before the server counts as started. Default {@code /}. */
        public Builder readyPath(String path) {
            this.readyPath = path.startsWith("/") ? path.substring(1) : path;
            return this;
        }

        public UberJarServer start() {
            return new UberJarServer(this).launch();
        }
    }
}
