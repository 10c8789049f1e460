package io.lhttp.it.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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
public final class UberJarServer extends ServerProcess {

    /**
     * Cold start is ~10 s on an idle machine, but 160 s was seen on a 2-core one running other
     * Payara instances; a crash is noticed at once anyway, so only a hang waits this long.
     */
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(300);
    /** SIGTERM lets Payara remove its ~110 MB runtime directory under /tmp; a kill leaves it behind. */
    public static final Duration STOP_TIMEOUT = ServerProcess.STOP_TIMEOUT;

    private final Path jar;
    private final int port;
    private final List<String> jvmOptions;
    private final List<String> arguments;
    private final Duration startTimeout;
    private final String readyPath;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // a plain probe: no h2c upgrade attempt
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private UberJarServer(Builder b, int port) {
        super(Objects.requireNonNullElseGet(b.log, () -> targetDir().resolve("uberjar-server-" + port + ".log")));
        this.jar = Objects.requireNonNullElseGet(b.jar, UberJarServer::defaultJar);
        this.port = port;
        this.jvmOptions = List.copyOf(b.jvmOptions);
        this.arguments = List.copyOf(b.arguments);
        this.startTimeout = b.startTimeout;
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

    /** Stops the process (SIGTERM) and starts a new one on the same port, with the same options. */
    public UberJarServer restart() {
        stop();
        return launch();
    }

    /** SIGTERM, then wait; a forced kill only if it hangs. Idempotent. */
    public void stop() {
        stopProcess();
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
        Process started;
        try {
            started = startProcess(new ProcessBuilder(command), "", false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try {
            URI probe = httpUri().resolve(readyPath);
            HttpRequest request = HttpRequest.newBuilder(probe)
                    .timeout(Duration.ofSeconds(5))
                    .GET()
                    .build();
            awaitReady(started, startTimeout, "server", probe + " did not answer 200", () -> {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding())
                        .statusCode();
                return status == 200 ? null : "HTTP " + status;
            });
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        return this;
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

        private Builder() {}

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
            return new UberJarServer(this, port > 0 ? port : freePort()).launch();
        }
    }
}
